"""Errors of the connectors, rooted in events.errors so callers never see library exceptions."""

from __future__ import annotations

from datetime import datetime

from events.errors import SchemaError, TransientError, VigieError

__all__ = [
    "AccessRevoked",
    "BudgetSpent",
    "PayloadError",
    "RateLimited",
    "SourceError",
    "SourceUnavailable",
]


class SourceError(VigieError):
    """A platform refused or failed a request."""


class RateLimited(SourceError):
    """The platform said 429: wait until `reset_at` (when it told us), never hammer."""

    def __init__(
        self, message: str, *, reset_at: datetime | None = None, remaining: int | None = 0
    ) -> None:
        super().__init__(message)
        self.reset_at = reset_at
        self.remaining = remaining


class BudgetSpent(RateLimited):
    """The last response said no request is left until `reset_at`: wait without calling."""


class SourceUnavailable(SourceError, TransientError):
    """5xx or a network failure: back off with jitter and try again."""


class AccessRevoked(SourceError):
    """401/403: the token is revoked or lacks access; this source stops, the others go on."""


class PayloadError(SchemaError):
    """A platform payload or a replayed line that cannot become a Post (poison, not transient)."""
