"""Deadline explanations a person can check: where the business time went, and why it stopped.

"due Mon 2026-01-12 08:50 EST: received Fri 17:10; budget 1h of business time (calendar
business, America/Toronto); 50 min Fri 17:10-18:00; closed Sat-Sun (weekend); 10 min Mon
08:30-08:40"
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from workflow.calendars import BusinessCalendar, Pause, Segment

__all__ = ["explain_business_days", "explain_deadline", "format_duration", "format_moment"]


def format_moment(calendar: BusinessCalendar, moment: datetime, *, with_date: bool = True) -> str:
    local = calendar.local(moment)
    if with_date:
        return local.strftime("%a %Y-%m-%d %H:%M ") + (local.tzname() or "")
    return local.strftime("%a %H:%M")


def format_duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes:02d} min"
    return f"{hours} h" if hours else f"{minutes} min"


def explain_deadline(
    calendar: BusinessCalendar,
    *,
    start: datetime,
    due: datetime | None,
    budget: str,
    segments: Sequence[Segment],
    pauses: Sequence[Pause],
) -> str:
    kind = "clock time" if calendar.always_open else "business time"
    steps = [
        f"received {format_moment(calendar, start, with_date=False)}",
        f"budget {budget} of {kind} (calendar {calendar.name}, {calendar.tz.key})",
    ]
    previous = start
    for segment in segments:
        steps += _gap(calendar, previous, segment.start, pauses)
        steps.append(
            f"{format_duration(segment.duration)} {_span(calendar, segment.start, segment.end)}"
        )
        previous = segment.end
    if due is None:
        open_pause = next((p for p in pauses if p[1] is None), None)
        since = format_moment(calendar, open_pause[0], with_date=False) if open_pause else "now"
        steps.append(f"clock stopped since {since} (waiting)")
        return "paused: " + "; ".join(steps)
    return f"due {format_moment(calendar, due)}: " + "; ".join(steps)


def explain_business_days(
    calendar: BusinessCalendar,
    *,
    start: datetime,
    due: datetime | None,
    days: int,
    pauses: Sequence[Pause],
) -> str:
    steps = [
        f"received {format_moment(calendar, start, with_date=False)}",
        f"budget {days} business day(s): until close of the {_ordinal(days)} open day after",
    ]
    if due is not None:
        steps += _closed_days(calendar, calendar.local(start).date(), calendar.local(due).date())
    paused = [p for p in pauses if p[1] is not None]
    if paused:
        steps.append(f"plus {len(paused)} pause(s) while waiting")
    if due is None:
        return "paused: " + "; ".join(steps + ["clock stopped (waiting)"])
    return f"due {format_moment(calendar, due)}: " + "; ".join(steps)


def _span(calendar: BusinessCalendar, a: datetime, b: datetime) -> str:
    local_a, local_b = calendar.local(a), calendar.local(b)
    end = local_b.strftime("%H:%M") if local_b.date() == local_a.date() else "24:00"
    if local_b.date() > local_a.date() and local_b.time().hour + local_b.time().minute:
        end = local_b.strftime("%a %H:%M")
    return f"{local_a.strftime('%a %H:%M')}-{end}"


def _gap(
    calendar: BusinessCalendar, a: datetime, b: datetime, pauses: Sequence[Pause]
) -> list[str]:
    """Why no time counted between two moments: pauses, then whole closed days."""
    if b <= a:
        return []
    steps = []
    for p_start, p_end in pauses:
        if p_end is not None and p_start < b and p_end > a:
            stopped = format_duration(min(p_end, b) - max(p_start, a))
            steps.append(f"clock stopped {stopped} (waiting or closed)")
    steps += _closed_days(calendar, calendar.local(a).date(), calendar.local(b).date())
    return steps


def _closed_days(calendar: BusinessCalendar, first: date, last: date) -> list[str]:
    """Whole closed days strictly between two local dates, grouped by reason."""
    groups: list[tuple[date, date, str]] = []
    day = first + timedelta(days=1)
    while day < last:
        reason = calendar.closed_reason(day)
        if reason:
            if groups and groups[-1][2] == reason and groups[-1][1] == day - timedelta(days=1):
                groups[-1] = (groups[-1][0], day, reason)
            else:
                groups.append((day, day, reason))
        day += timedelta(days=1)
    return [
        f"closed {_day(a)}{'' if a == b else '-' + _day(b)} ({reason})" for a, b, reason in groups
    ]


def _day(day: date) -> str:
    return day.strftime("%a %m-%d")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
