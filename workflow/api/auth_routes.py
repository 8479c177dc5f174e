"""Logging in and out, sessions, API tokens for integrations, and one's own password.

Two ways to log in with the same throttle and the same security log: `POST /api/auth/token`
(OAuth2 password flow: a bearer token, for the CLI and integrations) and `POST /api/auth/session`
(the web page: an HttpOnly SameSite=Strict cookie plus a CSRF cookie; the token never reaches
JavaScript). API tokens are minted from a login session only (not from another API token), by
agents and above, for oneself, and expire (VIGIE_API_TOKEN_MAX_DAYS at most). Changing one's
password revokes every other session and token of the account.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import Session, col, select

from events.schemas import utcnow
from workflow.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AppState,
    CurrentPrincipal,
    SessionDep,
    StateDep,
    client_address,
)
from workflow.api.errors import errors
from workflow.api.schemas import (
    LoginToken,
    PasswordChange,
    SessionPublic,
    TokenCreate,
    TokenIssued,
    TokenPublic,
    UserPublic,
)
from workflow.auth import (
    Role,
    authenticate,
    hash_password,
    issue_token,
    revoke_tokens,
    verify_password,
)
from workflow.errors import Forbidden, InvalidAction, NotFound
from workflow.models import AuthToken, User
from workflow.passwords import check_strength
from workflow.principal import Principal
from workflow.security_log import SecurityKind, record
from workflow.throttle import LoginLimits, Throttled, check_login

router = APIRouter(prefix="/api/auth", tags=["auth"])

TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
LoginForm = Annotated[OAuth2PasswordRequestForm, Depends()]
_THROTTLED = errors(401, 429)  # wrong password; too many failed logins (see Retry-After)


@router.post("/token", response_model=LoginToken, responses=_THROTTLED)
def login(form: LoginForm, request: Request, session: SessionDep, state: StateDep) -> LoginToken:
    """Exchange a username and password for a bearer token (OAuth2 password flow)."""
    token, ttl = _log_in(session, state, form, client_address(request), via="token")
    return LoginToken(access_token=token, expires_in=int(ttl.total_seconds()))


@router.post("/session", status_code=204, responses=_THROTTLED)
def login_with_cookie(
    form: LoginForm, request: Request, response: Response, session: SessionDep, state: StateDep
) -> None:
    """Log the web page in: a session cookie (HttpOnly) and a CSRF cookie whose value the page
    sends back in X-CSRF-Token on every change. Refused when another site posts it (a login
    CSRF would sign the reader into someone else's account)."""
    # The browser says where the request comes from (the Host and scheme behind a proxy may not).
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise Forbidden("log in from this site's own login page")
    token, ttl = _log_in(session, state, form, client_address(request), via="cookie")
    seconds = int(ttl.total_seconds())
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, token, max_age=seconds, httponly=True, samesite="strict", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        max_age=seconds,
        httponly=False,  # the page reads it to send it back: the double submit
        samesite="strict",
        secure=secure,
    )


@router.post("/logout", status_code=204)
def logout(
    principal: CurrentPrincipal, request: Request, response: Response, session: SessionDep
) -> None:
    """End the session (or revoke the API token) this request came with."""
    now = utcnow()
    record_ = session.get(AuthToken, principal.token_id)
    if record_ is not None:
        record_.revoked = True
    record(
        session,
        SecurityKind.logout,
        at=now,
        username=principal.username,
        actor=principal.username,
        address=client_address(request),
        token_id=principal.token_id,
    )
    session.commit()
    response.delete_cookie(SESSION_COOKIE, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, samesite="strict")


@router.get("/me", response_model=UserPublic)
def me(principal: CurrentPrincipal, session: SessionDep) -> User:
    return _user(session, principal.username)


@router.get("/sessions", response_model=list[SessionPublic])
def list_sessions(principal: CurrentPrincipal, session: SessionDep) -> list[SessionPublic]:
    """Your live login sessions (not revoked, not expired), the current one marked."""
    user = _user(session, principal.username)
    rows = session.exec(
        select(AuthToken)
        .where(
            AuthToken.user_id == user.id,
            AuthToken.kind == "session",
            col(AuthToken.revoked).is_(False),
            col(AuthToken.expires_at) > utcnow(),
        )
        .order_by(col(AuthToken.id))
    )
    return [
        SessionPublic(
            **TokenPublic.model_validate(row, from_attributes=True).model_dump(),
            current=row.id == principal.token_id,
        )
        for row in rows
    ]


@router.delete("/sessions/{token_id}", status_code=204)
def revoke_session(
    token_id: TokenId, principal: CurrentPrincipal, request: Request, session: SessionDep
) -> None:
    """End one of your sessions (another browser, a lost laptop)."""
    _revoke(session, principal, token_id, "session", client_address(request))


@router.post("/tokens", response_model=TokenIssued, status_code=201)
def create_api_token(
    body: TokenCreate,
    principal: CurrentPrincipal,
    request: Request,
    session: SessionDep,
    state: StateDep,
) -> TokenIssued:
    """An API token for an integration: it acts as you, until it expires or is revoked. Shown
    once. Only from a login session, for yourself, with the agent role or more."""
    if body.username is not None and body.username != principal.username:
        raise Forbidden(
            "nobody mints a token for another user: they log in and create their own "
            "(an integration gets its own user)"
        )
    if principal.token_kind != "session":
        raise Forbidden("an API token cannot create API tokens: log in to create one")
    principal.require(Role.agent, "creating an API token")
    most = state.options.api_token_max_days
    days = body.expires_in_days or most
    if days > most:
        raise InvalidAction(f"an API token lives at most {most} days (expires_in_days <= {most})")
    now = utcnow()
    user = _user(session, principal.username)
    token, stored = issue_token(
        session, user, kind="api", now=now, ttl=timedelta(days=days), name=body.name
    )
    session.flush()
    record(
        session,
        SecurityKind.token_created,
        at=now,
        username=user.username,
        actor=principal.username,
        address=client_address(request),
        token_id=stored.id,
        name=body.name,
        expires_at=stored.expires_at.isoformat() if stored.expires_at else None,
    )
    session.commit()
    return TokenIssued(
        token=token, **TokenPublic.model_validate(stored, from_attributes=True).model_dump()
    )


@router.get("/tokens", response_model=list[TokenPublic])
def list_api_tokens(principal: CurrentPrincipal, session: SessionDep) -> list[AuthToken]:
    """Your API tokens (an admin sees everyone's)."""
    user = _user(session, principal.username)
    query = select(AuthToken).where(AuthToken.kind == "api").order_by(col(AuthToken.id))
    if not principal.is_admin:
        query = query.where(AuthToken.user_id == user.id)
    return list(session.exec(query))


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_api_token(
    token_id: TokenId, principal: CurrentPrincipal, request: Request, session: SessionDep
) -> None:
    _revoke(session, principal, token_id, "api", client_address(request))


@router.post("/password", status_code=204, responses=_THROTTLED)
def change_password(
    body: PasswordChange,
    principal: CurrentPrincipal,
    request: Request,
    session: SessionDep,
    state: StateDep,
) -> None:
    """Change your own password (the current one is required). Every other session and API
    token of yours is revoked; this session stays."""
    now, address = utcnow(), client_address(request)
    user = _user(session, principal.username)
    _check_throttle(session, state, user.username, address)
    if not verify_password(body.current_password, user.password_hash):
        record(
            session,
            SecurityKind.login_failed,
            at=now,
            username=user.username,
            address=address,
            via="password change",
        )
        session.commit()
        raise InvalidAction("the current password is wrong")
    check_strength(body.new_password, user.username)

    user.password_hash = hash_password(body.new_password)
    revoked = revoke_tokens(session, user, keep=principal.token_id)
    record(
        session,
        SecurityKind.password_changed,
        at=now,
        username=user.username,
        actor=principal.username,
        address=address,
        revoked_tokens=revoked,
    )
    session.commit()


def _log_in(
    session: Session, state: AppState, form: OAuth2PasswordRequestForm, address: str, *, via: str
) -> tuple[str, timedelta]:
    now = utcnow()
    username = form.username[:64]
    _check_throttle(session, state, username, address)
    user = authenticate(session, username, form.password)
    if user is None:
        record(
            session, SecurityKind.login_failed, at=now, username=username, address=address, via=via
        )
        session.commit()
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    ttl = timedelta(hours=state.options.session_hours)
    token, stored = issue_token(session, user, kind="session", now=now, ttl=ttl)
    session.flush()
    record(
        session,
        SecurityKind.login,
        at=now,
        username=user.username,
        actor=user.username,
        address=address,
        via=via,
        token_id=stored.id,
    )
    session.commit()
    return token, ttl


def _check_throttle(session: Session, state: AppState, username: str, address: str) -> None:
    options = state.options
    limits = LoginLimits(
        account=options.login_account_limit,
        address=options.login_address_limit,
        window=timedelta(minutes=options.login_window_minutes),
    )
    now = utcnow()
    try:
        check_login(session, limits, username=username, address=address, now=now)
    except Throttled as exc:
        record(
            session,
            SecurityKind.login_throttled,
            at=now,
            username=username,
            address=address,
            retry_after=exc.retry_after,
        )
        session.commit()
        raise


def _revoke(session: Session, principal: Principal, token_id: int, kind: str, address: str) -> None:
    """Revoke one of the caller's tokens (an admin: anyone's); NotFound hides others'."""
    stored = session.get(AuthToken, token_id)
    user = _user(session, principal.username)
    if (
        stored is None
        or stored.kind != kind
        or (stored.user_id != user.id and not principal.is_admin)
    ):
        raise NotFound(f"no {kind} {token_id}")
    owner = session.get(User, stored.user_id)
    stored.revoked = True
    record(
        session,
        SecurityKind.session_revoked if kind == "session" else SecurityKind.token_revoked,
        at=utcnow(),
        username=owner.username if owner else "",
        actor=principal.username,
        address=address,
        token_id=token_id,
    )
    session.commit()


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user
