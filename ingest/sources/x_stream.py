"""X filtered stream (tweepy StreamingClient), where the account's access tier allows it.

The stream brings brand keywords within seconds; the polled search keeps running beside it and
fills whatever a disconnection missed (the seen-id table makes the overlap one event per post).
Stream rules are the brand keyword queries, tagged `vigie`; stale `vigie` rules are removed.
A 403 (tier without the stream) or 401 (revoked token) ends the stream with a clear message and
leaves polling on; tweepy itself reconnects after network errors, backing off as X asks.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests
import tweepy

from events.errors import TransientError, VigieError
from events.kafka_io import Backoff
from ingest.health import SourceHealth
from ingest.normalize import x as nx
from ingest.publish import Publisher
from ingest.read_budget import ReadBudget
from ingest.settings import IngestSettings
from ingest.sources.x import _RebasedSession, search_queries
from ingest.store import IngestStore

__all__ = ["XFilteredStream", "RULE_TAG"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Stopped(Exception):
    """`stop` was set while a step was being retried."""


RULE_TAG = "vigie"
SOURCE = "x_stream"
# Statuses that end the stream (whether met on the rules endpoints or the stream itself).
_REFUSALS = {
    401: "X refused the bearer token (401); set a valid VIGIE_X_BEARER_TOKEN",
    403: "the X access tier does not allow the filtered stream (403); "
    "keyword search polling goes on",
}


class _Client(tweepy.StreamingClient):
    """tweepy's stream, handing raw messages and HTTP errors to the owner."""

    def __init__(self, owner: XFilteredStream, token: str, base_url: str) -> None:
        # chunk_size=1: a message is handled as soon as its line ends, not when 512 bytes (or
        # the next keep-alive, 20 s later on X) have filled tweepy's read buffer.
        super().__init__(
            token, return_type=requests.Response, wait_on_rate_limit=False, chunk_size=1
        )
        self.session = _RebasedSession(base_url)
        self.owner = owner

    def on_data(self, raw_data: bytes) -> None:
        self.owner.handle(raw_data)

    def on_request_error(self, status_code: int) -> None:
        self.owner.refused(status_code)


class XFilteredStream:
    def __init__(
        self,
        settings: IngestSettings,
        *,
        publisher: Publisher,
        store: IngestStore,
        health: SourceHealth,
        stop: threading.Event,
        read_budget: ReadBudget | None = None,
    ) -> None:
        assert settings.x_bearer_token is not None
        self.settings, self.publisher, self.store = settings, publisher, store
        self.health, self.stop = health, stop
        self.read_budget = read_budget  # X counts streamed posts against the polls' monthly cap
        self.client = _Client(
            self, settings.x_bearer_token.get_secret_value(), settings.x_api_base_url
        )

    def run(self) -> None:
        """Sync the rules, then stream until `stop`, a 401 or a 403."""
        try:
            self.sync_rules()
        except VigieError as exc:
            self._give_up(str(exc))
            return
        watcher = threading.Thread(target=self._disconnect_on_stop, daemon=True)
        watcher.start()
        self.client.filter(**nx.REQUEST_FIELDS)

    def sync_rules(self) -> None:
        """Make the `vigie` rules equal to the brand keyword queries."""
        keywords = self.publisher.roster.current().config.brand.keywords
        wanted = set(search_queries(keywords, self.settings.x_search_queries))
        current = self._rules_call(self.client.get_rules).get("data") or []
        ours = {r["value"]: r["id"] for r in current if r.get("tag") == RULE_TAG}
        stale = [rule_id for value, rule_id in ours.items() if value not in wanted]
        if stale:
            self._rules_call(self.client.delete_rules, stale)
        missing = [tweepy.StreamRule(value, tag=RULE_TAG) for value in sorted(wanted - set(ours))]
        if missing:
            self._rules_call(self.client.add_rules, missing)
        log.info(
            "x stream rules: %d kept, %d added, %d removed",
            len(ours) - len(stale),
            len(missing),
            len(stale),
        )

    def _rules_call(self, method: Any, *args: Any) -> dict[str, Any]:
        try:
            return method(*args).json()
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise VigieError(_REFUSALS[exc.response.status_code]) from exc
        except (tweepy.TweepyException, requests.RequestException, ValueError) as exc:
            raise VigieError(f"cannot set the X stream rules: {exc}") from exc

    def handle(self, raw: bytes) -> None:
        """One stream message: produce its tweet unless a source already did."""
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            self.health.error("payload", f"stream message is not JSON: {exc}")
            return
        if "data" not in payload:
            return  # an error or a system message
        rejects: list[tuple[bytes, str]] = []
        posts = nx.posts_from_x(payload, collected_by="x:stream", rejects=rejects)
        try:
            if (budget := self.read_budget) is not None:
                self._retry(lambda: budget.record(len(posts) + len(rejects)))
            for body, reason in rejects:
                self._retry(
                    lambda body=body, reason=reason: self.publisher.dead_letter(
                        body, f"x stream: {reason}", origin=[("ingest-source", SOURCE.encode())]
                    )
                )
                self.health.error("payload", reason)
            self._publish(posts)
        except _Stopped:
            return  # stopping: nothing recorded, so the next start collects it again

    def _publish(self, posts: list[Any]) -> None:
        """Produce the unseen posts, then record them (each step retried until it succeeds)."""
        fresh, _ = self.publisher.publish_new(
            posts,
            source=SOURCE,
            store=self.store,
            record=lambda ids: self.store.remember(SOURCE, ids),
            retry=self._retry,
        )
        self.health.ingested(fresh)
        self.health.success()

    def _retry(self, call: Callable[[], T]) -> T:
        """The call's result, retried with backoff on transient failures; _Stopped once stopped."""
        backoff = Backoff(base=0.5, cap=self.settings.max_backoff_seconds)
        while not self.stop.is_set():
            try:
                return call()
            except TransientError as exc:
                self.health.error("transient", str(exc))
                self.stop.wait(backoff.next_delay())
        raise _Stopped

    def refused(self, status: int) -> None:
        if status in _REFUSALS:
            self._give_up(_REFUSALS[status])
        else:
            self.health.error(
                "rate_limited" if status == 429 else "transient", f"x stream: HTTP {status}"
            )

    def _give_up(self, message: str) -> None:
        log.error("x stream stopped: %s", message)
        self.health.stopped(f"x stream stopped: {message}")
        self.client.disconnect()

    def _disconnect_on_stop(self) -> None:
        self.stop.wait()
        self.client.disconnect()
