"""The security event log: who logged in or failed to, tokens, passwords, users and roles.

Append-only rows in `security_events`, written in the transaction of the change they describe
(a failed login commits its own row). Never a password or a token: names, ids and addresses.
Failed logins double as the login throttle's memory (workflow.throttle), shared by every replica.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from workflow.models import SecurityEvent

__all__ = ["SecurityKind", "record"]


class SecurityKind(StrEnum):
    login = "login"
    login_failed = "login_failed"
    login_throttled = "login_throttled"
    logout = "logout"
    session_revoked = "session_revoked"
    token_created = "token_created"
    token_revoked = "token_revoked"
    password_changed = "password_changed"
    password_reset = "password_reset"
    user_created = "user_created"
    user_changed = "user_changed"


def record(
    session: Session,
    kind: SecurityKind,
    *,
    at: datetime,
    username: str = "",
    actor: str = "",
    address: str = "",
    **details: Any,
) -> SecurityEvent:
    """Add one event to the session (the caller commits it with the change)."""
    event = SecurityEvent(
        at=at,
        kind=kind.value,
        username=username[:64],
        actor=actor[:64],
        address=address[:64],
        details=details,
    )
    session.add(event)
    return event
