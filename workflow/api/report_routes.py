"""SLA reports, as JSON or CSV."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator

from events.schemas import BoundedDatetime, utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep
from workflow.auth import Role
from workflow.errors import InvalidAction
from workflow.reports import sla_report, to_csv

router = APIRouter(prefix="/api/reports", tags=["reports"])


def _iso_only(value: object) -> object:
    """A query date is ISO 8601 text: pydantic would read `0.5` as a Unix time."""
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected an ISO 8601 date and time with offset, e.g. 2026-01-31T00:00:00Z")
    return value


QueryDatetime = Annotated[BoundedDatetime, BeforeValidator(_iso_only)]


class ReportRowPublic(BaseModel):
    period: str
    group: str
    tasks: int
    met: int
    breached: int
    open: int
    at_risk: int
    met_ratio: float | None


@router.get(
    "/sla", response_model=list[ReportRowPublic], responses={200: {"content": {"text/csv": {}}}}
)
def sla(
    principal: CurrentPrincipal,
    session: SessionDep,
    group_by: Literal["team", "label", "assignee"] = "team",
    period: Literal["all", "day", "week", "month"] = "all",
    since: Annotated[
        QueryDatetime | None, Query(description="Default: 30 days before 'until'.")
    ] = None,
    until: Annotated[QueryDatetime | None, Query(description="Default: now.")] = None,
    format: Literal["json", "csv"] = "json",
) -> object:
    """Tasks met or breached per team, label or assignee (your teams; all teams for admins)."""
    principal.require(Role.lead, "SLA reports")
    until = until or utcnow()
    since = since or until - timedelta(days=30)
    if since >= until:
        raise InvalidAction("'since' must be before 'until'")
    rows = sla_report(
        session, principal, group_by=group_by, period=period, since=since, until=until
    )
    if format == "csv":
        return Response(
            to_csv(rows),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="sla-report.csv"'},
        )
    return [ReportRowPublic(**vars(row), met_ratio=row.met_ratio) for row in rows]
