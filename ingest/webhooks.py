"""Webhook receiver, mounted into the API: `POST /ingest/webhooks/{source}`.

Sources:
- `meta`: Facebook Page and Instagram notifications, signed by Meta with X-Hub-Signature-256
  (HMAC-SHA256 of the raw body with the app secret); `GET` answers the hub.challenge check.
- `vigie`: Vigie post records (one object or a list), signed the same way with VIGIE_WEBHOOK_SECRET
  in X-Vigie-Signature-256, for systems that push posts themselves.
A source without its secret is not served. Signatures are compared in constant time; a body over
VIGIE_WEBHOOK_MAX_BYTES, a bad signature or an invalid payload gets a 4xx with the reason and a
metric, and nothing of it is ingested.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, SecretStr

from events.errors import TransientError, VigieError
from events.kafka_io import EventProducer
from events.runtime import bootstrap_servers
from events.schemas import Post
from events.settings import Settings
from ingest import metrics
from ingest.errors import PayloadError
from ingest.normalize.meta import posts_from_meta
from ingest.normalize.record import post_from_record
from ingest.publish import Publisher
from ingest.roster import RosterWatcher
from ingest.settings import IngestSettings
from ingest.store import IngestStore

__all__ = ["WebhookResult", "create_router", "signature"]

log = logging.getLogger(__name__)

Parser = Callable[[Any], tuple[list[Post], list[str]]]


class WebhookResult(BaseModel):
    accepted: int
    duplicates: int
    ignored: list[str]


def signature(secret: str, body: bytes) -> str:
    """The `sha256=<hex>` value Meta (and Vigie's generic webhook) put in the signature header."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _vigie_records(payload: Any) -> tuple[list[Post], list[str]]:
    records = payload if isinstance(payload, list) else [payload]
    return [post_from_record(r, collected_by="webhook:vigie") for r in records], []


def _meta(payload: Any) -> tuple[list[Post], list[str]]:
    return posts_from_meta(payload, collected_by="webhook:meta")


class _Receiver:
    """Lazily connects to Kafka and the ingest database on the first delivery."""

    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self.sources: dict[str, tuple[SecretStr, str, Parser]] = {}
        if settings.meta_app_secret is not None:
            self.sources["meta"] = (settings.meta_app_secret, "x-hub-signature-256", _meta)
        if settings.webhook_secret is not None:
            self.sources["vigie"] = (
                settings.webhook_secret,
                "x-vigie-signature-256",
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
        with publisher.lock:
            fresh_ids = store.unseen(p.post_id for p in posts)
            fresh = publisher.prepare(
                [p for p in posts if p.post_id in fresh_ids], source=f"webhook:{source}"
            )
            publisher.send(fresh, source=f"webhook:{source}")
            store.remember(f"webhook:{source}", [p.post_id for p in fresh])
        return WebhookResult(
            accepted=len(fresh), duplicates=len(posts) - len(fresh_ids), ignored=ignored
        )


def create_router(settings: Settings) -> APIRouter:
    """The webhook endpoints, configured from the settings (and VIGIE_* connector variables)."""
    receiver = _Receiver(IngestSettings.from_base(settings))

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(receiver.close)  # flushes the producer

    router = APIRouter(prefix="/ingest/webhooks", tags=["ingest"], lifespan=lifespan)

    def refuse(source: str, status: str, code: int, reason: str) -> HTTPException:
        metrics.WEBHOOK_REQUESTS.labels(source, status).inc()
        log.warning("webhook %s refused (%d %s): %s", source, code, status, reason)
        return HTTPException(status_code=code, detail=reason)

    @router.get("/meta", response_class=PlainTextResponse)
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

    @router.post("/{source}", response_model=WebhookResult)
    async def receive(source: str, request: Request) -> WebhookResult:
        if source not in receiver.sources:
            raise refuse(
                "unknown", "unknown_source", 404, f"no webhook source {source!r} is configured"
            )
        secret, header, parse = receiver.sources[source]
        body = await _read_limited(
            request,
            receiver.settings.webhook_max_bytes,
            lambda reason: refuse(source, "too_large", 413, reason),
        )
        given = request.headers.get(header, "")
        if not hmac.compare_digest(
            given.encode(), signature(secret.get_secret_value(), body).encode()
        ):
            raise refuse(
                source, "bad_signature", 401, f"missing or wrong {header} (HMAC-SHA256 of the body)"
            )
        try:
            posts, ignored = parse(json.loads(body.decode("utf-8")))
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
