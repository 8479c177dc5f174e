"""Business-time arithmetic: weekends, holidays, split shifts, DST changes, pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.brand import Calendar
from workflow.calendars import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
    end_of_business_day,
)

TORONTO = ZoneInfo("America/Toronto")
SPLIT = {day: ["08:30-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


@pytest.fixture
def office() -> BusinessCalendar:
    return BusinessCalendar.from_config("business", Calendar(hours=SPLIT))


@pytest.fixture
def always() -> BusinessCalendar:
    return BusinessCalendar.from_config("always", Calendar(always_open=True))


@pytest.mark.parametrize(
    ("received", "budget", "due", "case"),
    [
        (local(2026, 1, 9, 16, 10), timedelta(hours=1), local(2026, 1, 12, 8, 40), "weekend"),
        (local(2026, 1, 12, 11, 30), timedelta(hours=1), local(2026, 1, 12, 13, 30), "lunch break"),
        (local(2026, 1, 12, 7, 0), timedelta(hours=1), local(2026, 1, 12, 9, 30), "before opening"),
        (
            local(2026, 1, 12, 18, 0),
            timedelta(minutes=30),
            local(2026, 1, 13, 9, 0),
            "after closing",
        ),
        (
            local(2026, 6, 23, 16, 30),
            timedelta(hours=1),
            local(2026, 6, 25, 9, 0),
            "Fête nationale",
        ),
        (local(2026, 6, 30, 16, 30), timedelta(hours=1), local(2026, 7, 2, 9, 0), "Canada Day"),
        (
            local(2026, 3, 6, 16, 30),
            timedelta(hours=1),
            local(2026, 3, 9, 9, 0),
            "DST starts Sunday",
        ),
        (
            local(2026, 10, 30, 16, 30),
            timedelta(hours=1),
            local(2026, 11, 2, 9, 0),
            "DST ends Sunday",
        ),
        (
            local(2026, 1, 12, 9, 0),
            timedelta(hours=7),
            local(2026, 1, 12, 17, 0),
            "rest of the day",
        ),
        (
            local(2026, 1, 12, 9, 0),
            timedelta(hours=7, minutes=30),
            local(2026, 1, 13, 9, 0),
            "next day",
        ),
    ],
)
def test_business_deadlines(
    office: BusinessCalendar, received: datetime, budget: timedelta, due: datetime, case: str
) -> None:
    got, segments = add_business_time(office, received, budget)
    assert got == due, case
    assert sum((s.duration for s in segments), timedelta(0)) == budget


def test_local_wall_times_survive_the_dst_change(office: BusinessCalendar) -> None:
    """Friday EST to Monday EDT: the opening is 08:30 local on both sides, so UTC shifts by 1 h."""
    friday_open = office.day_intervals(date(2026, 3, 6))[0][0]
    monday_open = office.day_intervals(date(2026, 3, 9))[0][0]
    assert friday_open.hour == 13 and monday_open.hour == 12  # UTC
    assert monday_open.astimezone(TORONTO).hour == 8


def test_around_the_clock_counts_real_hours_across_dst(always: BusinessCalendar) -> None:
    start = local(2026, 3, 7, 23, 0)  # the night the clocks jump from 02:00 to 03:00
    due, _ = add_business_time(always, start, timedelta(hours=4))
    assert due == start.astimezone(UTC) + timedelta(hours=4)
    assert due.astimezone(TORONTO).hour == 4  # 23:00 + 4 real hours reads 04:00 EDT
    fall = local(2026, 11, 1, 0, 30)
    assert business_time_between(always, fall, local(2026, 11, 1, 3, 30)) == timedelta(hours=4)


def test_a_shift_straddling_the_jump_is_an_hour_shorter() -> None:
    night = BusinessCalendar.from_config("night", Calendar(hours={"sun": ["00:00-06:00"]}))
    day = date(2026, 3, 8)
    ((start, end),) = night.day_intervals(day)
    assert end - start == timedelta(hours=5)


def test_pauses_stop_the_clock(office: BusinessCalendar) -> None:
    start = local(2026, 1, 12, 9, 0)
    pause = (local(2026, 1, 12, 9, 15), local(2026, 1, 12, 11, 15))
    due, _ = add_business_time(office, start, timedelta(hours=1), [pause])
    assert due == local(2026, 1, 12, 12, 0)
    elapsed = business_time_between(office, start, local(2026, 1, 12, 12, 0), [pause])
    assert elapsed == timedelta(hours=1)


def test_an_open_pause_means_no_deadline(office: BusinessCalendar) -> None:
    start = local(2026, 1, 12, 9, 0)
    due, segments = add_business_time(
        office, start, timedelta(hours=1), [(local(2026, 1, 12, 9, 20), None)]
    )
    assert due is None
    assert [s.duration for s in segments] == [timedelta(minutes=20)]


def test_closed_reasons(office: BusinessCalendar) -> None:
    assert office.closed_reason(date(2026, 1, 10)) == "weekend"
    assert "holiday" in (office.closed_reason(date(2026, 9, 7)) or "")  # Labour Day
    assert office.closed_reason(date(2026, 1, 12)) is None


def test_extra_closed_days_and_other_countries() -> None:
    calendar = BusinessCalendar.from_config(
        "x",
        Calendar(
            hours=SPLIT,
            extra_closed_days=["2026-01-12"],
            holidays_country="FR",
            holidays_subdivision=None,
        ),
    )
    assert calendar.closed_reason(date(2026, 1, 12)) == "closed day"
    assert calendar.closed_reason(date(2026, 6, 24)) is None  # not a holiday in France
    assert "holiday" in (calendar.closed_reason(date(2026, 7, 14)) or "")


def test_business_days_end_at_closing_time(office: BusinessCalendar) -> None:
    # Friday + 3 business days: Monday, Tuesday, Wednesday -> Wednesday 17:00.
    assert end_of_business_day(office, local(2026, 1, 9, 16, 10), 3) == local(2026, 1, 14, 17, 0)
    # Labour Day (Monday 7 September 2026) does not count.
    assert end_of_business_day(office, local(2026, 9, 4, 10, 0), 1) == local(2026, 9, 8, 17, 0)


def test_a_calendar_that_never_opens_is_refused() -> None:
    closed = BusinessCalendar(name="never", tz=TORONTO, shifts={})
    with pytest.raises(ValueError, match="no open time"):
        add_business_time(closed, datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1))
