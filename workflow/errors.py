"""Refusals the workflow explains to its caller (the API turns each into a 4xx with the reason)."""

from __future__ import annotations

from events.errors import VigieError

__all__ = ["Conflict", "Forbidden", "InvalidAction", "NotFound", "WorkflowError"]


class WorkflowError(VigieError):
    """A request the workflow refuses; `status` is the HTTP status the API answers."""

    status = 400


class NotFound(WorkflowError):
    status = 404


class Forbidden(WorkflowError):
    status = 403


class InvalidAction(WorkflowError):
    """The action does not apply (invalid transition, unknown assignee, missing reason)."""

    status = 422


class Conflict(WorkflowError):
    """The case changed since the caller read it: `current_version` says what it is now."""

    status = 409

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version
