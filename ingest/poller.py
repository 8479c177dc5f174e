"""The polling loop every platform shares: pages, checkpoints, rate limits, backoff, dedup.

For each feed of a cycle the poller fetches newest-first pages from the saved position, produces
the posts no source ingested yet, waits for Kafka's acknowledgement, then saves the new position
and the ids in one transaction. So a crash or restart anywhere repeats at most the page in flight
(and the seen ids filter even that), and never skips one.

Waiting: a 429 waits until the reset the platform announced (plus jitter), a spent budget waits
before calling at all, 5xx and network errors back off exponentially with jitter. A revoked
token stops this source only, with a message saying what to renew.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import UTC, datetime
from functools import partial

from events.errors import TransientError
from events.kafka_io import Backoff
from ingest import metrics
from ingest.errors import AccessRevoked, BudgetSpent, RateLimited, SourceUnavailable
from ingest.health import SourceHealth
from ingest.publish import Publisher
from ingest.read_budget import ReadBudget
from ingest.sources.base import CursorRejected, Feed, FeedRefused, Page, PolledSource, newest_key
from ingest.store import FeedPosition, IngestStore

__all__ = ["Poller", "next_position"]

log = logging.getLogger(__name__)


def next_position(position: FeedPosition, page: Page) -> FeedPosition:
    """Where the feed stands once `page` is ingested."""
    run_high = newest_key(position.run_high, page.newest_key)
    if page.next_cursor:
        return FeedPosition(position.high_water, page.next_cursor, run_high)
    return FeedPosition(newest_key(position.high_water, run_high), None, None)


def _kind(feed: Feed) -> str:
    """mentions, timeline or search: the part of a feed's name before its first colon."""
    return feed.name.split(":", 1)[0]


class _Stopped(Exception):
    """`stop` was set while waiting: leave without recording anything."""


class Poller:
    def __init__(
        self,
        source: PolledSource,
        *,
        store: IngestStore,
        publisher: Publisher,
        health: SourceHealth,
        stop: threading.Event,
        interval: float,
        max_backoff: float = 300.0,
        max_rate_limit_wait: float = 900.0,
        backoff_base: float = 1.0,
        read_budget: ReadBudget | None = None,
    ) -> None:
        self.source = source
        self.store = store
        self.publisher = publisher
        self.health = health
        self.stop = stop
        self.interval = interval
        self.max_backoff = max_backoff
        self.max_rate_limit_wait = max_rate_limit_wait
        self.backoff_base = backoff_base
        self.read_budget = read_budget
        self._refused: set[str] = set()

    def run(self) -> None:
        """Poll until `stop` is set or the source's access is revoked.

        Anything unexpected (a payload shaped unlike the platform's documentation, a bug) is
        logged, shown as the source's error in `vigie status` and metrics, and retried after a
        backoff: one odd answer must not leave the brand blind on that platform for good, and
        the other sources, in their own threads, go on.
        """
        backoff = Backoff(base=self.backoff_base, cap=self.max_backoff)
        try:
            while not self.stop.is_set():
                try:
                    self.poll_once()
                except (_Stopped, AccessRevoked):
                    raise
                except Exception as exc:  # noqa: BLE001 - the source's thread must survive
                    delay = backoff.next_delay()
                    log.exception("%s: unexpected failure, retrying in %.1fs", self.source.name, delay)
                    self.health.error("unexpected", f"{type(exc).__name__}: {exc}")
                    self._wait(delay)
                    continue
                backoff.attempt = 0
                self.health.tick()
                self.stop.wait(self.interval)
        except _Stopped:
            pass
        except AccessRevoked as exc:
            message = f"{self.source.name} stopped: {exc}"
            log.error(message)
            self.health.stopped(message)
        finally:
            self.source.close()

    def poll_once(self) -> int:
        """One cycle over every feed; the number of posts produced."""
        feeds = self._with_retry(lambda: self.source.feeds(self.publisher.roster.current()))
        produced = 0
        for feed in feeds:
            if self.stop.is_set():
                break
            if feed.name in self._refused:
                continue
            if not self._may_read(feed):
                metrics.READ_DEFERRED.labels(self.source.name, _kind(feed)).inc()
                continue
            try:
                produced += self.drain(feed)
            except FeedRefused as exc:
                self._refused.add(feed.name)
                message = f"{self.source.name} feed {feed.name} refused, skipped from now on: {exc}"
                log.error(message)
                self.health.error("refused", message)
        return produced

    def drain(self, feed: Feed) -> int:
        """Fetch pages until the feed is caught up; the number of posts produced."""
        position = self.store.position(self.source.name, feed.name)
        produced = 0
        while not self.stop.is_set():
            page = self._fetch(feed, position)
            if (budget := self.read_budget) is not None:
                read = len(page.posts) + len(page.rejects)
                self._with_retry(partial(budget.record, read))
            new_position = next_position(position, page)
            produced += self._ingest(feed, page, new_position)
            position = new_position
            if position.cursor is None and not page.more:
                break
            if not self._may_read(feed):
                break  # the rest waits for a later cycle: the checkpoint keeps the place
        return produced

    def _may_read(self, feed: Feed) -> bool:
        if self.read_budget is None:
            return True
        return bool(self._with_retry(partial(self.read_budget.may_read, _kind(feed))))

    def _fetch(self, feed: Feed, position: FeedPosition) -> Page:
        try:
            return self._with_retry(lambda: feed.fetch(position))
        except CursorRejected as exc:
            log.warning(
                "%s %s: saved cursor refused (%s), restarting the run",
                self.source.name,
                feed.name,
                exc,
            )
            restart = FeedPosition(position.high_water)
            self.store.advance(self.source.name, feed.name, restart, [])
            return self._with_retry(lambda: feed.fetch(restart))

    def _ingest(self, feed: Feed, page: Page, position: FeedPosition) -> int:
        """Produce the unseen posts, then (only once acknowledged) record the new position."""
        origin = [("ingest-source", self.source.name.encode()), ("ingest-feed", feed.name.encode())]
        for raw, reason in page.rejects:
            why = f"{self.source.name} {feed.name}: {reason}"
            self._with_retry(lambda raw=raw, why=why: self.publisher.dead_letter(raw, why, origin=origin))
            self.health.error("payload", reason)
        posts, _ = self.publisher.publish_new(
            page.posts,
            source=self.source.name,
            store=self.store,
            record=lambda ids: self.store.advance(self.source.name, feed.name, position, ids),
            retry=self._with_retry,
        )
        self.health.ingested(posts)
        return len(posts)

    def _with_retry(self, call):
        """Run `call` until it succeeds, waiting out rate limits and backing off on failures.

        Raises _Stopped when `stop` is set before it succeeded.
        """
        backoff = Backoff(base=self.backoff_base, cap=self.max_backoff)
        while not self.stop.is_set():
            try:
                result = call()
            except BudgetSpent as exc:
                log.info("%s: %s; waiting", self.source.name, exc)
                self._wait(self._until(exc.reset_at) if exc.reset_at else backoff.next_delay())
            except RateLimited as exc:
                self.health.error("rate_limited", str(exc), state="rate_limited")
                self._wait(self._until(exc.reset_at) if exc.reset_at else backoff.next_delay())
            except (SourceUnavailable, TransientError) as exc:
                self.health.error("transient", str(exc))
                delay = backoff.next_delay()
                log.warning("%s: %s; retrying in %.1fs", self.source.name, exc, delay)
                self._wait(delay)
            else:
                self._record_success()
                return result
        raise _Stopped

    def _record_success(self) -> None:
        budgets = [b for b in self.source.budgets() if b.remaining is not None]
        tightest = min(budgets, key=lambda b: b.remaining or 0, default=None)
        self.health.success(
            remaining=tightest.remaining if tightest else None,
            reset_at=tightest.reset_at if tightest else None,
        )

    def _until(self, reset_at: datetime) -> float:
        seconds = (reset_at - datetime.now(UTC)).total_seconds()
        return min(max(seconds, 0.0), self.max_rate_limit_wait) + random.uniform(0, 0.5)

    def _wait(self, seconds: float) -> None:
        self.stop.wait(seconds)
