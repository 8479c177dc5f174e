"""What every route depends on: the database session, the policy book, the authenticated caller.

The caller proves who they are with a bearer token (`Authorization: Bearer ...`: integrations,
the CLI) or, for the web page, with the HttpOnly session cookie; a cookie-borne request that
changes something must also carry the CSRF cookie's value in the X-CSRF-Token header
(double submit), which another site can neither read nor forge.
"""

from __future__ import annotations

import secrets
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

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "AppState",
    "BookDep",
    "CurrentPrincipal",
    "SessionDep",
    "StateDep",
    "client_address",
    "get_state",
]

SESSION_COOKIE = "vigie_session"
CSRF_COOKIE = "vigie_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def get_principal(
    request: Request, session: SessionDep, bearer: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    unauthorized = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="missing, expired or revoked token: log in at POST /api/auth/token",
        headers={"WWW-Authenticate": "Bearer"},
    )
    token = bearer or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise unauthorized
    if not bearer and request.method not in _SAFE_METHODS:
        expected = request.cookies.get(CSRF_COOKIE, "")
        sent = request.headers.get(CSRF_HEADER, "")
        if not expected or not secrets.compare_digest(expected.encode(), sent.encode()):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"missing or wrong {CSRF_HEADER} header (the {CSRF_COOKIE} cookie's value)",
            )
    with transient_errors("checking the token"):
        found = resolve_token(session, token, now=utcnow())
    if found is None:
        raise unauthorized
    user, record = found
    teams, book = frozenset(user.teams), get_state(request).book
    return Principal(
        username=user.username,
        role=Role(user.role),
        teams=teams,
        member_id=user.member_id,
        token_id=record.id,
        token_kind=record.kind,
        copy_grants=book.copy_grants(teams),
        copy_notes=book.copy_notes(teams),
    )


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
