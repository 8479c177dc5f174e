"""The brand configuration as the workflow uses it: calendars, SLA policies, a task's deadlines.

`refresh_sla` is where a task's stored SLA columns (next deadline, state, next clock check) are
recomputed from its history; intake, the API's actions and the SLA clock all go through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cached_property

from events.brand import BrandConfig
from events.schemas import Severity
from workflow.calendars import BusinessCalendar
from workflow.models import FAR_FUTURE, Case, Task
from workflow.sla import (
    Deadline,
    HistoryEvent,
    Policy,
    SlaState,
    compute_deadlines,
    governing,
    ladder_points,
    select_policy,
)
from workflow.transitions import OPEN_STATES

__all__ = ["HIGH_RISK", "PolicyBook", "refresh_case_sla", "refresh_sla"]

_WORST = [SlaState.breached, SlaState.at_risk, SlaState.ok, SlaState.paused, SlaState.met]
HIGH_RISK = ("risky_disclosure", "investor_sensitive")
"""Labels whose cases close only after a second person's review, unless configured otherwise."""


class PolicyBook:
    """Calendars and policies of one brand configuration, built once and cached."""

    def __init__(
        self,
        config: BrandConfig,
        *,
        restricted_teams: Sequence[str] = ("legal",),
        review_labels: Sequence[str] = HIGH_RISK,
    ) -> None:
        self.config = config
        self.restricted_teams = frozenset(restricted_teams)
        self.review_labels = frozenset(review_labels)
        self._policies: dict[tuple[str, str, str], Policy] = {}

    @cached_property
    def calendars(self) -> dict[str, BusinessCalendar]:
        return {
            name: BusinessCalendar.from_config(name, c) for name, c in self.config.calendars.items()
        }

    @cached_property
    def _shifts(self) -> dict[tuple[str, str | None], BusinessCalendar]:
        """(team, member) -> the hours that member works; (team, None): the team's default,
        present only when the team assigns on shift only."""
        shifts: dict[tuple[str, str | None], BusinessCalendar] = {}
        for team in self.config.teams:
            if team.on_shift_only and team.calendar in self.calendars:
                shifts[(team.id, None)] = self.calendars[team.calendar]
            for member in team.members:
                if member.hours in self.calendars:
                    shifts[(team.id, member.id)] = self.calendars[member.hours]  # type: ignore[index]
        return shifts

    def on_shift(self, team: str, member: str, now: datetime) -> bool:
        """Whether the member works at `now`: within their own hours, else the team calendar's
        when the team assigns on shift only; always, for a team that does not."""
        calendar = self._shifts.get((team, member)) or self._shifts.get((team, None))
        if calendar is None:
            return True
        return any(a <= now < b for a, b in calendar.day_intervals(calendar.local(now).date()))

    def copy_grants(self, teams: frozenset[str]) -> frozenset[tuple[str, str]]:
        """(restricted team, team of `teams`) pairs where a routing rule giving the restricted
        team its cases names that team in copy: the configuration chose to share them with it."""
        return frozenset(
            (rule.team, copy)
            for rule in self.config.routing
            if rule.team in self.restricted_teams
            for copy in rule.copy_to
            if copy in teams
        )

    def copy_notes(self, teams: frozenset[str]) -> frozenset[str]:
        """Those of `teams` that may add notes to cases they are only in copy of."""
        return frozenset(t.id for t in self.config.teams if t.copy_notes and t.id in teams)

    def policy(self, *, team: str, label: str, severity: str) -> Policy:
        key = (team, label, severity)
        if key not in self._policies:
            raw = select_policy(self.config, team=team, label=label, severity=Severity(severity))
            calendar = self.calendars.get(raw.calendar) or next(iter(self.calendars.values()))
            self._policies[key] = Policy.build(raw, calendar)
        return self._policies[key]

    def task_policy(self, task: Task) -> Policy:
        return self.policy(team=task.team_id, label=task.label, severity=task.severity)

    def deadlines(
        self, task: Task, history: Sequence[HistoryEvent], *, explain: bool = True
    ) -> list[Deadline]:
        return compute_deadlines(
            self.task_policy(task),
            history,
            critical=task.severity == Severity.critical.value,
            explain=explain,
        )


def refresh_sla(
    task: Task, history: Sequence[HistoryEvent], book: PolicyBook, now: datetime
) -> list[Deadline]:
    """Recompute the task's SLA columns from its history; returns the deadlines."""
    deadlines = book.deadlines(task, history, explain=False)
    current = governing(deadlines)
    if current is None or task.state not in OPEN_STATES:
        task.sla_due = None
        task.sla_state = _closed_state(deadlines).value
        task.next_check_at = None
        return deadlines
    key = f"{current.milestone.value}@{current.started_at.isoformat()}"
    if key != task.escalation_key:
        task.escalation_key, task.escalation_level = key, 0
    task.sla_due = current.due_at
    task.sla_state = current.state(now).value
    points = ladder_points(
        book.task_policy(task), current, history, critical=task.severity == Severity.critical.value
    )
    pending = points[task.escalation_level :]
    task.next_check_at = pending[0] if pending else None
    return deadlines


def _closed_state(deadlines: Sequence[Deadline]) -> SlaState:
    """A closed task met its SLA unless some deadline was met late."""
    return SlaState.breached if any(d.met_late for d in deadlines) else SlaState.met


def refresh_case_sla(case: Case, tasks: Sequence[Task]) -> None:
    """The case's queue columns: nearest open deadline and worst SLA state of its open tasks."""
    open_tasks = [t for t in tasks if t.state in OPEN_STATES]
    dues = [t.sla_due for t in open_tasks if t.sla_due is not None]
    case.sla_due = min(dues) if dues else None
    case.sort_due = case.sla_due or FAR_FUTURE
    states = [SlaState(t.sla_state) for t in (open_tasks or tasks)]
    case.sla_state = min(states, key=_WORST.index).value if states else SlaState.ok.value
