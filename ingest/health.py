"""Health of each source: last good poll, posts, errors, rate-limit budget, silence, blindness.

`SourceHealth` updates the Prometheus gauges and, when it has a store, the `ingest_source_health`
row that `vigie status` reads from any machine. A source is blind when it returned no post for
longer than its configured expectation (counted from its start when it never returned one).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from events.errors import VigieError
from events.schemas import Post
from ingest import metrics
from ingest.store import IngestStore, SourceHealthRow

__all__ = ["SourceHealth", "is_blind", "silence_seconds"]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def silence_seconds(row: SourceHealthRow, now: datetime | None = None) -> float:
    """Seconds since the source last returned a post (since it started, if never)."""
    since = row.last_post_at or row.started_at
    return max(0.0, ((now or _now()) - since).total_seconds())


def is_blind(row: SourceHealthRow, now: datetime | None = None) -> bool:
    return row.blind_after_seconds > 0 and silence_seconds(row, now) > row.blind_after_seconds


class SourceHealth:
    def __init__(
        self, source: str, *, blind_after: float, store: IngestStore | None = None
    ) -> None:
        now = _now()
        self.source = source
        self.store = store
        self._lock = threading.Lock()
        self.row = SourceHealthRow(
            source=source,
            state="starting",
            started_at=now,
            blind_after_seconds=blind_after,
            updated_at=now,
        )
        metrics.UP.labels(source).set(1)
        self._save()

    def success(self, *, remaining: int | None = None, reset_at: datetime | None = None) -> None:
        with self._lock:
            self.row.state = "ok"
            self.row.last_success_at = _now()
            self.row.rate_limit_remaining = remaining
            self.row.rate_limit_reset_at = reset_at
        metrics.LAST_SUCCESS.labels(self.source).set(self.row.last_success_at.timestamp())
        if remaining is not None:
            metrics.RATE_LIMIT_REMAINING.labels(self.source).set(remaining)
        self.tick()

    def ingested(self, posts: Sequence[Post]) -> None:
        if not posts:
            return
        newest = max(p.created_at for p in posts)
        with self._lock:
            self.row.posts_total += len(posts)
            self.row.last_post_at = _now()
            if self.row.newest_post_at is None or newest > self.row.newest_post_at:
                self.row.newest_post_at = newest
        metrics.NEWEST_POST.labels(self.source).set(self.row.newest_post_at.timestamp())
        self.tick()

    def error(self, kind: str, message: str, *, state: str = "error") -> None:
        with self._lock:
            self.row.state = state
            self.row.errors_total += 1
            self.row.last_error_at = _now()
            self.row.last_error = message[:500]
        metrics.ERRORS.labels(self.source, kind).inc()
        self.tick()

    def stopped(self, message: str) -> None:
        """The source gave up for good (revoked token): say so everywhere."""
        self.error("revoked", message, state="stopped")
        metrics.UP.labels(self.source).set(0)

    def tick(self) -> None:
        """Refresh the time-dependent gauges and persist the row."""
        with self._lock:
            self.row.updated_at = _now()
            silence = silence_seconds(self.row, self.row.updated_at)
            blind = is_blind(self.row, self.row.updated_at)
        metrics.SECONDS_SINCE_NEWEST.labels(self.source).set(silence)
        metrics.BLIND.labels(self.source).set(1 if blind else 0)
        self._save()

    def _save(self) -> None:
        if self.store is None:
            return
        try:
            with self._lock:
                snapshot = SourceHealthRow(**self.row.model_dump())
            self.store.save_health(snapshot)
        except VigieError as exc:  # health must never stop ingestion
            log.warning("cannot record health of %s: %s", self.source, exc)
