"""Logging in (OAuth2 password flow), who am I, and API tokens for integrations."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import col, select

from events.schemas import utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep, StateDep
from workflow.api.errors import errors
from workflow.api.schemas import LoginToken, TokenCreate, TokenIssued, TokenPublic, UserPublic
from workflow.auth import Role, authenticate, issue_token
from workflow.errors import NotFound
from workflow.models import AuthToken, User

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token", response_model=LoginToken, responses=errors(401))
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, state: StateDep
) -> LoginToken:
    """Exchange a username and password for a bearer token (OAuth2 password flow)."""
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    ttl = timedelta(hours=state.options.session_hours)
    token, _ = issue_token(session, user, kind="session", now=utcnow(), ttl=ttl)
    session.commit()
    return LoginToken(access_token=token, expires_in=int(ttl.total_seconds()))


@router.get("/me", response_model=UserPublic)
def me(principal: CurrentPrincipal, session: SessionDep) -> User:
    return _user(session, principal.username)


@router.post("/tokens", response_model=TokenIssued, status_code=201)
def create_api_token(
    body: TokenCreate, principal: CurrentPrincipal, session: SessionDep
) -> TokenIssued:
    """An API token for an integration: it acts as its user, until revoked. Shown once."""
    username = body.username or principal.username
    if username != principal.username:
        principal.require(Role.admin, "creating a token for another user")
    user = _user(session, username)
    token, record = issue_token(session, user, kind="api", now=utcnow(), ttl=None, name=body.name)
    session.commit()
    return TokenIssued(
        token=token, **TokenPublic.model_validate(record, from_attributes=True).model_dump()
    )


@router.get("/tokens", response_model=list[TokenPublic])
def list_api_tokens(principal: CurrentPrincipal, session: SessionDep) -> list[AuthToken]:
    user = _user(session, principal.username)
    query = select(AuthToken).where(AuthToken.kind == "api").order_by(col(AuthToken.id))
    if not principal.is_admin:
        query = query.where(AuthToken.user_id == user.id)
    return list(session.exec(query))


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_api_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    principal: CurrentPrincipal,
    session: SessionDep,
) -> None:
    record = session.get(AuthToken, token_id)
    user = _user(session, principal.username)
    if record is None or (record.user_id != user.id and not principal.is_admin):
        raise NotFound(f"no token {token_id}")
    record.revoked = True
    session.commit()


def _user(session: SessionDep, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user
