"""Login throttling per account and per client address, from the security event log.

A login is refused (429 with Retry-After) before any password is checked when, within the window
(VIGIE_LOGIN_WINDOW_MINUTES, default 15), the account had VIGIE_LOGIN_ACCOUNT_LIMIT failed logins
since its last success (default 5) or the address had VIGIE_LOGIN_ADDRESS_LIMIT failed logins on
any account (default 30; higher, since an office may share one address). The counts come from
`security_events`, so every API replica sees the same ones. A refused attempt is logged as
`login_throttled` and does not extend the lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from workflow.errors import WorkflowError
from workflow.models import SecurityEvent
from workflow.security_log import SecurityKind

__all__ = ["LoginLimits", "Throttled", "check_login"]


class Throttled(WorkflowError):
    """Too many failed logins: `retry_after` seconds until the next attempt is allowed."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginLimits:
    account: int = 5
    address: int = 30
    window: timedelta = timedelta(minutes=15)


def check_login(
    session: Session, limits: LoginLimits, *, username: str, address: str, now: datetime
) -> None:
    """Raise Throttled when this account or this address failed too often lately."""
    since = now - limits.window
    last_success = session.exec(
        select(func.max(SecurityEvent.at)).where(
            SecurityEvent.kind == SecurityKind.login.value, SecurityEvent.username == username
        )
    ).one()
    account_since = max(since, last_success) if last_success else since
    for what, column, value, limit, start in (
        ("this account", SecurityEvent.username, username, limits.account, account_since),
        ("this address", SecurityEvent.address, address, limits.address, since),
    ):
        if not value:
            continue
        recent = session.exec(
            select(SecurityEvent.at)
            .where(
                SecurityEvent.kind == SecurityKind.login_failed.value,
                column == value,
                col(SecurityEvent.at) > start,
            )
            .order_by(col(SecurityEvent.at).desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            wait = int((recent[-1] + limits.window - now).total_seconds()) + 1
            raise Throttled(
                f"too many failed logins from {what}: try again in {wait} s",
                retry_after=max(wait, 1),
            )
