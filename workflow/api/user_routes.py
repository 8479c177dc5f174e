"""Users and their roles and team scope (admins only)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col, select

from events.schemas import utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep, StateDep
from workflow.api.schemas import UserCreate, UserPublic, UserUpdate
from workflow.auth import Role, hash_password
from workflow.errors import InvalidAction, NotFound
from workflow.models import User

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("", response_model=list[UserPublic])
def list_users(principal: CurrentPrincipal, session: SessionDep) -> list[User]:
    principal.require(Role.admin, "listing users")
    return list(session.exec(select(User).order_by(col(User.username))))


@router.post("", response_model=UserPublic, status_code=201)
def create_user(
    body: UserCreate, principal: CurrentPrincipal, session: SessionDep, state: StateDep
) -> User:
    principal.require(Role.admin, "creating users")
    if session.exec(select(User).where(User.username == body.username)).first() is not None:
        raise InvalidAction(f"user {body.username!r} already exists")
    _check_teams(state, body.teams)
    user = User(
        username=body.username,
        role=body.role.value,
        teams=body.teams,
        member_id=body.member_id,
        password_hash=hash_password(body.password) if body.password else None,
        created_at=utcnow(),
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


@router.patch("/{username}", response_model=UserPublic)
def update_user(
    username: str,
    body: UserUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    state: StateDep,
) -> User:
    principal.require(Role.admin, "changing users")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    changes = body.model_dump(exclude_unset=True)
    if "teams" in changes and changes["teams"] is not None:
        _check_teams(state, changes["teams"])
    if changes.get("password"):
        user.password_hash = hash_password(changes.pop("password"))
    for name, value in changes.items():
        if value is not None or name == "member_id":
            setattr(user, name, value.value if isinstance(value, Role) else value)
    session.commit()
    session.refresh(user)
    return user


def _check_teams(state: StateDep, teams: list[str]) -> None:
    unknown = sorted(set(teams) - state.book.config.team_ids)
    if unknown:
        raise InvalidAction(
            f"unknown team(s): {', '.join(unknown)} "
            f"(teams: {', '.join(sorted(state.book.config.team_ids))})"
        )
