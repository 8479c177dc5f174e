"""Writing what happened: audit entries (also the SLA history) and outbox events, in one session.

Both are appended in the transaction that makes the change, so an event exists exactly when the
change does; the service's relay publishes the outbox to vigie.cases afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from events.schemas import CaseEvent, CaseEventType, Label
from workflow.models import AuditEntry, Case, OutboxEvent, Task
from workflow.sla import HistoryEvent, Kind

__all__ = ["RowBuffer", "audit", "emit", "histories", "task_snapshot"]


class RowBuffer:
    """Append-only rows collected during a batch and written with one executemany per table."""

    def __init__(self) -> None:
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        self.deferred: list[Callable[[], object]] = []

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def later(self, make_rows: Callable[[], object]) -> None:
        """Build rows once the cases and tasks they name have ids (after the flush)."""
        self.deferred.append(make_rows)

    def write(self, session: Session) -> None:
        for make_rows in self.deferred:
            make_rows()
        self.deferred.clear()
        for model, rows in self.rows.items():
            if rows:
                session.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
        self.rows.clear()


Target = Session | RowBuffer


def _put(target: Target, model: type[SQLModel], row: dict[str, Any]) -> None:
    if isinstance(target, RowBuffer):
        target.add(model, row)
    else:
        target.add(model(**row))


def task_snapshot(task: Task) -> dict[str, Any]:
    """The fields of a task an audit entry shows before and after."""
    return {
        "state": task.state,
        "assignee": task.assignee,
        "labels": list(task.labels),
        "severity": task.severity,
        "team": task.team_id,
    }


def audit(
    session: Target,
    *,
    case: Case,
    action: str,
    actor: str,
    at: datetime,
    task: Task | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    clock: Sequence[Kind] = (),
) -> None:
    _put(
        session,
        AuditEntry,
        {
            "case_id": case.id,
            "task_id": task.id if task else None,
            "at": at,
            "actor": actor,
            "action": action,
            "before": before or {},
            "after": after or {},
            "clock": [k.value for k in clock],
        },
    )


def emit(
    session: Target,
    event_type: CaseEventType,
    *,
    case: Case,
    at: datetime,
    task: Task | None = None,
    actor: str = "system",
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    """Queue a vigie.cases event in the outbox of the current transaction."""
    event = CaseEvent(
        type=event_type,
        case_id=case.id,  # type: ignore[arg-type]
        task_id=task.id if task else None,
        thread_id=case.thread_id,
        team=task.team_id if task else None,
        assignee=task.assignee if task else None,
        labels=[Label(x) for x in (task.labels if task else case.labels) if x in Label.__members__],
        severity=task.severity if task else case.severity,
        state=task.state if task else case.state,
        actor=actor,
        at=at,
        details=details or {},
        restricted=case.restricted,
    )
    _put(
        session,
        OutboxEvent,
        {
            "event_id": event.event_id,
            "payload": event.model_dump_json(),
            "created_at": at,
            "sent_at": None,
        },
    )
    return event


def histories(session: Session, task_ids: Iterable[int]) -> dict[int, list[HistoryEvent]]:
    """The SLA history of each task, from the audit entries that moved its clock."""
    ids = list(task_ids)
    result: dict[int, list[HistoryEvent]] = defaultdict(list)
    if not ids:
        return result
    rows = session.exec(
        select(AuditEntry.task_id, AuditEntry.at, AuditEntry.clock)
        .where(col(AuditEntry.task_id).in_(ids))
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    for task_id, at, clock in rows:
        for kind in clock or []:
            result[task_id].append(HistoryEvent(Kind(kind), at))  # type: ignore[index]
    return result
