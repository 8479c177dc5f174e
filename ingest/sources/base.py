"""What every polled platform provides: feeds of newest-first pages, and a rate-limit budget.

A feed is one query (the mentions of one brand account, one keyword search, one staff timeline).
`fetch` turns one page into Posts; everything about waiting, retrying and checkpoints lives in
`ingest.poller`, the same for every platform.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from events.schemas import Post
from ingest.errors import BudgetSpent, SourceError
from ingest.roster import Roster
from ingest.store import FeedPosition

__all__ = [
    "CursorRejected",
    "Feed",
    "FeedRefused",
    "Page",
    "PolledSource",
    "RateBudget",
    "brand_replies",
    "key_order",
    "newest_key",
    "older_than",
]


class FeedRefused(SourceError):
    """The platform refuses this one query (access tier, unknown account): skip it only."""


class CursorRejected(SourceError):
    """The saved page cursor is no longer accepted: restart the run from the high-water mark."""


def key_order(key: str) -> tuple[int, str]:
    """Sort key of item keys (numeric ids or fixed-width UTC times): by length, then text."""
    return len(key), key


def newest_key(a: str | None, b: str | None) -> str | None:
    """The newer of two keys."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b, key=key_order)


def older_than(key: str, mark: str | None) -> bool:
    return mark is not None and key_order(key) < key_order(mark)


@dataclass
class Page:
    """One page of a feed.

    newest_key: the newest item key on the page; next_cursor: the next (older) page of this run;
    more: the feed advanced its high-water mark itself (min_id paging) and has more after it;
    rejects: items that could not become posts, as (raw bytes, reason), for the dead-letter topic.
    """

    posts: list[Post]
    newest_key: str | None = None
    next_cursor: str | None = None
    more: bool = False
    rejects: list[tuple[bytes, str]] = field(default_factory=list)


@dataclass
class RateBudget:
    """What the last response's headers said about one endpoint's rate limit."""

    remaining: int | None = None
    reset_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, remaining: str | int | None, reset_epoch: str | float | None) -> None:
        """Headers as they come (text, or numbers from a client library); junk is ignored."""
        with self._lock:
            try:
                self.remaining = int(remaining) if remaining is not None else self.remaining
            except (TypeError, ValueError):
                pass
            try:
                if reset_epoch is not None:
                    self.reset_at = datetime.fromtimestamp(float(reset_epoch), tz=UTC)
            except (TypeError, ValueError, OverflowError):
                pass

    def check(self, what: str) -> None:
        """Raise BudgetSpent instead of calling an endpoint whose window is spent."""
        if self.wait_seconds() > 0:
            raise BudgetSpent(
                f"{what}: no request left until {self.reset_at:%H:%M:%S} UTC",
                reset_at=self.reset_at,
            )

    def wait_seconds(self) -> float:
        """Seconds to wait before the next call: 0 unless the window is spent."""
        if self.remaining is None or self.remaining > 0 or self.reset_at is None:
            return 0.0
        return max(0.0, self.reset_at.timestamp() - time.time())


def brand_replies(page: Page) -> Page:
    """A brand account's page kept to its replies: its answers in conversations count as the
    case's response in the workflow; its announcements are no one's conversation."""
    page.posts = [post for post in page.posts if post.reply_to_id]
    return page


class Feed(Protocol):
    name: str
    budget: RateBudget

    def fetch(self, position: FeedPosition) -> Page: ...


class PolledSource(Protocol):
    name: str

    def feeds(self, roster: Roster) -> list[Feed]:
        """This cycle's queries from the current roster (AccessRevoked, SourceUnavailable)."""
        ...

    def budgets(self) -> list[RateBudget]: ...

    def close(self) -> None: ...
