"""SLA arithmetic: which policy applies, deadlines derived from a task's history, and their state.

Pure functions. A task's deadlines are never stored as the truth: they are recomputed from its
history (opened, customer posts, responses, waiting/resumed, closed/reopened), so a pause or a
calendar change gives the right answer. Critical tasks run on clock time (24/7) whatever the
policy's calendar says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from events.brand import BrandConfig, SlaPolicy, parse_duration
from events.schemas import Severity
from workflow.calendars import (
    BusinessCalendar,
    Pause,
    add_business_time,
    business_time_between,
    end_of_business_day,
)
from workflow.explain import Explanation, explain_business_days, explain_deadline

__all__ = [
    "DEFAULT_POLICY",
    "Deadline",
    "HistoryEvent",
    "Kind",
    "Milestone",
    "Policy",
    "SlaState",
    "compute_deadlines",
    "governing",
    "ladder_points",
    "select_policy",
]

DEFAULT_POLICY = SlaPolicy(name="default", first_response="4h", resolution="48h")
"""Used when no policy of the brand configuration matches a task (never silently no deadline)."""


class Milestone(StrEnum):
    first_response = "first_response"
    next_response = "next_response"
    resolution = "resolution"


class Kind(StrEnum):
    """What happened to a task, as far as its deadlines care."""

    opened = "opened"
    post = "post"  # a new post from outside joined the case
    response = "response"  # someone on the team acted on it (acknowledge, note, wait...)
    waiting = "waiting"
    resumed = "resumed"
    closed = "closed"  # resolved or dismissed
    reopened = "reopened"


class SlaState(StrEnum):
    ok = "ok"
    at_risk = "at_risk"
    breached = "breached"
    paused = "paused"
    met = "met"


@dataclass(frozen=True)
class HistoryEvent:
    kind: Kind
    at: datetime


@dataclass(frozen=True)
class Budget:
    text: str
    duration: timedelta
    business_days: bool

    @classmethod
    def parse(cls, text: str) -> Budget:
        duration, business_days = parse_duration(text)
        return cls(text, duration, business_days)


@dataclass(frozen=True)
class Policy:
    """An SLA policy resolved against its calendar, ready for arithmetic."""

    name: str
    calendar: BusinessCalendar
    first_response: Budget
    next_response: Budget | None
    resolution: Budget
    at_risk_ratio: float
    escalation: tuple[str, ...]

    @classmethod
    def build(cls, policy: SlaPolicy, calendar: BusinessCalendar) -> Policy:
        return cls(
            name=policy.name,
            calendar=calendar,
            first_response=Budget.parse(policy.first_response),
            next_response=Budget.parse(policy.next_response) if policy.next_response else None,
            resolution=Budget.parse(policy.resolution),
            at_risk_ratio=policy.at_risk_ratio,
            escalation=tuple(policy.escalation),
        )


@dataclass(frozen=True)
class Deadline:
    milestone: Milestone
    started_at: datetime
    budget: str
    due_at: datetime | None
    at_risk_at: datetime | None
    met_at: datetime | None
    explanation: str
    business_total: timedelta | None = None
    why: Explanation | None = None
    """The explanation as codes and parameters, for the page to word in its language."""

    def state(self, now: datetime) -> SlaState:
        if self.met_at is not None:
            return SlaState.met
        if self.due_at is None:
            return SlaState.paused
        if now >= self.due_at:
            return SlaState.breached
        if self.at_risk_at is not None and now >= self.at_risk_at:
            return SlaState.at_risk
        return SlaState.ok

    @property
    def met_late(self) -> bool:
        return self.met_at is not None and self.due_at is not None and self.met_at > self.due_at


def select_policy(
    config: BrandConfig, *, team: str, label: str, severity: Severity | None
) -> SlaPolicy:
    """The first policy matching the task's team, label and severity (file order)."""
    for policy in config.sla_policies:
        if policy.teams and team not in policy.teams:
            continue
        if policy.labels and label not in policy.labels:
            continue
        if policy.severity and severity not in policy.severity:
            continue
        return policy
    return DEFAULT_POLICY


def pauses_of(history: Sequence[HistoryEvent]) -> list[Pause]:
    """Spans when the clock stops: waiting (until resumed or closed), closed (until reopened)."""
    pauses: list[Pause] = []
    since: datetime | None = None
    for event in history:
        if event.kind in (Kind.waiting, Kind.closed) and since is None:
            since = event.at  # waiting then closed: still one pause
        elif event.kind in (Kind.resumed, Kind.reopened) and since is not None:
            pauses.append((since, event.at))
            since = None
    if since is not None:
        pauses.append((since, None))
    return pauses


def compute_deadlines(
    policy: Policy, history: Sequence[HistoryEvent], *, critical: bool = False, explain: bool = True
) -> list[Deadline]:
    """First response, the current next response (if any) and resolution, from the history."""
    calendar = _always(policy.calendar) if critical else policy.calendar
    history = sorted(history, key=lambda e: e.at)
    opened = next((e.at for e in history if e.kind is Kind.opened), None)
    if opened is None:
        raise ValueError("a task history starts with an 'opened' event")
    pauses = pauses_of(history)
    closed_at = _closed_at(history)
    first_met = next((e.at for e in history if e.kind in (Kind.response, Kind.closed)), None)
    deadlines = [
        _deadline(
            Milestone.first_response,
            policy,
            calendar,
            opened,
            policy.first_response,
            pauses,
            first_met,
            explain,
        ),
    ]
    if policy.next_response is not None:
        pending = _next_response_window(history)
        if pending is not None:
            start, met = pending
            deadlines.append(
                _deadline(
                    Milestone.next_response,
                    policy,
                    calendar,
                    start,
                    policy.next_response,
                    pauses,
                    met,
                    explain,
                )
            )
    deadlines.append(
        _deadline(
            Milestone.resolution,
            policy,
            calendar,
            opened,
            policy.resolution,
            pauses,
            closed_at,
            explain,
        )
    )
    return deadlines


def governing(deadlines: Sequence[Deadline]) -> Deadline | None:
    """The deadline that matters now: the earliest unmet one (a paused one if all are paused)."""
    unmet = [d for d in deadlines if d.met_at is None]
    running = [d for d in unmet if d.due_at is not None]
    if running:
        return min(running, key=lambda d: d.due_at)  # type: ignore[arg-type,return-value]
    return unmet[0] if unmet else None


def ladder_points(
    policy: Policy, deadline: Deadline, history: Sequence[HistoryEvent], *, critical: bool = False
) -> list[datetime]:
    """When each rung of the ladder is reached: at risk, breach, then one per further step.

    Rung k is at fraction f_k of the budget: f_0 = at_risk_ratio, f_1 = 1,
    then f_k = 1 + (k - 1)(1 - at_risk_ratio).
    """
    if deadline.due_at is None or deadline.met_at is not None or deadline.business_total is None:
        return []
    calendar = _always(policy.calendar) if critical else policy.calendar
    pauses = pauses_of(sorted(history, key=lambda e: e.at))
    rungs = max(2, len(policy.escalation))
    points = []
    for k in range(rungs):
        fraction = policy.at_risk_ratio if k == 0 else 1 + (k - 1) * (1 - policy.at_risk_ratio)
        at, _ = add_business_time(
            calendar, deadline.started_at, deadline.business_total * fraction, pauses
        )
        if at is None:
            return points
        points.append(at)
    return points


def _always(calendar: BusinessCalendar) -> BusinessCalendar:
    return BusinessCalendar(
        name=f"{calendar.name} (24/7: critical)", tz=calendar.tz, always_open=True
    )


def _closed_at(history: Sequence[HistoryEvent]) -> datetime | None:
    """When the task closed, if it is closed now."""
    closed: datetime | None = None
    for event in history:
        if event.kind is Kind.closed:
            closed = closed or event.at
        elif event.kind is Kind.reopened:
            closed = None
    return closed


def _next_response_window(
    history: Sequence[HistoryEvent],
) -> tuple[datetime, datetime | None] | None:
    """The latest (customer post, answer) pair after the first response; answer None if pending."""
    responded = False
    window: tuple[datetime, datetime | None] | None = None
    pending: datetime | None = None
    for event in history:
        if event.kind in (Kind.response, Kind.closed):
            if pending is not None:
                window, pending = (pending, event.at), None
            responded = True
        elif event.kind is Kind.post and responded and pending is None:
            pending = event.at
    if pending is not None:
        return pending, None
    return window


def _deadline(
    milestone: Milestone,
    policy: Policy,
    calendar: BusinessCalendar,
    start: datetime,
    budget: Budget,
    pauses: list[Pause],
    met_at: datetime | None,
    explain: bool,
) -> Deadline:
    relevant = [p for p in pauses if met_at is None or p[0] < met_at]
    if budget.business_days:
        return _business_days_deadline(
            milestone, policy, calendar, start, budget, relevant, met_at, explain
        )
    due, segments = add_business_time(calendar, start, budget.duration, relevant)
    at_risk = None
    if due is not None:
        at_risk, _ = add_business_time(
            calendar, start, budget.duration * policy.at_risk_ratio, relevant
        )
    why = (
        explain_deadline(
            calendar, start=start, due=due, budget=budget.text, segments=segments, pauses=relevant
        )
        if explain
        else None
    )
    text = why.text() if why else ""
    return Deadline(milestone, start, budget.text, due, at_risk, met_at, text, budget.duration, why)


def _business_days_deadline(
    milestone: Milestone,
    policy: Policy,
    calendar: BusinessCalendar,
    start: datetime,
    budget: Budget,
    pauses: list[Pause],
    met_at: datetime | None,
    explain: bool,
) -> Deadline:
    days = max(1, round(budget.duration / timedelta(days=1)))
    base = end_of_business_day(calendar, start, days)
    due: datetime | None = base
    if any(end is None for _, end in pauses):
        due = None
    else:
        paused = sum(
            (business_time_between(calendar, a, min(b, base)) for a, b in pauses if b and a < base),
            timedelta(0),
        )
        if paused:
            due, _ = add_business_time(calendar, base, paused)
    total = business_time_between(calendar, start, due, pauses) if due else None
    at_risk = None
    if due is not None and total is not None:
        at_risk, _ = add_business_time(calendar, start, total * policy.at_risk_ratio, pauses)
    why = (
        explain_business_days(calendar, start=start, due=due, days=days, pauses=pauses)
        if explain
        else None
    )
    text = why.text() if why else ""
    return Deadline(milestone, start, budget.text, due, at_risk, met_at, text, total, why)
