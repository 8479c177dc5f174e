"""Privacy: legal holds, erasure and access by person, the retention preview, the audit export.

Erasure, access and the audit export are for admins; a legal hold also for leads of the legal
teams. Every one of these acts is recorded in the audit of the cases it touches.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from events.pseudonyms import parse_author
from events.schemas import utcnow
from workflow.actions import load_case
from workflow.api.deps import CurrentPrincipal, SessionDep, StateDep
from workflow.api.schemas import QueryDatetime
from workflow.audit_export import AuditFormat, audit_entries, render_audit
from workflow.auth import Role
from workflow.erasure import erase_author, export_author
from workflow.errors import InvalidAction
from workflow.metrics import ERASURES
from workflow.principal import Principal
from workflow.privacy import set_legal_hold
from workflow.retention import purge

router = APIRouter(tags=["privacy"])

CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AuthorRef = Annotated[
    str,
    Field(min_length=3, max_length=250, description="PLATFORM:HANDLE, e.g. x:jdoe"),
]


class HoldRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why (a dispute, an inquiry).")


class HoldState(BaseModel):
    case_id: int
    legal_hold: bool


class PersonRequest(BaseModel):
    author: AuthorRef


def _admin(principal: Principal, what: str) -> None:
    principal.require(Role.admin, what)


def _author(text: str) -> tuple[str, str]:
    try:
        return parse_author(text)
    except ValueError as exc:
        raise InvalidAction(str(exc)) from exc


@router.get("/api/cases/{case_id}/legal-hold", response_model=HoldState)
def hold_state(case_id: CaseId, principal: CurrentPrincipal, session: SessionDep) -> HoldState:
    """Whether the case is under legal hold (anyone who sees the case may ask)."""
    case = load_case(session, case_id, principal).case
    return HoldState(case_id=case_id, legal_hold=case.legal_hold)


@router.put("/api/cases/{case_id}/legal-hold", response_model=HoldState)
def hold_case(
    case_id: CaseId, body: HoldRequest, principal: CurrentPrincipal, session: SessionDep, state: StateDep
) -> HoldState:
    """Keep this case, whatever the retention says, until the hold is lifted."""
    case = set_legal_hold(session, principal, case_id, hold=True, reason=body.reason,
                          legal_teams=state.options.legal_hold, now=utcnow())
    session.commit()
    return HoldState(case_id=case_id, legal_hold=case.legal_hold)


@router.delete("/api/cases/{case_id}/legal-hold", response_model=HoldState)
def lift_hold(
    case_id: CaseId,
    principal: CurrentPrincipal,
    session: SessionDep,
    state: StateDep,
    reason: Annotated[str, Query(min_length=1, max_length=500)],
) -> HoldState:
    """Lift the hold: the case follows the retention policy again."""
    case = set_legal_hold(session, principal, case_id, hold=False, reason=reason,
                          legal_teams=state.options.legal_hold, now=utcnow())
    session.commit()
    return HoldState(case_id=case_id, legal_hold=case.legal_hold)


@router.post("/api/privacy/erasures")
def erase(body: PersonRequest, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Erase everything Vigie holds about one author (their cases stay, pseudonymised, with
    `erased` in their audit; an `erased` event goes out on vigie.cases)."""
    _admin(principal, "erasing a person's data")
    platform, handle = _author(body.author)
    result = erase_author(session, platform, handle, actor=principal.username, now=utcnow())
    session.commit()
    ERASURES.inc()
    return result.as_dict()


@router.post("/api/privacy/exports")
def export(body: PersonRequest, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """What Vigie holds about one author (a subject access request), as JSON. A POST, so the
    handle stays out of URLs and access logs."""
    _admin(principal, "exporting a person's data")
    platform, handle = _author(body.author)
    return export_author(session, platform, handle)


@router.get("/api/privacy/retention")
def retention(principal: CurrentPrincipal, state: StateDep) -> dict[str, Any]:
    """The retention policy in force and what the next purge would remove now."""
    _admin(principal, "the retention preview")
    policy = state.book.config.retention
    return {
        "policy": policy.model_dump(),
        "would_purge": purge(state.engine, policy, utcnow(), dry_run=True),
    }


@router.get(
    "/api/privacy/audit",
    responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
    response_class=Response,
)
def audit_export(
    principal: CurrentPrincipal,
    session: SessionDep,
    since: Annotated[QueryDatetime | None, Query(description="Default: 30 days before until.")] = None,
    until: Annotated[QueryDatetime | None, Query(description="Default: now.")] = None,
    format: AuditFormat = "jsonl",
) -> Response:
    """The audit trail between two dates, as JSON lines or CSV."""
    _admin(principal, "exporting the audit trail")
    until = until or utcnow()
    since = since or until - timedelta(days=30)
    if since >= until:
        raise InvalidAction("'since' must be before 'until'")
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    body = "".join(render_audit(audit_entries(session, since, until), format))
    name = f"vigie-audit-{since:%Y%m%d}-{until:%Y%m%d}.{format}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
