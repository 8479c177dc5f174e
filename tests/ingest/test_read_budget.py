"""The monthly read cap spread over the month: mentions first, then timelines, then search."""

from __future__ import annotations

from datetime import UTC, date, datetime

from events.brand import ReadCap
from ingest.read_budget import ReadBudget, billing_period
from ingest.store import IngestStore


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_billing_period_follows_the_reset_day() -> None:
    assert billing_period(date(2027, 1, 3), 15) == (date(2026, 12, 15), date(2027, 1, 15))
    assert billing_period(date(2026, 12, 15), 15) == (date(2026, 12, 15), date(2027, 1, 15))
    assert billing_period(date(2026, 12, 31), 1) == (date(2026, 12, 1), date(2027, 1, 1))


def test_a_day_share_goes_to_mentions_before_timelines_and_search(database_url: str) -> None:
    store = IngestStore(database_url)
    clock = _Clock(datetime(2026, 12, 1, 12, tzinfo=UTC))
    budget = ReadBudget("x", store, cap=lambda: ReadCap(monthly_posts=3100), clock=clock)
    try:
        report = budget.report()
        assert report is not None and round(report.allowance_today) == 100  # 3,100 over 31 days
        budget.record(45)
        assert budget.may_read("search") and budget.may_read("timeline")
        budget.record(10)  # 55 today: search (50 %) stops, timelines (80 %) go on
        assert not budget.may_read("search") and budget.may_read("timeline")
        budget.record(30)  # 85 today
        assert not budget.may_read("timeline") and budget.may_read("mentions")
        assert budget.report().runs_out_on is None, "85 a day lasts the month"

        clock.now = datetime(2026, 12, 2, 9, tzinfo=UTC)  # a new day: a new share
        assert budget.may_read("search")
        assert round(budget.report().allowance_today) == round((3100 - 85) / 30)

        budget.record(2900)  # a burst: 2,985 of 3,100 read by the 2nd
        report = budget.report()
        assert report.remaining == 115 and report.runs_out_on == date(2026, 12, 2)
        assert budget.may_read("mentions") and not budget.may_read("timeline")
        budget.record(115)
        assert not budget.may_read("mentions"), "a spent cap stops even mentions"

        clock.now = datetime(2027, 1, 1, 0, 1, tzinfo=UTC)  # the cap resets
        assert budget.report().remaining == 3100 and budget.may_read("search")
    finally:
        store.close()
