"""Metrics of what people do, observed only once their change is committed.

A refused or rolled-back action (a 409, a failed item of a bulk request) observes nothing, so
the histograms count each first response and resolution once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import event
from sqlmodel import Session

from workflow.metrics import FIRST_RESPONSE_SECONDS, RELABELS, RESOLUTION_SECONDS
from workflow.models import Task
from workflow.records import histories
from workflow.sla import Kind
from workflow.transitions import State

__all__ = ["after_commit", "count_relabel", "time_first_response", "time_task"]

_PENDING = "vigie.metrics.pending"
_ANSWERS = (Kind.response, Kind.closed)


def after_commit(session: Session, record: Callable[[], None]) -> None:
    """Run `record` when the session's transaction commits; forget it on rollback."""
    if not event.contains(session, "after_commit", _flush):
        event.listen(session, "after_commit", _flush)
        event.listen(session, "after_rollback", _drop)
    session.info.setdefault(_PENDING, []).append(record)


def _flush(session: Session) -> None:
    for record in session.info.pop(_PENDING, []):
        record()


def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)


def time_task(
    session: Session, task: Task, *, kinds: Iterable[Kind], state: State, now: datetime
) -> None:
    """Time to first response (if this action is the first) and to resolution.

    Call before the action's audit entry is written: the history read here must not hold it.
    """
    team, task_id = task.team_id, task.id
    if task_id is not None and not set(kinds).isdisjoint(_ANSWERS):
        earlier = histories(session, [task_id]).get(task_id, [])
        if not any(e.kind in _ANSWERS for e in earlier):
            waited = (now - task.opened_at).total_seconds()
            after_commit(session, lambda: FIRST_RESPONSE_SECONDS.labels(team).observe(waited))
    if state is State.resolved:
        took = (now - task.opened_at).total_seconds()
        after_commit(session, lambda: RESOLUTION_SECONDS.labels(team).observe(took))


def time_first_response(session: Session, task: Task, now: datetime) -> None:
    """Time to first response of a task whose first answer is the brand's reply on the platform
    (workflow.responses decides it is the first)."""
    team, waited = task.team_id, (now - task.opened_at).total_seconds()
    after_commit(session, lambda: FIRST_RESPONSE_SECONDS.labels(team).observe(waited))


def count_relabel(session: Session, before: Iterable[str], after: Iterable[str]) -> None:
    """One count per label a person added or removed."""
    old, new = set(before), set(after)
    for label, change in [(x, "added") for x in new - old] + [(x, "removed") for x in old - new]:
        after_commit(session, RELABELS.labels(label, change).inc)
