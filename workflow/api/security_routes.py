"""The security event log, for admins: newest first, filtered, paged by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col, select

from workflow.api.deps import CurrentPrincipal, SessionDep
from workflow.api.schemas import QueryDatetime, SecurityEventPage, SecurityEventPublic
from workflow.auth import Role
from workflow.models import SecurityEvent
from workflow.security_log import SecurityKind

router = APIRouter(prefix="/api/security-events", tags=["security"])


@router.get("", response_model=SecurityEventPage)
def security_events(
    principal: CurrentPrincipal,
    session: SessionDep,
    kind: Annotated[list[SecurityKind], Query()] = [],  # noqa: B006
    username: Annotated[
        str | None, Query(max_length=64, description="Whom the event is about.")
    ] = None,
    since: Annotated[QueryDatetime | None, Query(description="From this time on.")] = None,
    until: Annotated[QueryDatetime | None, Query(description="Before this time.")] = None,
    before: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="An id: only older events.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SecurityEventPage:
    """Logins, failures, throttled attempts, logouts, tokens, passwords, user and role changes."""
    principal.require(Role.admin, "reading the security log")
    query = select(SecurityEvent).order_by(col(SecurityEvent.id).desc()).limit(limit + 1)
    if kind:
        query = query.where(col(SecurityEvent.kind).in_([k.value for k in kind]))
    if username is not None:
        query = query.where(SecurityEvent.username == username)
    if since is not None:
        query = query.where(col(SecurityEvent.at) >= since)
    if until is not None:
        query = query.where(col(SecurityEvent.at) < until)
    if before is not None:
        query = query.where(col(SecurityEvent.id) < before)
    rows = list(session.exec(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return SecurityEventPage(
        items=[SecurityEventPublic.model_validate(r, from_attributes=True) for r in rows],
        next_before=rows[-1].id if more else None,
    )
