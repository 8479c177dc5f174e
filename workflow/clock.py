"""The SLA clock: at-risk warnings, breaches and the escalation ladder, run on a schedule.

Each task stores when its clock next needs a look (`next_check_at`: the next rung of its ladder).
A tick takes the due tasks (FOR UPDATE SKIP LOCKED on PostgreSQL, so replicas share the work),
fires every rung passed since the last look, and writes one vigie.cases event per rung:
rung 0 `sla_at_risk`, rung 1 `sla_breached`, and rung k also `escalated` with the policy's k-th
step (notify_assignee, notify_lead, reassign, raise_severity); a notify step also queues a
notice to the person (workflow.notices). The same tick hands unassigned tasks to members who
became available or came on shift, the most urgent first (severity, then deadline).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from events.schemas import CaseEventType, Severity
from workflow.actions import settle
from workflow.book import PolicyBook, refresh_case_sla, refresh_sla
from workflow.db import transient_errors
from workflow.models import Case, Task
from workflow.notices import queue
from workflow.records import audit, emit, histories, task_snapshot
from workflow.sla import governing, ladder_points
from workflow.staffing import Roster
from workflow.transitions import OPEN_STATE_VALUES, State

__all__ = ["assign_waiting_tasks", "recompute_open_tasks", "tick"]

log = logging.getLogger(__name__)

BATCH = 200
_RUNG_EVENTS = {0: CaseEventType.sla_at_risk, 1: CaseEventType.sla_breached}


def tick(engine: Engine, book: PolicyBook, now: datetime) -> int:
    """One pass of the clock; returns the number of rungs fired."""
    fired = 0
    with transient_errors("running the SLA clock"), Session(engine) as session:
        tasks = list(
            session.exec(
                select(Task)
                .where(col(Task.next_check_at) <= now)
                .where(col(Task.state).in_(OPEN_STATE_VALUES))
                .order_by(col(Task.next_check_at))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if not tasks:
            return 0
        history = histories(session, [t.id for t in tasks])  # type: ignore[misc]
        roster = Roster(session, book, now)
        for task in tasks:
            fired += _climb(session, book, roster, task, history.get(task.id, []), now)  # type: ignore[arg-type]
        session.commit()
    return fired


def _climb(
    session: Session, book: PolicyBook, roster: Roster, task: Task, history: list, now: datetime
) -> int:
    deadlines = refresh_sla(task, history, book, now)
    current = governing(deadlines)
    case = session.get(Case, task.case_id)
    if current is None or case is None:
        return 0
    policy = book.task_policy(task)
    points = ladder_points(
        policy, current, history, critical=task.severity == Severity.critical.value
    )
    passed = sum(1 for p in points if p <= now)
    fired = 0
    for rung in range(task.escalation_level, passed):
        details = {
            "milestone": current.milestone.value,
            "due_at": current.due_at.isoformat() if current.due_at else None,
            "rung": rung,
            "policy": policy.name,
        }
        if rung in _RUNG_EVENTS:
            _emit(session, _RUNG_EVENTS[rung], case, task, now, details)
        if rung < len(policy.escalation):
            step = policy.escalation[rung]
            details |= {"step": step} | _escalate(session, roster, case, task, step, now, details)
            _emit(session, CaseEventType.escalated, case, task, now, details)
        fired += 1
    task.escalation_level = max(task.escalation_level, passed)
    refresh_sla(task, history, book, now)
    siblings = list(session.exec(select(Task).where(Task.case_id == case.id)))
    refresh_case_sla(case, siblings)
    return fired


def _emit(
    session: Session, kind: CaseEventType, case: Case, task: Task, now: datetime, details: dict
) -> None:
    emit(session, kind, case=case, task=task, at=now, details=dict(details))


def _escalate(
    session: Session,
    roster: Roster,
    case: Case,
    task: Task,
    step: str,
    now: datetime,
    deadline: dict,
) -> dict:
    """Carry out one escalation step; a notify_* step queues a notice to the person."""
    if step in ("notify_lead", "notify_assignee"):
        lead = roster.lead_of(task.team_id)
        person = lead if step == "notify_lead" else task.assignee or lead
        if person is not None:
            queue(session, case=case, task=task, member_id=person, step=step, now=now,
                  details=dict(deadline))
        audit(session, case=case, task=task, action=f"escalation:{step}", actor="sla-clock",
              at=now, after={"notify": person})
        return {"notify": person}
    before = task_snapshot(task)
    if step == "reassign":
        chosen = roster.pick(task.team_id, lang=case.lang, exclude=task.assignee)
        if chosen is None:
            return {"reassigned_to": None, "note": "nobody else available"}
        roster.release(task.assignee)
        task.assignee = chosen
        task.state = State.assigned.value if task.state in ("new", "reopened") else task.state
        result = {"reassigned_to": chosen}
    else:  # raise_severity
        order = list(Severity)
        task.severity = order[max(0, order.index(Severity(task.severity)) - 1)].value
        case.severity = min(
            (Severity(case.severity), Severity(task.severity)), key=lambda s: s.rank
        ).value
        result = {"severity": task.severity}
    audit(
        session,
        case=case,
        task=task,
        action=f"escalation:{step}",
        actor="sla-clock",
        at=now,
        before=before,
        after=task_snapshot(task),
    )
    case.updated_at = now
    return result


_URGENCY = sa.case({s.value: s.rank for s in Severity}, value=col(Task.severity), else_=len(Severity))


def assign_waiting_tasks(engine: Engine, book: PolicyBook, now: datetime) -> int:
    """Give unassigned open tasks to members who can take them now: the most severe first, then
    the nearest deadline (capacity goes to a critical disclosure before a routine task); each
    case's state follows its tasks."""
    with transient_errors("assigning tasks"), Session(engine) as session:
        tasks = list(
            session.exec(
                select(Task)
                .where(col(Task.assignee).is_(None))
                .where(col(Task.state).in_([State.new.value, State.reopened.value]))
                .order_by(_URGENCY, sa.nulls_last(col(Task.sla_due)), col(Task.id))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if not tasks:
            return 0
        roster = Roster(session, book, now)
        case_ids = list({t.case_id for t in tasks})
        cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(case_ids)))}
        siblings: dict[int, list[Task]] = defaultdict(list)
        for sibling in session.exec(select(Task).where(col(Task.case_id).in_(case_ids))):
            siblings[sibling.case_id].append(sibling)
        assigned = 0
        for task in tasks:
            case = cases.get(task.case_id)
            chosen = roster.pick(task.team_id, lang=case.lang if case else None)
            if chosen is None or case is None:
                continue
            before = task_snapshot(task)
            task.assignee, task.state = chosen, State.assigned.value
            audit(
                session,
                case=case,
                task=task,
                action="assign",
                actor="system",
                at=now,
                before=before,
                after=task_snapshot(task),
            )
            settle(case, siblings[task.case_id], now)
            emit(
                session,
                CaseEventType.assigned,
                case=case,
                task=task,
                at=now,
                details={"reason": "member available"},
            )
            assigned += 1
        session.commit()
        return assigned


def recompute_open_tasks(
    engine: Engine, book: PolicyBook, now: datetime, *, after_id: int = 0
) -> int:
    """Recompute one chunk of open tasks' deadlines (after a calendar or policy change).

    Returns the last task id handled, 0 when done; call again with it to continue.
    """
    with transient_errors("recomputing deadlines"), Session(engine) as session:
        tasks = list(
            session.exec(
                select(Task)
                .where(col(Task.id) > after_id)
                .where(col(Task.state).in_(OPEN_STATE_VALUES))
                .order_by(col(Task.id))
                .limit(BATCH)
            )
        )
        if not tasks:
            return 0
        history = histories(session, [t.id for t in tasks])  # type: ignore[misc]
        for task in tasks:
            refresh_sla(task, history.get(task.id, []), book, now)  # type: ignore[arg-type]
        for case in session.exec(select(Case).where(col(Case.id).in_({t.case_id for t in tasks}))):
            refresh_case_sla(case, list(session.exec(select(Task).where(Task.case_id == case.id))))
        session.commit()
        return tasks[-1].id or 0
