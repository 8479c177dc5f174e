"""What people do to cases: acknowledge, assign, note, wait/resume, resolve, dismiss, reopen,
and approve or reject the closing of a high-risk task (workflow.review).

Each action checks the caller's role and team scope, the case version (a stale one is a
Conflict carrying the current version), and the task's state machine; then it writes the change,
an audit entry and a vigie.cases event in one transaction, and recomputes the SLA columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from events.schemas import CaseEventType
from workflow.auth import Role
from workflow.book import PolicyBook, refresh_case_sla, refresh_sla
from workflow.conversation import THREAD_SLOT
from workflow.errors import Conflict, Forbidden, InvalidAction, NotFound
from workflow.models import Case, CaseTeam, Member, Task
from workflow.principal import Principal
from workflow.records import audit, emit, histories, task_snapshot
from workflow.review import check_request, needs_review, record_review, review_snapshot
from workflow.sla import Kind
from workflow.timings import time_task
from workflow.transitions import (
    CLOSED_STATES,
    HISTORY_KINDS,
    OPEN_STATES,
    REVIEW_KINDS,
    Action,
    InvalidTransition,
    State,
    apply,
    case_state,
)

__all__ = [
    "ActionResult",
    "CaseContext",
    "add_note",
    "load_case",
    "refresh",
    "settle",
    "task_action",
]

_REVIEWS = (Action.assign, Action.approve, Action.reject)
"""Actions meant to be taken on someone else's task: they never take it over."""


@dataclass(frozen=True)
class ActionResult:
    """The task acted on, and what the action meant for its assignee."""

    task: Task
    took_over_from: str | None = None
    """The member the caller took the task over from (the caller is its assignee now)."""
    on_behalf_of: str | None = None
    """The assignee the caller acted for without taking the task (not a member of its team)."""
    unchanged: bool = False
    """Nothing to do (a second acknowledge with no new post): no version, no audit row."""


@dataclass
class CaseContext:
    """A case with its tasks and teams, checked against the caller."""

    case: Case
    tasks: list[Task]
    teams: list[tuple[str, str]]

    def task(self, task_id: int | None, principal: Principal) -> Task:
        """The named task, or the only one in the caller's scope."""
        if task_id is not None:
            found = next((t for t in self.tasks if t.id == task_id), None)
            if found is None:
                raise InvalidAction(
                    f"case {self.case.id} has no task {task_id} "
                    f"(tasks: {', '.join(str(t.id) for t in self.tasks)})"
                )
            return found
        mine = [t for t in self.tasks if principal.is_admin or t.team_id in principal.teams]
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise InvalidAction("none of this case's tasks belongs to your teams")
        listed = ", ".join(f"{t.id} ({t.team_id})" for t in mine)
        raise InvalidAction(
            f"case {self.case.id} has several tasks ({listed}): say which with task_id"
        )


def load_case(
    session: Session, case_id: int, principal: Principal, *, version: int | None = None
) -> CaseContext:
    """The case if the caller may see it (else NotFound: do not reveal it exists)."""
    # An action locks the row (PostgreSQL) so two people acting at once get 200 then 409.
    case = session.get(Case, case_id, with_for_update=version is not None)
    if case is None:
        raise NotFound(f"no case {case_id}")
    teams = [
        (r.team, r.role) for r in session.exec(select(CaseTeam).where(CaseTeam.case_id == case_id))
    ]
    if not principal.can_see(restricted=case.restricted, teams=teams):
        raise NotFound(f"no case {case_id}")
    if version is not None and version != case.version:
        raise Conflict(
            f"case {case_id} changed since version {version}: it is at version "
            f"{case.version}; reload it and try again",
            current_version=case.version,
        )
    tasks = list(session.exec(select(Task).where(Task.case_id == case_id).order_by(col(Task.id))))
    return CaseContext(case, tasks, teams)


def task_action(
    session: Session,
    book: PolicyBook,
    context: CaseContext,
    principal: Principal,
    *,
    action: Action,
    now: datetime,
    task_id: int | None = None,
    assignee: str | None = None,
    reason: str | None = None,
) -> ActionResult:
    """Apply one state-machine action to one task of the case.

    Someone acting on a task assigned to another takes it over when they are a member of its
    team (the assignee becomes them), else acts on the assignee's behalf; the audit, the event
    and the result say which. An acknowledge that changes nothing is not recorded."""
    principal.require(Role.agent, f"{action.value}")
    task = context.task(task_id, principal)
    principal.require_team(task.team_id, f"{action.value} task {task.id}")
    before = _snapshot(task)
    handover: dict[str, str] = {}
    if action is Action.assign:
        _check_assignee(session, principal, task, assignee)
    elif action not in _REVIEWS:
        handover = _handover(session, principal, task)
        assignee = handover.get("took_over_by") or assignee
        if action is Action.acknowledge and task.assignee is None and principal.member_id:
            assignee = principal.member_id
    if action is Action.acknowledge and not handover and _answered(session, task):
        return ActionResult(task, unchanged=True)
    if action is Action.dismiss and not (reason and reason.strip()):
        raise InvalidAction("dismiss needs a reason (e.g. spam, duplicate, handled elsewhere)")
    try:
        state = apply(
            task.state,
            action,
            assignee=assignee or task.assignee,
            needs_review=needs_review(context.case, book),
            requested=task.review_outcome,
        )
    except InvalidTransition as exc:
        raise InvalidAction(str(exc)) from exc
    check_request(task, principal, action, reason)
    clock = REVIEW_KINDS if state is State.pending_review else HISTORY_KINDS[action]
    time_task(session, task, kinds=clock, state=state, now=now)
    _move(task, action, state, principal, now, assignee=assignee, reason=reason)
    audit(
        session,
        case=context.case,
        task=task,
        action=action.value,
        actor=principal.username,
        at=now,
        before=before,
        after=_snapshot(task) | ({"reason": reason} if reason else {}) | _public(handover),
        clock=clock,
    )
    event = CaseEventType.assigned if action is Action.assign else CaseEventType.state_changed
    refresh(session, book, context, now)
    emit(
        session,
        event,
        case=context.case,
        task=task,
        at=now,
        actor=principal.username,
        details={"action": action.value, "from": before["state"], "reason": reason}
        | ({"previous_assignee": before["assignee"]} if action is Action.assign else {})
        | _public(handover),
    )
    return ActionResult(
        task,
        took_over_from=handover.get("took_over_from"),
        on_behalf_of=handover.get("on_behalf_of"),
    )


def _handover(session: Session, principal: Principal, task: Task) -> dict[str, str]:
    """Whose task the caller acts on: {} for their own or an unassigned one; else they take it
    over (a member of its team) or act on the assignee's behalf."""
    if task.assignee is None or principal.is_self(task.assignee):
        return {}
    member = session.get(Member, principal.member_id) if principal.member_id else None
    if member is not None and member.team_id == task.team_id:
        return {"took_over_from": task.assignee, "took_over_by": member.id}
    return {"on_behalf_of": task.assignee}


def _public(handover: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in handover.items() if k != "took_over_by"}


def _answered(session: Session, task: Task) -> bool:
    """An acknowledged task with no customer post since its last response: acknowledging it
    again would answer nothing."""
    if task.state != State.acknowledged.value:
        return False
    pending = False
    for event in histories(session, [task.id]).get(task.id, []):  # type: ignore[list-item]
        if event.kind is Kind.post:
            pending = True
        elif event.kind is Kind.response:
            pending = False
    return not pending


def _snapshot(task: Task) -> dict[str, Any]:
    return task_snapshot(task) | review_snapshot(task)


def _move(
    task: Task,
    action: Action,
    state: State,
    principal: Principal,
    now: datetime,
    *,
    assignee: str | None,
    reason: str | None,
) -> None:
    """Write the transition on the task: state, assignee, closing time and reason, review."""
    task.state = state.value
    if assignee is not None:
        task.assignee = assignee
    if state is State.pending_review:
        task.dismiss_reason = reason if action is Action.dismiss else None
    elif state in CLOSED_STATES:
        task.closed_at = now
        if action is not Action.approve:
            task.dismiss_reason = reason if action is Action.dismiss else None
    elif action is Action.reopen:
        task.closed_at = None
    elif action is Action.reject:
        task.dismiss_reason = None
    record_review(task, action, state, principal, now)


def _check_assignee(
    session: Session, principal: Principal, task: Task, assignee: str | None
) -> None:
    if not assignee:
        raise InvalidAction("assign needs an assignee (a member id of the task's team)")
    member = session.get(Member, assignee)
    if member is None or member.team_id != task.team_id:
        members = session.exec(select(Member.id).where(Member.team_id == task.team_id)).all()
        raise InvalidAction(
            f"{assignee!r} is not a member of team {task.team_id!r} (members: {', '.join(members)})"
        )
    if principal.role is Role.agent and not principal.is_self(assignee):
        raise InvalidAction("an agent can assign a task only to themselves; ask a lead")


def add_note(
    session: Session, context: CaseContext, principal: Principal, *, text: str, now: datetime
) -> None:
    principal.require(Role.agent, "adding a note")
    if not principal.may_write(context.teams):
        raise Forbidden(
            f"case {context.case.id}: your teams are only in copy of it (read only)"
        )
    if not text.strip():
        raise InvalidAction("a note needs some text")
    audit(
        session,
        case=context.case,
        action="note",
        actor=principal.username,
        at=now,
        after={"text": text},
    )
    settle(context.case, context.tasks, now)
    emit(session, CaseEventType.note_added, case=context.case, at=now, actor=principal.username)


def refresh(session: Session, book: PolicyBook, context: CaseContext, now: datetime) -> None:
    """Recompute every task's SLA from its history, then the case's SLA and state."""
    session.flush()
    history = histories(session, [t.id for t in context.tasks])  # type: ignore[misc]
    for task in context.tasks:
        refresh_sla(task, history.get(task.id, []), book, now)  # type: ignore[arg-type]
    refresh_case_sla(context.case, context.tasks)
    settle(context.case, context.tasks, now)


def settle(case: Case, tasks: list[Task], now: datetime) -> None:
    """Derive the case's state, open slot and closing time from its tasks (the version follows)."""
    case.updated_at = now
    case.state = case_state([t.state for t in tasks])
    is_open = any(t.state in OPEN_STATES for t in tasks)
    if is_open and case.open_slot is None:
        case.open_slot, case.closed_at = THREAD_SLOT, None
    elif not is_open and case.open_slot is not None:
        case.open_slot, case.closed_at = None, now
