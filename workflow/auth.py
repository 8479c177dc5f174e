"""Users, roles, password hashes (pwdlib, Argon2) and bearer tokens.

Tokens are random strings shown once; only their SHA-256 is stored, so a database leak does not
leak working tokens. A login session expires after VIGIE_SESSION_HOURS; an API token after at
most VIGIE_API_TOKEN_MAX_DAYS. Revoking a user's tokens (logout, password change or reset,
deactivation) takes effect on the next request of every API replica: each request reads the
token's row.

Argon2 takes tens of MiB and tens of ms per hash: a bounded number of hashes run at once
(`limit_hashing`), so a burst of bad logins queues behind the slots instead of starving every
other request of memory and CPU. The queue is bounded too (4 waiting per slot), since each
waiter holds one of the server's worker threads; past it, or past a short wait, the caller gets
`HashingBusy` (503).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum

from pwdlib import PasswordHash
from sqlmodel import Session, col, select, update

from events.errors import TransientError
from workflow.models import AuthToken, User

__all__ = [
    "HashingBusy",
    "Role",
    "authenticate",
    "hash_password",
    "issue_token",
    "limit_hashing",
    "resolve_token",
    "revoke_tokens",
    "verify_password",
]

_hasher = PasswordHash.recommended()
_DUMMY_HASH = _hasher.hash("timing-equalizer")
_slots = threading.BoundedSemaphore(1)
_slot_wait = 2.0
_queue_limit = 4
_waiting = 0
_waiting_lock = threading.Lock()


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


class HashingBusy(TransientError):
    """Every password-hashing slot stayed busy for the whole wait: try again in a moment."""


def limit_hashing(concurrency: int, wait_seconds: float) -> None:
    """How many password hashes this process runs at once, and how long a caller waits."""
    global _slots, _slot_wait, _queue_limit
    _slots, _slot_wait = threading.BoundedSemaphore(concurrency), wait_seconds
    _queue_limit = 4 * concurrency


@contextmanager
def _hashing_slot() -> Iterator[None]:
    global _waiting
    slots = _slots
    if not slots.acquire(blocking=False):
        with _waiting_lock:
            if _waiting >= _queue_limit:
                raise HashingBusy("too many logins at once")
            _waiting += 1
        try:
            acquired = slots.acquire(timeout=_slot_wait)
        finally:
            with _waiting_lock:
                _waiting -= 1
        if not acquired:
            raise HashingBusy("too many logins at once")
    try:
        yield
    finally:
        slots.release()


def hash_password(password: str) -> str:
    with _hashing_slot():
        return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    with _hashing_slot():
        if not password_hash:
            _hasher.verify(password, _DUMMY_HASH)  # same time whether or not there is a password
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
    session: Session, user: User, *, kind: str, now: datetime, ttl: timedelta, name: str = ""
) -> tuple[str, AuthToken]:
    """A new bearer token (returned once, in clear) and its stored record; every token expires."""
    token = ("vga_" if kind == "api" else "vgs_") + secrets.token_urlsafe(32)
    record = AuthToken(
        user_id=user.id,  # type: ignore[arg-type]
        kind=kind,
        name=name,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(record)
    return token, record


def resolve_token(session: Session, token: str, *, now: datetime) -> tuple[User, AuthToken] | None:
    """The active user a bearer token belongs to and the token's record, or None (unknown,
    revoked or expired)."""
    record = session.exec(select(AuthToken).where(AuthToken.token_hash == _digest(token))).first()
    if record is None or record.revoked or (record.expires_at and record.expires_at <= now):
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        record.last_used_at = now
        session.commit()
    return user, record


def revoke_tokens(session: Session, user: User, *, keep: int | None = None) -> int:
    """Revoke every live token of the user (sessions and API tokens) but `keep`; how many."""
    query = (
        update(AuthToken)
        .where(col(AuthToken.user_id) == user.id, col(AuthToken.revoked).is_(False))
        .values(revoked=True)
    )
    if keep is not None:
        query = query.where(col(AuthToken.id) != keep)
    return session.exec(query).rowcount  # type: ignore[call-overload,no-any-return]
