"""Deadline explanations as codes and parameters, so the page words them in French or English."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from events.brand import Calendar, SlaPolicy
from workflow.calendars import BusinessCalendar
from workflow.sla import HistoryEvent, Kind, Milestone, Policy, compute_deadlines

TORONTO = ZoneInfo("America/Toronto")
HOURS = {day: ["08:30-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
OFFICE = BusinessCalendar.from_config("business", Calendar(hours=HOURS))


def test_an_explanation_is_structured_and_its_english_text_follows_from_it() -> None:
    opened = datetime(2026, 1, 9, 17, 10, tzinfo=TORONTO).astimezone(UTC)  # Friday after closing
    raw = SlaPolicy(name="p", first_response="1h", resolution="3bd")
    deadlines = compute_deadlines(Policy.build(raw, OFFICE), [HistoryEvent(Kind.opened, opened)])
    first = next(d for d in deadlines if d.milestone is Milestone.first_response)
    assert first.why is not None
    why = first.why.as_dict()
    assert why["head"] == {
        "code": "due",
        "params": {"at": {"date": "2026-01-12", "weekday": 0, "time": "09:30", "tz": "EST"}},
    }
    codes = [s["code"] for s in why["steps"]]
    assert codes == ["received", "budget", "closed", "counted"]
    closed = why["steps"][2]["params"]
    assert closed["reason"] == "weekend"
    assert (closed["from"]["date"], closed["to"]["date"]) == ("2026-01-10", "2026-01-11")
    assert why["steps"][3]["params"]["minutes"] == 60
    assert first.explanation == first.why.text()
    assert first.explanation.startswith("due Mon 2026-01-12 09:30 EST: received Fri 17:10;")

    resolution = next(d for d in deadlines if d.milestone is Milestone.resolution)
    assert resolution.why is not None
    assert [s.code for s in resolution.why.steps][:2] == ["received", "budget_days"]
    assert resolution.why.steps[1].params == {"days": 3}


def test_a_holiday_is_named_in_french_and_english() -> None:
    opened = datetime(2026, 6, 23, 16, 50, tzinfo=TORONTO).astimezone(UTC)  # eve of 24 June
    raw = SlaPolicy(name="p", first_response="1h", resolution="8h")
    deadlines = compute_deadlines(Policy.build(raw, OFFICE), [HistoryEvent(Kind.opened, opened)])
    first = next(d for d in deadlines if d.milestone is Milestone.first_response)
    assert first.why is not None
    closed = next(s for s in first.why.steps if s.code == "closed")
    assert closed.params["reason"] == "holiday"
    assert closed.params["holiday_names"]["fr"] == "Fête nationale du Québec"
    assert "Baptist" in closed.params["holiday_names"]["en"]
    assert f"(holiday: {closed.params['holiday']})" in first.explanation
