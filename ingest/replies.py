"""Sending replies from cases: vigie.replies -> the platform -> vigie.reply_outcomes.

The workflow publishes an approved reply at least once; this desk sends it at most once. Each
request is claimed in the ingest store (`ingest_reply`, keyed by the reply id) before the
platform is called, and the outcome is stored before it is published:

- a reply already sent (or failed) is not sent again: its stored outcome is published again;
- a platform outage (429, 5xx, connection refused) leaves the claim `pending` and the batch is
  retried with backoff, up to VIGIE_REPLY_MAX_TRIES, then the reply is `failed`;
- a row left `sending` (ingest killed mid-send, or a connection lost after the request left) is
  checked on the platform before anything else: Bluesky is asked for the record under the
  reply's own key; Mastodon is sent the same Idempotency-Key, which it honours for an hour; X
  cannot tell, so the reply is `unknown` and a person looks before sending it again;
- a refusal by the platform (a deleted post, a reply that cannot be hidden, a revoked token)
  is `failed` with the platform's reason.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx
import requests
from mastodon import MastodonNetworkError
from urllib3.exceptions import NewConnectionError

from events.errors import TransientError
from events.kafka_io import Delivery, EventProducer, Rejection
from events.schemas import ReplyOutcome, ReplyRequest
from events.topics import Topic
from ingest.errors import RateLimited, SourceError, SourceUnavailable
from ingest.metrics import REPLIES
from ingest.settings import IngestSettings
from ingest.store import IngestStore, ReplyRow

__all__ = ["Interrupted", "ReplyDesk", "build_writers", "record_key"]

log = logging.getLogger(__name__)

MASTODON_IDEMPOTENCY = timedelta(hours=1)
"""How long a Mastodon server remembers an Idempotency-Key (Mastodon's documented window)."""

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


class Interrupted(Exception):
    """The platform cannot tell whether an interrupted send went out: a person checks."""


class Writer(Protocol):
    """One platform's way to carry out a reply request."""

    def send(self, request: ReplyRequest) -> tuple[str, str | None]:
        """Send it: the platform's id of the new post (or of the hidden one) and its link."""
        ...

    def recover(self, request: ReplyRequest, row: ReplyRow) -> tuple[str, str | None] | None:
        """After an interrupted send: the post if it exists, None if it surely does not
        (send again), or Interrupted when the platform cannot tell."""
        ...


def record_key(request: ReplyRequest) -> str:
    """A Bluesky record key (a TID) of its own for each attempt of a reply, the same on every
    delivery: the request's time in microseconds and a clock id from the reply id."""
    micros = int(request.at.timestamp() * 1_000_000)
    digest = hashlib.sha256(f"{request.reply_id}:{request.attempt}".encode()).digest()
    value = (micros << 10) | (int.from_bytes(digest[:2], "big") & 0x3FF)
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


class _XWriter:
    def __init__(self, settings: IngestSettings) -> None:
        from ingest.sources.x import XSource

        self.source = XSource(settings, token=settings.x_user_access_token)

    def send(self, request: ReplyRequest) -> tuple[str, str | None]:
        if request.kind == "hide":
            self.source.hide(request.in_reply_to)
            return request.in_reply_to, None
        return self.source.reply(request.text, request.in_reply_to)

    def recover(self, request: ReplyRequest, row: ReplyRow) -> tuple[str, str | None] | None:
        if request.kind == "hide":
            return None  # hiding twice hides once
        raise Interrupted(
            "the send was interrupted and X cannot tell whether the reply went out: look for it "
            "under the post on X, then send it again or mark the case answered"
        )


class _MastodonWriter:
    def __init__(self, settings: IngestSettings) -> None:
        from ingest.sources.mastodon import MastodonSource

        self.source = MastodonSource(settings)

    def send(self, request: ReplyRequest) -> tuple[str, str | None]:
        if request.kind == "hide":
            raise SourceError("mastodon cannot hide someone else's reply")
        key = f"{request.reply_id}-{request.attempt}"
        return self.source.reply(request.text, request.in_reply_to, key=key, lang=request.lang)

    def recover(self, request: ReplyRequest, row: ReplyRow) -> tuple[str, str | None] | None:
        started = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=UTC)
        if datetime.now(UTC) - started < MASTODON_IDEMPOTENCY:
            return None  # the same Idempotency-Key: Mastodon answers with the first status
        raise Interrupted(
            "the send was interrupted over an hour ago and Mastodon no longer recognises it: "
            "look for the reply on Mastodon, then send it again or mark the case answered"
        )


class _BlueskyWriter:
    def __init__(self, settings: IngestSettings) -> None:
        from ingest.sources.bluesky import BlueskySource

        self.source = BlueskySource(settings)

    def send(self, request: ReplyRequest) -> tuple[str, str | None]:
        if request.kind == "hide":
            raise SourceError("bluesky replies are hidden by a thread gate, not from Vigie")
        return self.source.reply(
            request.text, request.in_reply_to, rkey=record_key(request), lang=request.lang
        )

    def recover(self, request: ReplyRequest, row: ReplyRow) -> tuple[str, str | None] | None:
        return self.source.find_reply(record_key(request))


def build_writers(settings: IngestSettings) -> dict[str, Writer]:
    """A writer per platform whose brand-account credentials are set."""
    makers = {"x": _XWriter, "mastodon": _MastodonWriter, "bluesky": _BlueskyWriter}
    return {name: makers[name](settings) for name in settings.reply_platforms}


def _never_left(exc: BaseException) -> bool:
    """The request never reached the platform (no connection): sending again is safe."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen,
            ConnectionRefusedError
            | NewConnectionError
            | requests.ConnectTimeout
            | httpx.ConnectError
            | httpx.ConnectTimeout,
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _lost_midway(exc: BaseException) -> bool:
    """A network failure after the request may have left: the platform may have the reply."""
    if _never_left(exc):
        return False
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen, requests.RequestException | MastodonNetworkError | httpx.TransportError
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class ReplyDesk:
    """The batch handler of vigie.replies (events.kafka_io.consume)."""

    def __init__(
        self,
        writers: dict[str, Writer],
        store: IngestStore,
        producer: EventProducer,
        outcomes: Topic[ReplyOutcome],
        *,
        max_tries: int = 5,
    ) -> None:
        self.writers = writers
        self.store = store
        self.producer = producer
        self.outcomes = outcomes
        self.max_tries = max_tries

    def __call__(self, batch: list[Delivery[ReplyRequest]]) -> list[Rejection]:
        try:
            for delivery in batch:
                self.handle(delivery.event)
        finally:
            self.producer.flush()  # outcomes stored so far reach the workflow in any case
        return []

    def handle(self, request: ReplyRequest) -> None:
        claim = self.store.claim_reply(request.reply_id, request.attempt, request.platform)
        row = claim.row
        writer = self.writers.get(request.platform)
        if claim.action == "report" or request.attempt < row.attempt:
            self._publish(request, row, again=True)
            return
        if writer is None:
            state = "unknown" if claim.action == "check" else "failed"
            reason = (
                f"Vigie has no credentials to write on {request.platform}: set the brand "
                f"account's token (see ingest/README.md) and send it again"
            )
            self._publish(request, self.store.finish_reply(request.reply_id, state, reason=reason))
            return
        if claim.action == "check":
            try:
                found = writer.recover(request, row)
            except Interrupted as exc:
                row = self.store.finish_reply(request.reply_id, "unknown", reason=str(exc))
                self._publish(request, row)
                return
            except SourceError as exc:
                self._outage(request, exc)
                return
            if found is not None:
                log.info("reply %s was sent before the interruption", request.reply_id)
                self._finish_sent(request, found)
                return
        self._send(writer, request)

    def _send(self, writer: Writer, request: ReplyRequest) -> None:
        log.info(
            "sending reply %s (attempt %d) on %s",
            request.reply_id,
            request.attempt,
            request.platform,
        )
        try:
            sent = writer.send(request)
        except (RateLimited, SourceUnavailable) as exc:
            if _lost_midway(exc):
                reason = f"the connection was lost mid-send ({exc}); checking the platform"
                self.store.finish_reply(request.reply_id, "sending", reason=reason, tried=True)
                raise TransientError(reason) from exc
            self._outage(request, exc)
            return
        except SourceError as exc:
            row = self.store.finish_reply(request.reply_id, "failed", reason=str(exc), tried=True)
            self._publish(request, row)
            return
        self._finish_sent(request, sent)

    def _outage(self, request: ReplyRequest, exc: SourceError) -> None:
        """The platform is unavailable: try the batch again later, up to max_tries."""
        row = self.store.finish_reply(request.reply_id, "pending", reason=str(exc), tried=True)
        REPLIES.labels(request.platform, "retried").inc()
        if row.tries < self.max_tries:
            raise TransientError(f"reply {request.reply_id} not sent yet: {exc}") from exc
        reason = f"{request.platform} stayed unavailable after {row.tries} tries: {exc}"
        self._publish(request, self.store.finish_reply(request.reply_id, "failed", reason=reason))

    def _finish_sent(self, request: ReplyRequest, sent: tuple[str, str | None]) -> None:
        post_id, url = sent
        row = self.store.finish_reply(request.reply_id, "sent", platform_post_id=post_id, url=url)
        self._publish(request, row)

    def _publish(self, request: ReplyRequest, row: ReplyRow, *, again: bool = False) -> None:
        """Publish the stored outcome (`again`: a redelivered request, counted once already)."""
        status = row.state if row.state in ("sent", "failed", "unknown") else None
        if status is None:
            return
        outcome = ReplyOutcome(
            reply_id=request.reply_id,
            attempt=row.attempt,
            case_id=request.case_id,
            status=status,  # type: ignore[arg-type]
            platform_post_id=row.platform_post_id,
            url=row.url,
            reason=row.reason,
        )
        self.producer.send(self.outcomes, outcome, correlation_id=request.reply_id)
        if not again:
            REPLIES.labels(request.platform, status).inc()
