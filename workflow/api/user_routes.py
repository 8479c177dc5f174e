"""Users and their roles and team scope (admins only).

A password set here is checked like one's own (workflow.passwords); resetting it, or
deactivating the user, revokes every session and API token of theirs. The last active admin
cannot be demoted or deactivated. A user's `member_id` must be a member of one of their teams
(their presence and load are that member's). Every change lands in the security event log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session, col, func, select

from events.schemas import utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep, StateDep, client_address
from workflow.api.schemas import UserCreate, UserPublic, UserUpdate
from workflow.auth import Role, hash_password, revoke_tokens
from workflow.errors import InvalidAction, NotFound
from workflow.models import Member, User
from workflow.passwords import check_strength
from workflow.security_log import SecurityKind, record

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("", response_model=list[UserPublic])
def list_users(principal: CurrentPrincipal, session: SessionDep) -> list[User]:
    principal.require(Role.admin, "listing users")
    return list(session.exec(select(User).order_by(col(User.username))))


@router.post("", response_model=UserPublic, status_code=201)
def create_user(
    body: UserCreate,
    principal: CurrentPrincipal,
    request: Request,
    session: SessionDep,
    state: StateDep,
) -> User:
    principal.require(Role.admin, "creating users")
    if session.exec(select(User).where(User.username == body.username)).first() is not None:
        raise InvalidAction(f"user {body.username!r} already exists")
    _check_teams(state, body.teams)
    _check_member(session, body.member_id, body.teams)
    if body.password:
        check_strength(body.password, body.username)
    now = utcnow()
    user = User(
        username=body.username,
        role=body.role.value,
        teams=body.teams,
        member_id=body.member_id,
        password_hash=hash_password(body.password) if body.password else None,
        created_at=now,
    )
    session.add(user)
    record(
        session,
        SecurityKind.user_created,
        at=now,
        username=user.username,
        actor=principal.username,
        address=client_address(request),
        role=user.role,
        teams=user.teams,
        member_id=user.member_id,
    )
    session.commit()
    session.refresh(user)
    return user


@router.patch("/{username}", response_model=UserPublic)
def update_user(
    username: str,
    body: UserUpdate,
    principal: CurrentPrincipal,
    request: Request,
    session: SessionDep,
    state: StateDep,
) -> User:
    principal.require(Role.admin, "changing users")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    changes = {
        name: value.value if isinstance(value, Role) else value
        for name, value in body.model_dump(exclude_unset=True).items()
        if value is not None or name == "member_id"
    }
    password = changes.pop("password", None)
    teams = changes.get("teams", user.teams)
    if "teams" in changes:
        _check_teams(state, teams)
    if "member_id" in changes or "teams" in changes:
        _check_member(session, changes.get("member_id", user.member_id), teams)
    _keep_an_admin(session, user, changes)
    now, address = utcnow(), client_address(request)
    before = {name: getattr(user, name) for name in changes}
    for name, value in changes.items():
        setattr(user, name, value)
    if password:
        check_strength(password, user.username)
        user.password_hash = hash_password(password)
        revoked = revoke_tokens(session, user)
        record(
            session,
            SecurityKind.password_reset,
            at=now,
            username=user.username,
            actor=principal.username,
            address=address,
            revoked_tokens=revoked,
        )
    if changes:
        revoked = revoke_tokens(session, user) if changes.get("active") is False else 0
        record(
            session,
            SecurityKind.user_changed,
            at=now,
            username=user.username,
            actor=principal.username,
            address=address,
            before=before,
            after=changes,
            revoked_tokens=revoked,
        )
    session.commit()
    session.refresh(user)
    return user


def _keep_an_admin(session: Session, user: User, changes: dict[str, Any]) -> None:
    """Refuse to demote or deactivate the last active admin: nobody could manage users."""
    loses_admin = user.role == Role.admin.value and (
        changes.get("role", Role.admin.value) != Role.admin.value
        or changes.get("active", True) is False
    )
    if not loses_admin or not user.active:
        return
    admins = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin.value, col(User.active).is_(True))
    ).one()
    if admins <= 1:
        raise InvalidAction(f"{user.username!r} is the last active admin: make another admin first")


def _check_member(session: Session, member_id: str | None, teams: list[str]) -> None:
    """A user's member id names a member of one of the user's teams."""
    if member_id is None:
        return
    member = session.get(Member, member_id)
    if member is None or member.team_id not in teams:
        raise InvalidAction(
            f"member_id {member_id!r} is not a member of the user's teams "
            f"({', '.join(sorted(teams)) or 'none'})"
        )


def _check_teams(state: StateDep, teams: list[str]) -> None:
    unknown = sorted(set(teams) - state.book.config.team_ids)
    if unknown:
        raise InvalidAction(
            f"unknown team(s): {', '.join(unknown)} "
            f"(teams: {', '.join(sorted(state.book.config.team_ids))})"
        )
