"""The retention purge: delete what the brand's retention policy no longer allows to keep.

Each kind of record has its own clock (events.brand.RetentionPolicy): posts of a closed case
from its closing, posts that opened no case from their receipt, a closed case and its audit from
the closing, feedback, shadow verdicts and published case events from when they were written.
Open cases and cases under legal hold keep everything. When a closed case's posts go, the case
keeps its skeleton (labels, teams, deadlines, audit) and loses the text it quoted (summary,
search text). The workflow service runs `purge` on a schedule; `vigie purge --dry-run` counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from events.brand import RetentionPolicy
from workflow.db import transient_errors
from workflow.metrics import PURGED
from workflow.models import (
    AuditEntry,
    Case,
    CaseLabel,
    CaseMergeKey,
    CaseReply,
    CaseTeam,
    CaseThread,
    Feedback,
    OutboxEvent,
    PostRecord,
    SecurityEvent,
    ShadowVerdict,
    Task,
)

__all__ = ["KINDS", "purge"]

KINDS = tuple(name for name in RetentionPolicy.model_fields if name != "topics")
"""The kinds of record the purge deletes, in the brand configuration's order."""


@dataclass(frozen=True)
class _Step:
    """One kind: the rows it removes, counted or deleted; `then` runs after a real deletion."""

    table: type
    where: sa.ColumnElement[bool]
    then: Callable[[Session], None] | None = None


def _closed_before(cutoff: datetime) -> sa.Select:
    """Ids of cases closed before `cutoff` and not under legal hold."""
    return select(Case.id).where(
        col(Case.closed_at).is_not(None),
        col(Case.closed_at) < cutoff,
        col(Case.legal_hold).is_(False),
    )


def _held() -> sa.Select:
    return select(Case.id).where(col(Case.legal_hold).is_(True))


def _steps(policy: RetentionPolicy, now: datetime) -> dict[str, list[_Step]]:
    def cutoff(kind: str) -> datetime:
        return now - policy.of(kind)

    expired_posts = _closed_before(cutoff("closed_case_posts"))
    expired_cases = _closed_before(cutoff("cases"))
    audit_cases = _closed_before(cutoff("audit"))

    def blank_cases(session: Session) -> None:
        # The case no longer quotes its posts (optimistic version bumped: open pages reload).
        session.execute(
            sa.update(Case)
            .where(col(Case.id).in_(expired_posts), col(Case.summary) != "")
            .values(summary="", search_text="", version=Case.version + 1)  # type: ignore[operator]
        )

    return {
        "closed_case_posts": [
            _Step(PostRecord, col(PostRecord.case_id).in_(expired_posts), blank_cases)
        ],
        "unrouted_posts": [
            _Step(
                PostRecord,
                col(PostRecord.case_id).is_(None) & (col(PostRecord.received_at) < cutoff("unrouted_posts")),
            )
        ],
        # A case goes with everything that refers to it (children first: foreign keys).
        "cases": [
            _Step(AuditEntry, col(AuditEntry.case_id).in_(expired_cases)),
            _Step(Feedback, col(Feedback.case_id).in_(expired_cases)),
            _Step(PostRecord, col(PostRecord.case_id).in_(expired_cases)),
            _Step(Task, col(Task.case_id).in_(expired_cases)),
            _Step(CaseLabel, col(CaseLabel.case_id).in_(expired_cases)),
            _Step(CaseTeam, col(CaseTeam.case_id).in_(expired_cases)),
            _Step(CaseThread, col(CaseThread.case_id).in_(expired_cases)),
            _Step(CaseMergeKey, col(CaseMergeKey.case_id).in_(expired_cases)),
            _Step(CaseReply, col(CaseReply.case_id).in_(expired_cases)),
            _Step(Case, col(Case.id).in_(expired_cases)),
        ],
        "audit": [
            _Step(
                AuditEntry,
                col(AuditEntry.case_id).in_(audit_cases) & (col(AuditEntry.at) < cutoff("audit")),
            )
        ],
        "feedback": [
            _Step(
                Feedback,
                (col(Feedback.at) < cutoff("feedback")) & col(Feedback.case_id).not_in(_held()),
            )
        ],
        "shadow_verdicts": [
            _Step(ShadowVerdict, col(ShadowVerdict.classified_at) < cutoff("shadow_verdicts"))
        ],
        "case_events": [
            _Step(
                OutboxEvent,
                col(OutboxEvent.sent_at).is_not(None) & (col(OutboxEvent.sent_at) < cutoff("case_events")),
            )
        ],
        "security_events": [
            _Step(SecurityEvent, col(SecurityEvent.at) < cutoff("security_events"))
        ],
    }


def purge(
    engine: Engine, policy: RetentionPolicy, now: datetime, *, dry_run: bool = False
) -> dict[str, int]:
    """Remove (or with `dry_run`, count) what the policy lets go as of `now`, per kind.

    A kind's count is its main record (posts, cases, audit entries...); a case's children go
    with it uncounted. One transaction: a failure removes nothing.
    """
    counts: dict[str, int] = {}
    with transient_errors("purging expired records"), Session(engine) as session:
        for kind, steps in _steps(policy, now).items():
            main = steps[-1] if kind == "cases" else steps[0]
            if dry_run:
                counts[kind] = int(
                    session.execute(
                        select(sa.func.count()).select_from(main.table).where(main.where)
                    ).scalar_one()
                )
                continue
            for step in steps:
                if step.then is not None:
                    step.then(session)  # before the rows that identify what to blank go
                deleted = session.execute(sa.delete(step.table).where(step.where)).rowcount
                if step is main:
                    counts[kind] = int(deleted or 0)
        if not dry_run:
            session.commit()
    if not dry_run:
        for kind, count in counts.items():
            PURGED.labels(kind).inc(count)
    return counts
