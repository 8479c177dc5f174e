"""What every route depends on: the database session, the policy book, the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from prometheus_client import CollectorRegistry
from sqlalchemy.engine import Engine
from sqlmodel import Session

from events.schemas import utcnow
from events.settings import Settings
from workflow.auth import Role, resolve_token
from workflow.book import PolicyBook
from workflow.config import WorkflowSettings
from workflow.db import transient_errors
from workflow.principal import Principal

__all__ = ["AppState", "BookDep", "CurrentPrincipal", "SessionDep", "StateDep", "get_state"]

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


@dataclass
class AppState:
    settings: Settings
    options: WorkflowSettings
    engine: Engine
    book: PolicyBook
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    """Metrics computed by this API process at scrape time (beside the shared ones)."""


def get_state(request: Request) -> AppState:
    return request.app.state.vigie  # type: ignore[no-any-return]


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with Session(state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_book(state: StateDep) -> PolicyBook:
    return state.book


BookDep = Annotated[PolicyBook, Depends(get_book)]


def get_principal(session: SessionDep, token: Annotated[str | None, Depends(oauth2)]) -> Principal:
    unauthorized = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="missing, expired or revoked token: log in at POST /api/auth/token",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if not token:
        raise unauthorized
    with transient_errors("checking the token"):
        user = resolve_token(session, token, now=utcnow())
    if user is None:
        raise unauthorized
    return Principal(
        username=user.username,
        role=Role(user.role),
        teams=frozenset(user.teams),
        member_id=user.member_id,
    )


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
