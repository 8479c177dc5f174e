"""Webhook receiver, mounted into the API: `POST /ingest/webhooks/{source}`.

Sources:
- `meta`: Facebook Page and Instagram notifications, signed by Meta with X-Hub-Signature-256
  (HMAC-SHA256 of the raw body with the app secret); `GET` answers the hub.challenge check.
- `vigie`: Vigie post records (one object or a list), for systems that push posts themselves,
  signed with VIGIE_WEBHOOK_SECRET as Vigie signs its own alert webhooks (`events.signing`):
  X-Vigie-Timestamp and X-Vigie-Signature-256 = HMAC-SHA256 of `<timestamp>.<body>`; a timestamp
  more than 5 minutes away is refused, so a captured request cannot be replayed later.
A source without its secret is not served. Signatures are compared in constant time. The body
must be `application/json` (415), at most VIGIE_WEBHOOK_MAX_BYTES (413), nested at most
MAX_DEPTH deep, and every post in it valid (422, e.g. a created_at outside 1990-2100 or a URL
that is not http(s)) before anything is answered "accepted": a refusal gets the reason and a
metric, and nothing of that delivery is ingested.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field, SecretStr

from events.errors import TransientError, VigieError
from events.kafka_io import EventProducer
from events.runtime import bootstrap_servers
from events.schemas import Post
from events.settings import Settings
from events.signing import verify_signature
from ingest import metrics
from ingest.errors import PayloadError
from ingest.normalize.meta import posts_from_meta
from ingest.normalize.record import post_from_record
from ingest.publish import Publisher
from ingest.roster import RosterWatcher
from ingest.settings import IngestSettings
from ingest.store import IngestStore

__all__ = ["MAX_DEPTH", "WebhookResult", "create_router", "signature"]

log = logging.getLogger(__name__)

Parser = Callable[[Any], tuple[list[Post], list[str]]]
SignatureCheck = Callable[[str, Request, bytes], bool]

MAX_DEPTH = 32
"""Deepest JSON nesting accepted: Meta's payloads nest 6 deep, post records 3."""

TIMESTAMP_HEADER = "x-vigie-timestamp"


class WebhookResult(BaseModel):
    accepted: int
    duplicates: int
    ignored: list[str]


class _ErrorBody(BaseModel):
    detail: str = Field(description="Why the delivery was refused; nothing of it was ingested.")


_REFUSALS = {
    401: "Missing or wrong signature, or a timestamp outside the tolerance window.",
    404: "No such webhook source is configured.",
    413: "The body exceeds VIGIE_WEBHOOK_MAX_BYTES.",
    415: "The body is not application/json.",
    422: "Invalid JSON or an invalid post: the reason says which and why.",
    503: "Kafka or the ingest database is unavailable: retry later.",
}


def signature(secret: str, body: bytes) -> str:
    """The `sha256=<hex>` value Meta puts in X-Hub-Signature-256 (HMAC of the body alone)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _meta_signature_ok(secret: str, request: Request, body: bytes) -> bool:
    given = request.headers.get("x-hub-signature-256", "")
    return hmac.compare_digest(given.encode("utf-8", "replace"), signature(secret, body).encode())


def _vigie_signature_ok(secret: str, request: Request, body: bytes) -> bool:
    return verify_signature(
        secret.encode("utf-8"),
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        body=body,
        signature=request.headers.get("x-vigie-signature-256", ""),
    )


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON nests deeper than `limit` (iterative: the check itself cannot overflow)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _parse_json(body: bytes) -> Any:
    try:
        payload = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    if _too_deep(payload):
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return payload


def _vigie_records(payload: Any) -> tuple[list[Post], list[str]]:
    records = payload if isinstance(payload, list) else [payload]
    return [post_from_record(r, collected_by="webhook:vigie") for r in records], []


def _meta(payload: Any) -> tuple[list[Post], list[str]]:
    return posts_from_meta(payload, collected_by="webhook:meta")


class _Receiver:
    """Lazily connects to Kafka and the ingest database on the first delivery."""

    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self.sources: dict[str, tuple[SecretStr, SignatureCheck, str, Parser]] = {}
        if settings.meta_app_secret is not None:
            self.sources["meta"] = (
                settings.meta_app_secret,
                _meta_signature_ok,
                "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body)",
                _meta,
            )
        if settings.webhook_secret is not None:
            self.sources["vigie"] = (
                settings.webhook_secret,
                _vigie_signature_ok,
                "missing or wrong X-Vigie-Signature-256 (HMAC-SHA256 of '<timestamp>.<body>'), "
                "or X-Vigie-Timestamp missing or more than 5 minutes away",
                _vigie_records,
            )
        self._lock = threading.Lock()
        self._publisher: Publisher | None = None
        self._store: IngestStore | None = None

    def _wired(self) -> tuple[Publisher, IngestStore]:
        with self._lock:
            if self._publisher is None or self._store is None:
                producer = EventProducer(
                    bootstrap_servers(self.settings), service="ingest-webhooks"
                )
                roster = RosterWatcher(self.settings.brand_config)
                self._publisher = Publisher(producer, self.settings.topics.posts, roster)
                self._store = IngestStore(self.settings.resolved_ingest_database_url)
            return self._publisher, self._store

    def close(self) -> None:
        with self._lock:
            if self._publisher is not None:
                self._publisher.producer.close()
            if self._store is not None:
                self._store.close()
            self._publisher = self._store = None

    def ingest(self, source: str, posts: list[Post], ignored: list[str]) -> WebhookResult:
        """Produce the posts no source ingested yet; blocks until Kafka acknowledged them."""
        publisher, store = self._wired()
        name = f"webhook:{source}"
        fresh, duplicates = publisher.publish_new(
            posts,
            source=name,
            store=store,
            record=lambda ids: store.remember(name, ids),
            retry=lambda call: call(),  # no waiting here: an outage answers 503, the sender retries
        )
        return WebhookResult(accepted=len(fresh), duplicates=duplicates, ignored=ignored)


def create_router(settings: Settings) -> APIRouter:
    """The webhook endpoints, configured from the settings (and VIGIE_* connector variables)."""
    receiver = _Receiver(IngestSettings.from_base(settings))

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(receiver.close)  # flushes the producer

    router = APIRouter(prefix="/ingest/webhooks", tags=["ingest"], lifespan=lifespan)

    def refuse(source: str, status: str, code: int, reason: str) -> HTTPException:
        reason = reason.encode("utf-8", "backslashreplace").decode("utf-8")  # may quote input
        metrics.WEBHOOK_REQUESTS.labels(source, status).inc()
        log.warning("webhook %s refused (%d %s): %s", source, code, status, reason)
        return HTTPException(status_code=code, detail=reason)

    @router.get(
        "/meta",
        response_class=PlainTextResponse,
        responses={
            403: {"model": _ErrorBody, "description": "Wrong hub.mode or hub.verify_token."},
            404: {"model": _ErrorBody, "description": _REFUSALS[404]},
        },
    )
    def verify_meta(
        mode: str = Query("", alias="hub.mode"),
        token: str = Query("", alias="hub.verify_token"),
        challenge: str = Query("", alias="hub.challenge"),
    ) -> str:
        """Meta's subscription check: echo hub.challenge when the verify token matches."""
        expected = receiver.settings.meta_verify_token
        if expected is None:
            raise refuse("meta", "unknown_source", 404, "the meta webhook is not configured")
        if mode != "subscribe" or not hmac.compare_digest(
            token.encode(), expected.get_secret_value().encode()
        ):
            raise refuse(
                "meta", "refused", 403, "hub.mode must be subscribe and hub.verify_token must match"
            )
        metrics.WEBHOOK_REQUESTS.labels("meta", "verified").inc()
        return challenge

    @router.post(
        "/{source}",
        response_model=WebhookResult,
        responses={
            code: {"model": _ErrorBody, "description": text} for code, text in _REFUSALS.items()
        },
    )
    async def receive(
        source: Annotated[str, Path(max_length=40)], request: Request
    ) -> WebhookResult:
        """Posts pushed by a platform (`meta`) or another system (`vigie`), signed."""
        if source not in receiver.sources:
            raise refuse(
                "unknown", "unknown_source", 404, f"no webhook source {source!r} is configured"
            )
        secret, signature_ok, signature_help, parse = receiver.sources[source]
        body = await _read_limited(
            request,
            receiver.settings.webhook_max_bytes,
            lambda reason: refuse(source, "too_large", 413, reason),
        )
        if not signature_ok(secret.get_secret_value(), request, body):
            raise refuse(source, "bad_signature", 401, signature_help)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise refuse(
                source, "bad_content_type", 415, "the body must be sent as application/json"
            )
        try:
            posts, ignored = parse(_parse_json(body))
        except (ValueError, PayloadError) as exc:  # JSON and UTF-8 errors are ValueErrors
            raise refuse(source, "bad_payload", 422, f"invalid payload: {exc}") from exc
        try:
            result = await run_in_threadpool(receiver.ingest, source, posts, ignored)
        except (TransientError, VigieError) as exc:
            raise refuse(
                source, "unavailable", 503, f"cannot store the posts now, retry later: {exc}"
            ) from exc
        metrics.WEBHOOK_REQUESTS.labels(source, "accepted").inc()
        return result

    return router


async def _read_limited(
    request: Request, limit: int, too_large: Callable[[str], HTTPException]
) -> bytes:
    """The body, refusing it as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(f"body of {declared} bytes exceeds the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(f"body exceeds the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
