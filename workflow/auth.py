"""Users, roles, password hashes (pwdlib, Argon2) and bearer tokens.

Tokens are random strings shown once; only their SHA-256 is stored, so a database leak does not
leak working tokens. A login session expires; an API token lives until revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from pwdlib import PasswordHash
from sqlmodel import Session, select

from workflow.models import AuthToken, User

__all__ = [
    "Role",
    "authenticate",
    "hash_password",
    "issue_token",
    "resolve_token",
    "verify_password",
]

_hasher = PasswordHash.recommended()
_DUMMY_HASH = _hasher.hash("timing-equalizer")


class Role(StrEnum):
    viewer = "viewer"
    agent = "agent"
    lead = "lead"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        _hasher.verify(password, _DUMMY_HASH)  # same time whether or not the user has a password
        return False
    return _hasher.verify(password, password_hash)


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        verify_password(password, None)
        return None
    return user if verify_password(password, user.password_hash) else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, user: User, *, kind: str, now: datetime, ttl: timedelta | None, name: str = ""
) -> tuple[str, AuthToken]:
    """A new bearer token (returned once, in clear) and its stored record."""
    token = ("vga_" if kind == "api" else "vgs_") + secrets.token_urlsafe(32)
    record = AuthToken(
        user_id=user.id,  # type: ignore[arg-type]
        kind=kind,
        name=name,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + ttl if ttl else None,
    )
    session.add(record)
    return token, record


def resolve_token(session: Session, token: str, *, now: datetime) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, revoked or expired)."""
    record = session.exec(select(AuthToken).where(AuthToken.token_hash == _digest(token))).first()
    if record is None or record.revoked or (record.expires_at and record.expires_at <= now):
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        record.last_used_at = now
        session.commit()
    return user
