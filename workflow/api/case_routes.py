"""The queue: list and read cases, act on them one by one or in bulk."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, HTTPException, Path, Query
from pydantic import StringConstraints
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from events.schemas import Label, Severity, utcnow
from workflow.actions import add_note, load_case, task_action
from workflow.api.deps import BookDep, CurrentPrincipal, SessionDep
from workflow.api.errors import ErrorBody, errors
from workflow.api.presenters import case_detail, case_summary
from workflow.api.schemas import (
    ActionRequest,
    BulkRequest,
    BulkResult,
    CaseDetail,
    CasePage,
    CaseSummary,
)
from workflow.auth import Role
from workflow.book import PolicyBook
from workflow.errors import Conflict, WorkflowError
from workflow.principal import Principal
from workflow.queries import QueueFilter, list_cases, tasks_of
from workflow.relabel import relabel
from workflow.transitions import Action, State

router = APIRouter(prefix="/api/cases", tags=["cases"])

SlaFilter = Literal["ok", "at_risk", "breached", "paused", "met"]
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""In routes as `{case_id:int}`: /api/cases/bulk is then never read as a case id."""


@router.get("", response_model=CasePage)
def queue(
    principal: CurrentPrincipal,
    session: SessionDep,
    team: Annotated[str | None, Query(max_length=64)] = None,
    assignee: Annotated[
        str | None, Query(max_length=64, description="A member id, or 'me'.")
    ] = None,
    label: Annotated[list[Label | Literal["triage"]], Query()] = [],  # noqa: B006
    severity: Annotated[list[Severity], Query()] = [],  # noqa: B006
    state: Annotated[list[State], Query()] = [],  # noqa: B006
    sla: Annotated[list[SlaFilter], Query()] = [],  # noqa: B006
    lang: Annotated[str | None, Query(max_length=10)] = None,
    platform: Annotated[
        list[Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9_]+$")]],
        Query(description="Platform of the case's thread (x, mastodon, bluesky, webhook...)."),
    ] = [],  # noqa: B006
    q: Annotated[str | None, Query(max_length=200, description="Text search.")] = None,
    sort: Literal["deadline", "opened", "-opened", "-updated"] = "deadline",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    """Cases in your scope, filtered; sorted by nearest deadline by default; cursor-paginated."""
    if assignee == "me":
        assignee = principal.member_id or principal.username
    query = QueueFilter(
        team=team,
        assignee=assignee,
        labels=[str(x) for x in label],
        severity=[s.value for s in severity],
        state=[s.value for s in state],
        sla=list(sla),
        lang=lang,
        platforms=platform,
        text=q,
        sort=sort,
    )
    cases, next_cursor = list_cases(session, principal, query, limit=limit, cursor=cursor)
    tasks = tasks_of(session, [c.id for c in cases])  # type: ignore[misc]
    return CasePage(items=[case_summary(c, tasks[c.id]) for c in cases], next_cursor=next_cursor)  # type: ignore[index]


@router.get("/{case_id:int}", response_model=CaseDetail)
def read_case(
    case_id: CaseId, principal: CurrentPrincipal, session: SessionDep, book: BookDep
) -> CaseDetail:
    """Posts with verdict evidence, tasks with deadlines and their explanations, audit trail."""
    return case_detail(session, book, load_case(session, case_id, principal), now=utcnow())


IF_MATCH = r'^(W/)?"?[0-9]{1,9}"?$'


@router.post(
    "/{case_id:int}/actions",
    response_model=CaseSummary,
    responses=errors(428)
    | {409: {"model": ErrorBody, "description": "Stale version: see current_version."}},
)
def act(
    case_id: CaseId,
    action: Annotated[ActionRequest, Body()],
    principal: CurrentPrincipal,
    session: SessionDep,
    book: BookDep,
    if_match: Annotated[
        str | None,
        Header(
            pattern=IF_MATCH,
            description='The case version you read, e.g. "3", when the body has no `version`.',
        ),
    ] = None,
) -> CaseSummary:
    """Acknowledge, assign, note, wait, resume, resolve, dismiss, reopen or relabel; approve or
    reject the closing of a high-risk task (someone other than who asked for it).

    The version you read goes in the body's `version` or in If-Match; with neither, 428."""
    version = action.version if action.version is not None else _parse_if_match(if_match)
    if version is None:
        raise HTTPException(
            428, detail="send the case version you read (body 'version' or If-Match)"
        )
    return _perform(session, book, principal, case_id, version, action)


@router.post("/bulk", response_model=list[BulkResult])
def act_in_bulk(
    body: BulkRequest, principal: CurrentPrincipal, session: SessionDep, book: BookDep
) -> list[BulkResult]:
    """The same action on many cases; each succeeds or fails on its own (see each status)."""
    results = []
    for item in body.items:
        action = body.action.model_copy(
            update={"version": item.version}
            | ({"task_id": item.task_id} if hasattr(body.action, "task_id") else {})
        )
        try:
            summary = _perform(session, book, principal, item.case_id, item.version, action)
            results.append(
                BulkResult(case_id=item.case_id, ok=True, status=200, version=summary.version)
            )
        except WorkflowError as exc:
            session.rollback()
            results.append(
                BulkResult(
                    case_id=item.case_id,
                    ok=False,
                    status=exc.status,
                    detail=str(exc),
                    version=getattr(exc, "current_version", None),
                )
            )
    return results


def _parse_if_match(value: str | None) -> int | None:
    """The version in an If-Match header the route's pattern already checked."""
    return None if value is None else int(value.removeprefix("W/").strip('"'))


def _perform(
    session: Session,
    book: PolicyBook,
    principal: Principal,
    case_id: int,
    version: int,
    action: object,
) -> CaseSummary:
    now = utcnow()
    kind = action.action  # type: ignore[attr-defined]
    principal.require(Role.agent, kind)
    context = load_case(session, case_id, principal, version=version)
    result = None
    if kind == "note":
        add_note(session, context, principal, text=action.text, now=now)  # type: ignore[attr-defined]
    elif kind == "relabel":
        relabel(
            session,
            book,
            context,
            principal,
            labels=action.labels,
            now=now,  # type: ignore[attr-defined]
            post_id=action.post_id,
        )  # type: ignore[attr-defined]
    else:
        result = task_action(
            session,
            book,
            context,
            principal,
            action=Action(kind),
            now=now,
            task_id=action.task_id,
            assignee=getattr(action, "assignee", None),  # type: ignore[attr-defined]
            reason=getattr(action, "reason", None),
        )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"case {case_id} cannot reopen: its thread has another open case now"
        ) from exc
    session.refresh(context.case)
    summary = case_summary(context.case, tasks_of(session, [case_id])[case_id])
    if result is None:
        return summary
    return summary.model_copy(
        update={
            "took_over_from": result.took_over_from,
            "on_behalf_of": result.on_behalf_of,
            "unchanged": result.unchanged,
        }
    )
