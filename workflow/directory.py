"""Managing teams' members through the API: presence, capacity, languages, new members.

A member who goes away hands their open tasks back: each is reassigned inside the team (or left
unassigned, for the SLA clock to place when someone becomes available).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from events.schemas import CaseEventType
from workflow.auth import Role
from workflow.book import PolicyBook
from workflow.errors import InvalidAction, NotFound
from workflow.models import Case, Member, Task, Team
from workflow.principal import Principal
from workflow.records import audit, emit, task_snapshot
from workflow.staffing import Roster
from workflow.transitions import OPEN_STATE_VALUES, State

__all__ = ["PRESENCES", "add_member", "update_member"]

PRESENCES = ("available", "away")


def _team(session: Session, team_id: str) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id!r}")
    return team


def update_member(
    session: Session,
    principal: Principal,
    *,
    team_id: str,
    member_id: str,
    changes: dict,
    now: datetime,
    book: PolicyBook | None = None,
) -> tuple[Member, list[int]]:
    """Apply changes; returns the member and the ids of tasks that were reassigned (to members
    on shift, when `book` says who is)."""
    _team(session, team_id)
    member = session.get(Member, member_id)
    if member is None or member.team_id != team_id:
        raise NotFound(f"no member {member_id!r} in team {team_id!r}")
    own_presence = set(changes) <= {"presence"} and principal.is_self(member_id)
    if not own_presence:
        principal.require(Role.lead, "changing a member")
        principal.require_team(team_id, "changing a member")
    if "presence" in changes and changes["presence"] not in PRESENCES:
        raise InvalidAction(f"presence must be one of {', '.join(PRESENCES)}")
    going_away = changes.get("presence") == "away" and member.presence != "away"
    for name, value in changes.items():
        setattr(member, name, value)
    session.flush()
    moved = _hand_back(session, member, principal, now, book) if going_away else []
    return member, moved


def _hand_back(
    session: Session, member: Member, principal: Principal, now: datetime, book: PolicyBook | None
) -> list[int]:
    tasks = session.exec(
        select(Task)
        .where(Task.assignee == member.id)
        .where(col(Task.state).in_(OPEN_STATE_VALUES))
    ).all()
    roster = Roster(session, book, now)
    moved = []
    for task in tasks:
        case = session.get(Case, task.case_id)
        if case is None:
            continue
        before = task_snapshot(task)
        roster.release(member.id)
        task.assignee = roster.pick(task.team_id, lang=case.lang, exclude=member.id)
        if task.assignee is None and task.state == State.assigned.value:
            task.state = State.new.value
        audit(
            session,
            case=case,
            task=task,
            action="reassign",
            actor=principal.username,
            at=now,
            before=before,
            after=task_snapshot(task) | {"reason": f"{member.id} is away"},
        )
        case.updated_at = now
        emit(
            session,
            CaseEventType.assigned,
            case=case,
            task=task,
            at=now,
            actor=principal.username,
            details={"reason": "assignee away", "previous_assignee": member.id},
        )
        moved.append(task.id)
    return moved  # type: ignore[return-value]


def add_member(session: Session, principal: Principal, *, team_id: str, fields: dict) -> Member:
    _team(session, team_id)
    principal.require(Role.lead, "adding a member")
    principal.require_team(team_id, "adding a member")
    if session.get(Member, fields["id"]) is not None:
        raise InvalidAction(f"member id {fields['id']!r} is already taken")
    position = len(session.exec(select(Member.id).where(Member.team_id == team_id)).all())
    member = Member(team_id=team_id, position=position, presence="available", **fields)
    session.add(member)
    return member
