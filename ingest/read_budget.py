"""A platform's monthly read cap, spread over the month so the brand never goes blind.

X's access tiers cap the posts an app may read per billing month. Spending it as fast as the
rate limits allow would leave the brand without mentions for the rest of the month. So each day
gets an even share of what is left (`allowance`), and feeds draw on it by priority: mentions
may use all of it (and more, while the month's cap lasts: a journalist's question is never left
unread to save budget), staff timelines stop at 80 % of the day's share, keyword search at 50 %.
What was read is counted per day in the ingest database, so restarts and replicas share it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from events.brand import ReadCap
from ingest import metrics
from ingest.store import IngestStore

__all__ = ["BudgetReport", "ReadBudget", "billing_period"]

SHARE = {"mentions": 1.0, "timeline": 0.8, "search": 0.5}
"""Fraction of the day's allowance a kind of feed may use; kinds not listed count as mentions."""


def billing_period(today: date, resets_on_day: int) -> tuple[date, date]:
    """First day of the current period, and the first day of the next one."""
    start = today.replace(day=resets_on_day)
    if today.day < resets_on_day:
        start = _add_month(start, -1)
    return start, _add_month(start, 1)


def _add_month(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


@dataclass(frozen=True)
class BudgetReport:
    cap: int
    used: int
    used_today: int
    period_start: date
    resets_on: date
    allowance_today: float
    runs_out_on: date | None
    """When it runs out at this pace, or None when it lasts until it resets."""

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.used)

    def as_dict(self) -> dict[str, object]:
        return {
            "cap": self.cap,
            "remaining": self.remaining,
            "used_today": self.used_today,
            "allowance_today": round(self.allowance_today),
            "resets_on": self.resets_on.isoformat(),
            "runs_out_on": self.runs_out_on.isoformat() if self.runs_out_on else None,
        }


class ReadBudget:
    """The read cap of one source, as the brand configuration states it now."""

    def __init__(
        self,
        source: str,
        store: IngestStore,
        cap: Callable[[], ReadCap | None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.source = source
        self.store = store
        self.cap = cap
        self.clock = clock

    def may_read(self, feed_kind: str) -> bool:
        """Whether a feed of this kind may fetch now (always, without a cap)."""
        report = self.report()
        if report is None:
            return True
        if report.remaining <= 0:
            return False
        share = SHARE.get(feed_kind, 1.0)
        return share >= 1.0 or report.used_today < share * report.allowance_today

    def record(self, posts: int) -> None:
        """Count posts a response returned (rejected ones too: the platform counted them)."""
        if posts <= 0 or self.cap() is None:
            return
        self.store.add_read(self.source, self.clock().date().isoformat(), posts)
        self.report()  # refresh the gauges

    def report(self) -> BudgetReport | None:
        cap = self.cap()
        if cap is None:
            return None
        now = self.clock()
        today = now.date()
        start, resets_on = billing_period(today, cap.resets_on_day)
        per_day = self.store.reads_since(self.source, start.isoformat())
        used = sum(per_day.values())
        used_today = per_day.get(today.isoformat(), 0)
        days_left = (resets_on - today).days  # today included
        allowance = max(0, cap.monthly_posts - (used - used_today)) / days_left
        elapsed = (now - datetime.combine(start, datetime.min.time(), UTC)).total_seconds() / 86400
        runs_out_on = None
        if used > 0 and elapsed > 0:
            pace = used / max(elapsed, 1.0)  # posts per day; a first hour is no month's pace
            out = now + timedelta(days=max(0, cap.monthly_posts - used) / pace)
            runs_out_on = out.date() if out.date() < resets_on else None
        report = BudgetReport(cap.monthly_posts, used, used_today, start, resets_on, allowance,
                              runs_out_on)
        _export(self.source, report)
        return report


def _export(source: str, report: BudgetReport) -> None:
    metrics.READ_CAP.labels(source).set(report.cap)
    metrics.READ_REMAINING.labels(source).set(report.remaining)
    metrics.READ_RESETS_AT.labels(source).set(_timestamp(report.resets_on))
    runs_out = _timestamp(report.runs_out_on) if report.runs_out_on else math.inf
    metrics.READ_RUNS_OUT_AT.labels(source).set(runs_out)


def _timestamp(day: date) -> float:
    return datetime.combine(day, datetime.min.time(), UTC).timestamp()
