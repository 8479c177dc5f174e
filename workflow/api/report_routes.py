"""SLA reports, as JSON or CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from events.schemas import utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep
from workflow.api.schemas import QueryDatetime
from workflow.auth import Role
from workflow.errors import InvalidAction
from workflow.reports import sla_report, to_csv

router = APIRouter(prefix="/api/reports", tags=["reports"])


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
