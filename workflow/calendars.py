"""Business-time arithmetic on a team calendar: open intervals, elapsed time, deadlines.

Pure functions. All arithmetic happens in UTC on intervals built from local shifts, so a DST
change shortens or lengthens only the shifts that really straddle it. Pauses (a task waiting on
the customer) are removed from the open intervals before any time is counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from events.brand import Calendar

__all__ = [
    "BusinessCalendar",
    "Interval",
    "Pause",
    "Segment",
    "active_intervals",
    "add_business_time",
    "business_time_between",
    "end_of_business_day",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 400
"""How far ahead a deadline is searched; a calendar open less than that is a configuration error."""

Interval = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]
"""A paused span; an open end means the clock is stopped right now."""


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours of a team: shifts per weekday, holidays, a time zone, or around the clock."""

    name: str
    tz: ZoneInfo
    always_open: bool = False
    shifts: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    country: str | None = None
    subdivision: str | None = None
    closed_days: frozenset[date] = frozenset()

    @classmethod
    def from_config(cls, name: str, calendar: Calendar) -> BusinessCalendar:
        shifts = {
            DAYS.index(day): tuple(_parse_shift(s) for s in sorted(spans))
            for day, spans in calendar.hours.items()
            if spans
        }
        return cls(
            name=name,
            tz=ZoneInfo(calendar.timezone),
            always_open=calendar.always_open or not shifts,
            shifts=shifts,
            country=calendar.holidays_country,
            subdivision=calendar.holidays_subdivision,
            closed_days=frozenset(date.fromisoformat(d) for d in calendar.extra_closed_days),
        )

    @cached_property
    def _holidays(self) -> Any:
        if not self.country:
            return {}
        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def closed_reason(self, day: date) -> str | None:
        """Why the office is closed all day (holiday, closed day, weekend), None when it opens."""
        if self.always_open:
            return None
        if day in self.closed_days:
            return "closed day"
        name = self._holidays.get(day)
        if name:
            return f"holiday: {name}"
        if not self.shifts.get(day.weekday()):
            return "weekend" if day.weekday() >= 5 else "closed"
        return None

    def day_intervals(self, day: date) -> list[Interval]:
        """The open intervals of one local date, in UTC."""
        if self.always_open:
            start = datetime.combine(day, time(0), self.tz)
            end = datetime.combine(day + timedelta(days=1), time(0), self.tz)
            return [(start.astimezone(UTC), end.astimezone(UTC))]
        if self.closed_reason(day):
            return []
        return [
            (_local(day, a, self.tz), _local(day, b, self.tz))
            for a, b in self.shifts[day.weekday()]
        ]

    def intervals_from(self, start: datetime) -> Iterator[Interval]:
        """Open intervals (clipped) from `start` on, for HORIZON_DAYS local days."""
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        for _ in range(HORIZON_DAYS + 2):
            for a, b in self.day_intervals(day):
                if b > start:
                    yield max(a, start), b
            day += timedelta(days=1)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


@dataclass(frozen=True)
class Segment:
    """Business time consumed in one open interval, for explanations."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def _utc(moment: datetime) -> datetime:
    """Arithmetic on aware local datetimes is wall-clock arithmetic: always work in UTC."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware time")
    return moment.astimezone(UTC)


def _parse_shift(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return _parse_time(start), _parse_time(end)


def _parse_time(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    return time.max if hours == 24 else time(hours, minutes)


def _local(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """A local wall time as UTC; 24:00 means the start of the next day."""
    if moment == time.max:
        local = datetime.combine(day + timedelta(days=1), time(0), tz)
    else:
        local = datetime.combine(day, moment, tz)
    return local.astimezone(UTC)


def active_intervals(
    calendar: BusinessCalendar, start: datetime, pauses: Sequence[Pause] = ()
) -> Iterator[Interval]:
    """Open intervals from `start`, minus pauses; stops at an open-ended pause."""
    start = _utc(start)
    ordered = sorted(((_utc(a), _utc(b) if b else None) for a, b in pauses), key=lambda p: p[0])
    for a, b in calendar.intervals_from(start):
        for p_start, p_end in ordered:
            if p_end is not None and p_end <= a:
                continue
            if p_start >= b:
                break
            if p_start > a:
                yield a, p_start
            if p_end is None:
                return
            a = max(a, p_end)
            if a >= b:
                break
        if a < b:
            yield a, b


def add_business_time(
    calendar: BusinessCalendar,
    start: datetime,
    budget: timedelta,
    pauses: Sequence[Pause] = (),
) -> tuple[datetime | None, list[Segment]]:
    """When `budget` of business time after `start` runs out, and where it was spent.

    None when the clock is stopped (an open pause) before the budget is used.
    """
    start, left = _utc(start), budget
    segments: list[Segment] = []
    for a, b in active_intervals(calendar, start, pauses):
        span = b - a
        if span >= left:
            segments.append(Segment(a, a + left))
            return a + left, segments
        segments.append(Segment(a, b))
        left -= span
    if any(p_end is None for _, p_end in pauses):
        return None, segments
    raise ValueError(f"calendar {calendar.name!r} has no open time within {HORIZON_DAYS} days")


def business_time_between(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> timedelta:
    """Business time elapsed from `start` to `end`, pauses excluded."""
    start, end, total = _utc(start), _utc(end), timedelta(0)
    if end <= start:
        return total
    for a, b in active_intervals(calendar, start, pauses):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def end_of_business_day(calendar: BusinessCalendar, start: datetime, days: int) -> datetime:
    """Close of the `days`-th open day after the local date of `start` (business-day budgets)."""
    day = calendar.local(start).date()
    counted = 0
    for _ in range(HORIZON_DAYS):
        day += timedelta(days=1)
        intervals = calendar.day_intervals(day)
        if intervals:
            counted += 1
            if counted >= days:
                return intervals[-1][1]
    raise ValueError(f"calendar {calendar.name!r} has no open time within {HORIZON_DAYS} days")
