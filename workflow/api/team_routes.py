"""Teams and members: who works the queue, their languages, capacity and presence."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Path
from sqlmodel import Session, col, func, select

from events.schemas import utcnow
from workflow.api.deps import BookDep, CurrentPrincipal, SessionDep
from workflow.api.errors import errors
from workflow.api.schemas import MemberCreate, MemberPublic, MemberUpdate, TeamPublic
from workflow.auth import Role
from workflow.directory import add_member, update_member
from workflow.errors import NotFound
from workflow.models import Member, Task, Team
from workflow.principal import Principal
from workflow.transitions import OPEN_STATE_VALUES

router = APIRouter(prefix="/api/teams", tags=["teams"])


@router.get("", response_model=list[TeamPublic])
def list_teams(principal: CurrentPrincipal, session: SessionDep) -> list[TeamPublic]:
    """Every team with its members' names; e-mail, presence and load of a member only to
    admins, leads and the member's own teams."""
    teams = session.exec(select(Team).order_by(col(Team.id))).all()
    loads = _loads(session)
    return [_team(session, team, loads, principal) for team in teams]


@router.get("/{team_id}", response_model=TeamPublic, responses=errors(404))
def read_team(
    team_id: Annotated[str, Path(max_length=64)], principal: CurrentPrincipal, session: SessionDep
) -> TeamPublic:
    """One team, shown as in the list."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id!r}")
    return _team(session, team, _loads(session), principal)


@router.patch("/{team_id}/members/{member_id}", response_model=MemberPublic)
def change_member(
    team_id: str,
    member_id: str,
    body: MemberUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    book: BookDep,
) -> MemberPublic:
    """Presence (anyone for themselves), capacity, languages (leads of the team, admins).

    Going away hands the member's open tasks to others in the team.
    """
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    member, _moved = update_member(
        session,
        principal,
        team_id=team_id,
        member_id=member_id,
        changes=changes,
        now=utcnow(),
        book=book,
    )
    session.commit()
    return _member(member, _loads(session))


@router.post("/{team_id}/members", response_model=MemberPublic, status_code=201)
def create_member(
    team_id: str, body: MemberCreate, principal: CurrentPrincipal, session: SessionDep
) -> MemberPublic:
    member = add_member(session, principal, team_id=team_id, fields=body.model_dump())
    session.commit()
    return _member(member, Counter())


def _loads(session: Session) -> Counter[str]:
    rows = session.exec(
        select(Task.assignee, func.count())
        .where(col(Task.assignee).is_not(None))
        .where(col(Task.state).in_(OPEN_STATE_VALUES))
        .group_by(col(Task.assignee))
    )
    return Counter({assignee: count for assignee, count in rows})


def _sees_details(principal: Principal, member: Member) -> bool:
    """Contact and availability are for who assigns work (admins, leads) and teammates."""
    return principal.role.at_least(Role.lead) or member.team_id in principal.teams


def _member(member: Member, loads: Counter[str], *, detailed: bool = True) -> MemberPublic:
    return MemberPublic(
        id=member.id,
        name=member.name,
        email=member.email if detailed else None,
        languages=member.languages,
        capacity=member.capacity,
        lead=member.lead,
        presence=member.presence if detailed else None,
        open_tasks=loads[member.id] if detailed else None,
    )


def _team(session: Session, team: Team, loads: Counter[str], principal: Principal) -> TeamPublic:
    members = session.exec(
        select(Member)
        .where(Member.team_id == team.id)
        .order_by(col(Member.position), col(Member.id))
    ).all()
    return TeamPublic(
        id=team.id,
        name=team.name,
        calendar=team.calendar,
        assignment=team.assignment,
        members=[_member(m, loads, detailed=_sees_details(principal, m)) for m in members],
    )
