"""Reading the queue: filtered, scoped, keyset-paginated case lists.

Sorting by deadline uses `cases.sort_due` (the nearest open deadline, or a far-future sentinel),
indexed with the id, so a page is an index range scan whatever the queue's size.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StrictInt, ValidationError
from sqlmodel import Session, col, select

from events.schemas import EARLIEST
from workflow.errors import InvalidAction
from workflow.models import Case, CaseLabel, CaseTeam, Task
from workflow.principal import Principal

__all__ = [
    "QueueFilter",
    "decode_cursor",
    "encode_cursor",
    "list_cases",
    "queue_statement",
    "tasks_of",
]

SORTS = {
    "deadline": (Case.sort_due, False),
    "opened": (Case.opened_at, False),
    "-opened": (Case.opened_at, True),
    "-updated": (Case.updated_at, True),
}


@dataclass
class QueueFilter:
    team: str | None = None
    assignee: str | None = None
    labels: list[str] = field(default_factory=list)
    severity: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    sla: list[str] = field(default_factory=list)
    lang: str | None = None
    platforms: list[str] = field(default_factory=list)
    text: str | None = None
    sort: str = "deadline"


def encode_cursor(sort: str, key: datetime, case_id: int) -> str:
    raw = json.dumps({"s": sort, "k": key.isoformat(), "i": case_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _in_utc(key: datetime) -> datetime:
    """Keys are real times or the FAR_FUTURE sentinel; an offset near year 1 or 9999 overflows."""
    try:
        utc = key.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None
    if utc < EARLIEST:
        raise ValueError("date out of range")
    return utc


class _Cursor(BaseModel):
    """What a cursor holds; a forged one is refused like a garbled one, never reaches SQL."""

    s: str
    k: Annotated[AwareDatetime, AfterValidator(_in_utc)]
    i: StrictInt = Field(ge=1, le=2**31 - 1)


def decode_cursor(cursor: str, sort: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = _Cursor.model_validate_json(raw)
    except (binascii.Error, ValueError, ValidationError) as exc:  # ValueError: bad base64
        raise InvalidAction(
            "invalid cursor: pass back the next_cursor of the previous page"
        ) from exc
    if data.s != sort:
        raise InvalidAction(f"this cursor belongs to another sort order than {sort!r}")
    return data.k, data.i


def list_cases(
    session: Session,
    principal: Principal,
    query: QueueFilter,
    *,
    limit: int,
    cursor: str | None = None,
) -> tuple[list[Case], str | None]:
    """One page of the queue and the cursor of the next page (None on the last page)."""
    rows = list(session.exec(queue_statement(principal, query, limit=limit + 1, cursor=cursor)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last, column = rows[-1], SORTS[query.sort][0]
    key = getattr(last, column.key)  # type: ignore[attr-defined]
    return rows, encode_cursor(query.sort, key, last.id)  # type: ignore[arg-type]


def queue_statement(
    principal: Principal, query: QueueFilter, *, limit: int, cursor: str | None = None
) -> Any:
    """The SELECT of one page: filters, scope, the keyset condition of the cursor, order."""
    column, descending = SORTS[query.sort]
    statement = select(Case)
    for condition in _conditions(principal, query):
        statement = statement.where(condition)
    if cursor:
        key, last_id = decode_cursor(cursor, query.sort)
        pair, bound = sa.tuple_(column, Case.id), sa.tuple_(sa.literal(key, column.type), last_id)
        statement = statement.where(pair < bound if descending else pair > bound)
    order = (col(column).desc(), col(Case.id).desc()) if descending else (col(column), col(Case.id))
    return statement.order_by(*order).limit(limit)


def _conditions(principal: Principal, query: QueueFilter) -> list[Any]:
    conditions: list[Any] = []
    if not principal.is_admin:
        conditions.append(_scope(principal))
    if query.team or query.assignee:
        tasks = select(Task.id).where(Task.case_id == Case.id)
        if query.team:
            tasks = tasks.where(Task.team_id == query.team)
        if query.assignee:
            tasks = tasks.where(Task.assignee == query.assignee)
        conditions.append(tasks.exists())
    if query.labels:
        conditions.append(
            select(CaseLabel.case_id)
            .where(CaseLabel.case_id == Case.id)
            .where(col(CaseLabel.label).in_(query.labels))
            .exists()
        )
    if query.severity:
        conditions.append(col(Case.severity).in_(query.severity))
    if query.state:
        conditions.append(col(Case.state).in_(query.state))
    if query.sla:
        conditions.append(col(Case.sla_state).in_(query.sla))
    if query.lang:
        conditions.append(Case.lang == query.lang.lower())
    if query.platforms:
        conditions.append(col(Case.platform).in_([p.lower() for p in query.platforms]))
    if query.text:
        conditions.append(_text_condition(query.text))
    return conditions


def _scope(principal: Principal) -> Any:
    """The cases the caller sees, as Principal.can_see decides for one case."""
    ordinary = (
        select(CaseTeam.case_id)
        .where(CaseTeam.case_id == Case.id)
        .where(col(CaseTeam.team).in_(principal.teams))
        .where(sa.or_(CaseTeam.role == "owner", sa.not_(col(Case.restricted))))
        .exists()
    )
    granted = [
        sa.and_(_has_team(owner, "owner"), _has_team(copy, "copy"))
        for owner, copy in sorted(principal.copy_grants)
    ]
    return sa.or_(ordinary, *granted)


def _has_team(team: str, role: str) -> Any:
    return (
        select(CaseTeam.case_id)
        .where(CaseTeam.case_id == Case.id)
        .where(CaseTeam.team == team)
        .where(CaseTeam.role == role)
        .exists()
    )


def _text_condition(text: str) -> Any:
    """`search_text` (lower-cased at intake) contains the text. On PostgreSQL the pg_trgm index
    of migration 0002 answers this LIKE; SQLite scans, which is fine at its scale."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return col(Case.search_text).like(f"%{escaped}%", escape="\\")


def tasks_of(session: Session, case_ids: list[int]) -> dict[int, list[Task]]:
    result: dict[int, list[Task]] = {i: [] for i in case_ids}
    if case_ids:
        for task in session.exec(
            select(Task).where(col(Task.case_id).in_(case_ids)).order_by(col(Task.id))
        ):
            result[task.case_id].append(task)
    return result
