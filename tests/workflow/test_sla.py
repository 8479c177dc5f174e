"""SLA policies and deadlines derived from a task's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.brand import BrandConfig, Calendar, SlaPolicy
from events.schemas import Severity
from workflow.calendars import BusinessCalendar
from workflow.sla import (
    DEFAULT_POLICY,
    HistoryEvent,
    Kind,
    Milestone,
    Policy,
    SlaState,
    compute_deadlines,
    governing,
    ladder_points,
    select_policy,
)

TORONTO = ZoneInfo("America/Toronto")
HOURS = {day: ["08:30-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
OFFICE = BusinessCalendar.from_config("business", Calendar(hours=HOURS))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO).astimezone(UTC)


def policy(**overrides: object) -> Policy:
    raw = SlaPolicy(
        **(
            {"name": "p", "first_response": "1h", "next_response": "2h", "resolution": "8h"}
            | overrides
        )
    )
    return Policy.build(raw, OFFICE)


def history(*events: tuple[Kind, datetime]) -> list[HistoryEvent]:
    return [HistoryEvent(kind, at) for kind, at in events]


def by_milestone(deadlines: list) -> dict[Milestone, object]:
    return {d.milestone: d for d in deadlines}


@pytest.mark.parametrize(
    ("team", "label", "severity", "expected"),
    [
        ("pr", "press_inquiry", Severity.high, "press"),
        ("customer_care", "complaint", Severity.normal, "complaint"),
        ("legal", "risky_disclosure", Severity.critical, "critical-disclosure"),
        ("triage", "triage", Severity.normal, "triage"),
        ("hr", "missing_disclaimer", Severity.low, "disclaimer"),
        ("customer_care", "personal_data_exposed", Severity.high, "personal-data"),
    ],
)
def test_policy_selection_follows_the_brand_file(
    brand: BrandConfig, team: str, label: str, severity: Severity, expected: str
) -> None:
    assert select_policy(brand, team=team, label=label, severity=severity).name == expected


def test_no_matching_policy_falls_back_to_the_default(brand: BrandConfig) -> None:
    narrow = brand.model_copy(update={"sla_policies": [brand.sla_policies[0]]})
    assert select_policy(narrow, team="hr", label="complaint", severity=None) is DEFAULT_POLICY


def test_first_response_and_resolution_with_explanations() -> None:
    opened = local(2026, 1, 9, 17, 10)  # Friday after closing
    deadlines = by_milestone(compute_deadlines(policy(), history((Kind.opened, opened))))
    first = deadlines[Milestone.first_response]
    assert first.due_at == local(2026, 1, 12, 9, 30)
    assert first.at_risk_at == local(2026, 1, 12, 9, 15)  # 75 % of the hour
    assert first.explanation.startswith("due Mon 2026-01-12 09:30 EST")
    assert "closed Sat 01-10-Sun 01-11 (weekend)" in first.explanation
    assert "1 h Mon 08:30-09:30" in first.explanation
    # 8 h: 7 h 30 min on Monday (split shift), 30 min on Tuesday.
    assert deadlines[Milestone.resolution].due_at == local(2026, 1, 13, 9, 0)
    assert Milestone.next_response not in deadlines  # nobody answered, no customer follow-up yet


def test_states_move_from_ok_to_at_risk_to_breached() -> None:
    opened = local(2026, 1, 12, 9, 0)
    first = compute_deadlines(policy(), history((Kind.opened, opened)))[0]
    assert first.state(opened) is SlaState.ok
    assert first.state(local(2026, 1, 12, 9, 50)) is SlaState.at_risk
    assert first.state(local(2026, 1, 12, 10, 0)) is SlaState.breached


def test_waiting_pauses_every_clock_and_resuming_restarts_it() -> None:
    opened = local(2026, 1, 12, 9, 0)
    paused = history(
        (Kind.opened, opened),
        (Kind.response, local(2026, 1, 12, 9, 10)),
        (Kind.waiting, local(2026, 1, 12, 9, 10)),
    )
    resolution = by_milestone(compute_deadlines(policy(), paused))[Milestone.resolution]
    assert resolution.due_at is None and resolution.state(local(2026, 1, 20)) is SlaState.paused
    assert resolution.explanation.startswith("paused:")
    resumed = paused + history((Kind.resumed, local(2026, 1, 13, 9, 0)))
    resolution = by_milestone(compute_deadlines(policy(), resumed))[Milestone.resolution]
    # 10 minutes Monday, then 7 h 50 min from Tuesday 09:00 -> Wednesday 09:20.
    assert resolution.due_at == local(2026, 1, 14, 9, 20)
    assert "clock stopped 23 h 50 min" in resolution.explanation


def test_a_late_answer_is_met_late() -> None:
    opened = local(2026, 1, 12, 9, 0)
    late = history((Kind.opened, opened), (Kind.response, local(2026, 1, 12, 11, 0)))
    first = compute_deadlines(policy(), late)[0]
    assert first.met_at == local(2026, 1, 12, 11, 0) and first.met_late
    assert first.state(local(2026, 1, 12, 11, 0)) is SlaState.met


def test_next_response_runs_from_the_customers_follow_up() -> None:
    events = history(
        (Kind.opened, local(2026, 1, 12, 9, 0)),
        (Kind.response, local(2026, 1, 12, 9, 5)),
        (Kind.post, local(2026, 1, 12, 11, 0)),
    )
    nxt = by_milestone(compute_deadlines(policy(), events))[Milestone.next_response]
    assert nxt.started_at == local(2026, 1, 12, 11, 0)
    assert nxt.due_at == local(2026, 1, 12, 14, 0)  # 2 h of business time over the lunch break
    assert nxt.met_at is None
    answered = events + history((Kind.response, local(2026, 1, 12, 11, 30)))
    nxt = by_milestone(compute_deadlines(policy(), answered))[Milestone.next_response]
    assert nxt.met_at == local(2026, 1, 12, 11, 30) and not nxt.met_late


def test_closing_then_reopening_does_not_count_the_closed_time() -> None:
    events = history(
        (Kind.opened, local(2026, 1, 12, 9, 0)),
        (Kind.closed, local(2026, 1, 12, 10, 0)),
        (Kind.reopened, local(2026, 1, 13, 9, 0)),
    )
    resolution = by_milestone(compute_deadlines(policy(), events))[Milestone.resolution]
    assert resolution.met_at is None
    assert resolution.due_at == local(2026, 1, 13, 17, 0)  # 1 h Monday + 7 h Tuesday (lunch off)


def test_critical_tasks_run_around_the_clock() -> None:
    opened = local(2026, 1, 9, 17, 10)  # Friday evening: the office is closed
    first = compute_deadlines(policy(), history((Kind.opened, opened)), critical=True)[0]
    assert first.due_at == opened + timedelta(hours=1)
    assert "clock time" in first.explanation


def test_business_day_budgets() -> None:
    days = policy(first_response="3bd", resolution="10bd", next_response=None)
    deadlines = by_milestone(
        compute_deadlines(days, history((Kind.opened, local(2026, 1, 9, 16, 10))))
    )
    assert deadlines[Milestone.first_response].due_at == local(2026, 1, 14, 17, 0)
    assert deadlines[Milestone.resolution].due_at == local(2026, 1, 23, 17, 0)
    assert deadlines[Milestone.first_response].at_risk_at < local(2026, 1, 14, 17, 0)


def test_governing_deadline_and_the_escalation_ladder() -> None:
    raw = policy(escalation=["notify_assignee", "notify_lead", "reassign"])
    events = history((Kind.opened, local(2026, 1, 12, 9, 0)))
    deadlines = compute_deadlines(raw, events)
    current = governing(deadlines)
    assert current is not None and current.milestone is Milestone.first_response
    points = ladder_points(raw, current, events)
    assert points == [
        local(2026, 1, 12, 9, 45),
        local(2026, 1, 12, 10, 0),
        local(2026, 1, 12, 10, 15),
    ]


def test_history_must_start_with_opened() -> None:
    with pytest.raises(ValueError, match="opened"):
        compute_deadlines(policy(), history((Kind.response, local(2026, 1, 12, 9, 0))))
