"""What a batch of verdicts does to each touched case, computed in memory before it is written.

Posts join cases, labels and teams grow, tasks hear about new posts (a waiting task resumes, a
closed one reopens), SLA columns are recomputed; rows that need database ids (posts, labels,
teams, audit, outbox) are deferred until the cases and tasks have them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlmodel import Session

from events.schemas import CaseEventType, Severity, Verdict
from workflow.book import PolicyBook, refresh_case_sla, refresh_sla
from workflow.intake_posts import post_record
from workflow.models import Case, CaseLabel, CaseTeam, PostRecord, Task
from workflow.records import RowBuffer, audit, emit, histories, task_snapshot
from workflow.routing import TRIAGE, TaskPlan
from workflow.sla import HistoryEvent, Kind
from workflow.transitions import CLOSED_STATES, State, case_state

__all__ = ["CaseWork", "apply_contributions"]

SEARCH_CHARS = 4000


@dataclass
class CaseWork:
    """What one batch does to one case."""

    case: Case
    is_new: bool
    contributions: list[tuple[Verdict, list[TaskPlan]]] = field(default_factory=list)
    tasks: dict[str, Task] = field(default_factory=dict)
    new_tasks: dict[str, int] = field(default_factory=dict)  # team -> contribution that opened it
    teams: dict[str, str] = field(default_factory=dict)
    stored_teams: dict[str, str] = field(default_factory=dict)  # as in the database before
    concerns: set[str] = field(default_factory=set)


def apply_contributions(
    session: Session, book: PolicyBook, works: list[CaseWork], rows: RowBuffer, now: datetime
) -> None:
    """Posts, labels, teams, audit, SLA columns and outbox events of every touched case."""
    old = histories(
        session, [t.id for w in works for t in w.tasks.values() if t.team_id not in w.new_tasks]
    )  # type: ignore[misc]
    for work in works:
        history = {team: list(old.get(task.id, [])) for team, task in work.tasks.items()}  # type: ignore[arg-type]
        for index, (verdict, plans) in enumerate(work.contributions):
            _contribute(rows, work, index, verdict, plans, history, now)
        _finish(rows, book, work, history, now)


def _contribute(
    rows: RowBuffer,
    work: CaseWork,
    index: int,
    verdict: Verdict,
    plans: list[TaskPlan],
    history: dict[str, list[HistoryEvent]],
    now: datetime,
) -> None:
    case = work.case
    outcome = "triage" if plans[0].label == TRIAGE else "routed"
    rules = [r for p in plans for r in p.rules]
    rows.later(
        lambda: rows.add(
            PostRecord, post_record(verdict, outcome=outcome, now=now, case_id=case.id, rules=rules)
        )
    )
    _merge_labels(rows, case, plans)
    case.post_count += 1
    case.search_text = (case.search_text + " " + _searchable(verdict))[:SEARCH_CHARS]
    opening = work.is_new and index == 0
    if not opening:
        case.updated_at = now
        after = {"post_id": verdict.post.post_id, "labels": [x for p in plans for x in p.labels]}
        rows.later(
            partial(
                audit, rows, case=case, action="post_added", actor="system", at=now, after=after
            )
        )
        rows.later(
            partial(
                emit,
                rows,
                CaseEventType.post_added,
                case=case,
                at=now,
                details={"post_id": verdict.post.post_id, "assignees": _assignees(work)},
            )
        )
    for plan in plans:
        _touch_task(rows, work, index, plan, history, now)
        for team, role in [(plan.team, "owner")] + [(t, "copy") for t in plan.copy_to]:
            if work.teams.get(team) != "owner":
                work.teams[team] = role


def _merge_labels(rows: RowBuffer, case: Case, plans: list[TaskPlan]) -> None:
    labels = list(case.labels)
    for label in (x for p in plans for x in p.labels):
        if label not in labels:
            labels.append(label)
            rows.later(partial(_add_label, rows, case, label))
    case.labels = labels
    severities = [Severity(case.severity)] + [p.severity for p in plans]
    case.severity = min(severities, key=lambda s: s.rank).value


def _add_label(rows: RowBuffer, case: Case, label: str) -> None:
    rows.add(CaseLabel, {"case_id": case.id, "label": label})


def _touch_task(
    rows: RowBuffer,
    work: CaseWork,
    index: int,
    plan: TaskPlan,
    history: dict[str, list[HistoryEvent]],
    now: datetime,
) -> None:
    task = work.tasks[plan.team]
    if work.new_tasks.get(plan.team) == index:
        history[plan.team] = [HistoryEvent(Kind.opened, now)]
        rows.later(
            partial(
                audit,
                rows,
                case=work.case,
                task=task,
                action="task_opened",
                actor="system",
                at=now,
                clock=[Kind.opened],
                after=task_snapshot(task) | {"rules": list(plan.rules)},
            )
        )
        return
    before = task_snapshot(task)
    clock = [Kind.post]
    if task.state == State.waiting.value:
        task.state, clock = State.acknowledged.value, [Kind.resumed, Kind.post]
    elif task.state in CLOSED_STATES:
        task.state, task.closed_at, clock = State.reopened.value, None, [Kind.reopened, Kind.post]
    task.labels = list(dict.fromkeys([*task.labels, *plan.labels]))
    history.setdefault(plan.team, []).extend(HistoryEvent(k, now) for k in clock)
    rows.later(
        partial(
            audit,
            rows,
            case=work.case,
            task=task,
            action="post_added",
            actor="system",
            at=now,
            before=before,
            after=task_snapshot(task),
            clock=clock,
        )
    )


def _finish(
    rows: RowBuffer,
    book: PolicyBook,
    work: CaseWork,
    history: dict[str, list[HistoryEvent]],
    now: datetime,
) -> None:
    case = work.case
    for team, task in work.tasks.items():
        refresh_sla(task, history.get(team, []), book, now)
    tasks = list(work.tasks.values())
    refresh_case_sla(case, tasks)
    case.state = case_state([t.state for t in tasks])
    case.restricted = any(t.team_id in book.restricted_teams for t in tasks)
    if work.is_new:
        verdict, plans = work.contributions[0]
        rows.later(
            partial(
                emit,
                rows,
                CaseEventType.opened,
                case=case,
                at=now,
                details={
                    "post_id": verdict.post.post_id,
                    "teams": [p.team for p in plans],
                    "rules": [r for p in plans for r in p.rules],
                    "copy_to": sorted({t for p in plans for t in p.copy_to}),
                    "url": verdict.post.url,
                    "assignees": _assignees(work),
                },
            )
        )
    rows.later(partial(_add_teams, rows, work))
    for team in work.new_tasks:
        task = work.tasks[team]
        if task.assignee:
            rows.later(
                partial(
                    emit,
                    rows,
                    CaseEventType.assigned,
                    case=case,
                    task=task,
                    at=now,
                    details={"reason": "new task"},
                )
            )


def _assignees(work: CaseWork) -> dict[str, str]:
    """Team -> assignee of the case's tasks, for a case-wide event (alerts name them)."""
    return {team: t.assignee for team, t in work.tasks.items() if t.assignee}


def _add_teams(rows: RowBuffer, work: CaseWork) -> None:
    for team, role in work.teams.items():
        if team not in work.stored_teams:
            rows.add(CaseTeam, {"case_id": work.case.id, "team": team, "role": role})


def _searchable(verdict: Verdict) -> str:
    post = verdict.post
    return f"@{post.author.handle} {post.author.display_name or ''} {post.text}".lower()
