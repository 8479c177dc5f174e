"""Deadline explanations a person can check: where the business time went, and why it stopped.

An explanation is structured: a head (due at a moment, or paused) and steps, each a code with
parameters (local moments, minutes, closed-day reasons), so the page words it in the reader's
language. `Explanation.text()` words it in English for logs, the CLI and the API's `explanation`:

"due Mon 2026-01-12 08:50 EST: received Fri 17:10; budget 1h of business time (calendar
business, America/Toronto); 50 min Fri 17:10-18:00; closed Sat-Sun (weekend); 10 min Mon
08:30-08:40"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays

from workflow.calendars import BusinessCalendar, Pause, Segment

__all__ = [
    "Explanation",
    "Step",
    "explain_business_days",
    "explain_deadline",
    "format_duration",
    "format_moment",
]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Step:
    """One part of an explanation: a stable code and its parameters (JSON values only)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True)
class Explanation:
    """Head ("due" with a moment, or "paused") and the steps that lead to it."""

    head: Step
    steps: tuple[Step, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"head": self.head.as_dict(), "steps": [s.as_dict() for s in self.steps]}

    def text(self) -> str:
        """The explanation in English, one line."""
        body = "; ".join(_english(step) for step in self.steps)
        if self.head.code == "paused":
            return f"paused: {body}"
        return f"due {_moment_text(self.head.params['at'])}: {body}"

    def __str__(self) -> str:
        return self.text()


def moment(calendar: BusinessCalendar, at: datetime) -> dict[str, Any]:
    """A moment on the calendar's wall clock: local date, weekday (0 = Monday), time, zone."""
    local = calendar.local(at)
    return {
        "date": local.date().isoformat(),
        "weekday": local.weekday(),
        "time": local.strftime("%H:%M"),
        "tz": local.tzname() or "",
    }


def format_moment(calendar: BusinessCalendar, at: datetime, *, with_date: bool = True) -> str:
    found = moment(calendar, at)
    return _moment_text(found) if with_date else _short(found)


def format_duration(span: timedelta) -> str:
    return _minutes_text(round(span.total_seconds() / 60))


def explain_deadline(
    calendar: BusinessCalendar,
    *,
    start: datetime,
    due: datetime | None,
    budget: str,
    segments: Sequence[Segment],
    pauses: Sequence[Pause],
) -> Explanation:
    steps = [
        Step("received", {"at": moment(calendar, start)}),
        Step(
            "budget",
            {
                "budget": budget,
                "clock": calendar.always_open,
                "calendar": calendar.name,
                "tz": calendar.tz.key,
            },
        ),
    ]
    previous = start
    for segment in segments:
        steps += _gap(calendar, previous, segment.start, pauses)
        steps.append(_counted(calendar, segment))
        previous = segment.end
    if due is None:
        open_pause = next((p for p in pauses if p[1] is None), None)
        since = moment(calendar, open_pause[0]) if open_pause else None
        steps.append(Step("stopped_since", {"at": since}))
        return Explanation(Step("paused"), tuple(steps))
    return Explanation(Step("due", {"at": moment(calendar, due)}), tuple(steps))


def explain_business_days(
    calendar: BusinessCalendar,
    *,
    start: datetime,
    due: datetime | None,
    days: int,
    pauses: Sequence[Pause],
) -> Explanation:
    steps = [
        Step("received", {"at": moment(calendar, start)}),
        Step("budget_days", {"days": days}),
    ]
    if due is not None:
        steps += _closed_days(calendar, calendar.local(start).date(), calendar.local(due).date())
    paused = [p for p in pauses if p[1] is not None]
    if paused:
        steps.append(Step("pauses", {"count": len(paused)}))
    if due is None:
        steps.append(Step("stopped", {}))
        return Explanation(Step("paused"), tuple(steps))
    return Explanation(Step("due", {"at": moment(calendar, due)}), tuple(steps))


def _counted(calendar: BusinessCalendar, segment: Segment) -> Step:
    """Business time counted in one open interval; `until` says how its end reads."""
    local_a, local_b = calendar.local(segment.start), calendar.local(segment.end)
    until = "same_day"
    if local_b.date() > local_a.date():
        until = "other_day" if local_b.hour + local_b.minute else "midnight"
    return Step(
        "counted",
        {
            "minutes": round(segment.duration.total_seconds() / 60),
            "from": moment(calendar, segment.start),
            "to": moment(calendar, segment.end),
            "until": until,
        },
    )


def _gap(
    calendar: BusinessCalendar, a: datetime, b: datetime, pauses: Sequence[Pause]
) -> list[Step]:
    """Why no time counted between two moments: pauses, then whole closed days."""
    if b <= a:
        return []
    steps = []
    for p_start, p_end in pauses:
        if p_end is not None and p_start < b and p_end > a:
            stopped = min(p_end, b) - max(p_start, a)
            steps.append(Step("stopped_for", {"minutes": round(stopped.total_seconds() / 60)}))
    steps += _closed_days(calendar, calendar.local(a).date(), calendar.local(b).date())
    return steps


def _closed_days(calendar: BusinessCalendar, first: date, last: date) -> list[Step]:
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
        Step("closed", {"from": _day(a), "to": _day(b), **_reason(calendar, a, r)})
        for a, b, r in groups
    ]


def _reason(calendar: BusinessCalendar, day: date, reason: str) -> dict[str, Any]:
    """calendar.closed_reason() as a code, and the holiday's name (in French and English too)."""
    if reason.startswith("holiday: "):
        name = reason.removeprefix("holiday: ")
        names = {
            lang: _holiday_name(calendar.country, calendar.subdivision, lang, day) or name
            for lang in ("fr", "en")
        }
        return {"reason": "holiday", "holiday": name, "holiday_names": names}
    return {"reason": {"closed day": "closed_day"}.get(reason, reason)}


_HOLIDAY_LANGUAGES = {"fr": ("fr", "fr_CA", "fr_FR"), "en": ("en_CA", "en_US", "en_GB", "en")}


@lru_cache(maxsize=256)
def _holiday_name(country: str | None, subdivision: str | None, lang: str, day: date) -> str | None:
    """The holiday's name in a language the `holidays` library has for that country, if any."""
    if not country:
        return None
    table = holidays.country_holidays(country, subdiv=subdivision, years=day.year)
    supported = getattr(table, "supported_languages", ())
    chosen = next((code for code in _HOLIDAY_LANGUAGES[lang] if code in supported), None)
    if chosen is None:
        return None
    return holidays.country_holidays(
        country, subdiv=subdivision, years=day.year, language=chosen
    ).get(day)


def _day(day: date) -> dict[str, Any]:
    return {"date": day.isoformat(), "weekday": day.weekday()}


# English wording (the page has its own, in French and English, from the same codes).


def _english(step: Step) -> str:
    p = step.params
    if step.code == "received":
        return f"received {_short(p['at'])}"
    if step.code == "budget":
        kind = "clock time" if p["clock"] else "business time"
        return f"budget {p['budget']} of {kind} (calendar {p['calendar']}, {p['tz']})"
    if step.code == "budget_days":
        days = p["days"]
        return f"budget {days} business day(s): until close of the {_ordinal(days)} open day after"
    if step.code == "counted":
        end = {"same_day": p["to"]["time"], "midnight": "24:00", "other_day": _short(p["to"])}
        return f"{_minutes_text(p['minutes'])} {_short(p['from'])}-{end[p['until']]}"
    if step.code == "stopped_for":
        return f"clock stopped {_minutes_text(p['minutes'])} (waiting or closed)"
    if step.code == "closed":
        span = _day_text(p["from"]) + ("" if p["from"] == p["to"] else "-" + _day_text(p["to"]))
        reason = {"closed_day": "closed day", "holiday": f"holiday: {p.get('holiday')}"}
        return f"closed {span} ({reason.get(p['reason'], p['reason'])})"
    if step.code == "pauses":
        return f"plus {p['count']} pause(s) while waiting"
    if step.code == "stopped_since":
        since = _short(p["at"]) if p["at"] else "now"
        return f"clock stopped since {since} (waiting)"
    if step.code == "stopped":
        return "clock stopped (waiting)"
    raise ValueError(f"no wording for step {step.code!r}")


def _moment_text(at: dict[str, Any]) -> str:
    return f"{_WEEKDAYS[at['weekday']]} {at['date']} {at['time']} {at['tz']}".rstrip()


def _short(at: dict[str, Any]) -> str:
    return f"{_WEEKDAYS[at['weekday']]} {at['time']}"


def _day_text(day: dict[str, Any]) -> str:
    return f"{_WEEKDAYS[day['weekday']]} {day['date'][5:]}"


def _minutes_text(total: int) -> str:
    hours, minutes = divmod(total, 60)
    if hours and minutes:
        return f"{hours} h {minutes:02d} min"
    return f"{hours} h" if hours else f"{minutes} min"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
