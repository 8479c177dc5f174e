"""Turning rows into API responses (the case list item and the full case page)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from workflow.actions import CaseContext
from workflow.api.schemas import (
    AuditPublic,
    CaseDetail,
    CaseSummary,
    DeadlinePublic,
    JoinedThreadPublic,
    PolicyOverdueFlag,
    PostPublic,
    ReviewPublic,
    TaskDetail,
    TaskSummary,
)
from workflow.book import PolicyBook
from workflow.models import AuditEntry, Case, CaseThread, PostRecord, Task
from workflow.records import histories
from workflow.review import needs_review
from workflow.staff_posts import overdue_authors

__all__ = ["case_detail", "case_summary"]


def _task_summary(task: Task) -> TaskSummary:
    return TaskSummary(
        id=task.id,
        team=task.team_id,
        labels=task.labels,
        state=task.state,  # type: ignore[arg-type]
        assignee=task.assignee,
        severity=task.severity,
        sla_due=task.sla_due,
        sla_state=task.sla_state,
        review_requested_by=task.review_requested_by,
    )


def case_summary(case: Case, tasks: list[Task]) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        version=case.version,
        state=case.state,
        severity=case.severity,  # type: ignore[arg-type]
        labels=case.labels,
        thread_id=case.thread_id,
        platform=case.platform,
        author_handle=case.author_handle,
        lang=case.lang,
        summary=case.summary,
        post_count=case.post_count,
        opened_at=case.opened_at,
        updated_at=case.updated_at,
        sla_due=case.sla_due,
        sla_state=case.sla_state,
        tasks=[_task_summary(t) for t in tasks],
    )


def case_detail(
    session: Session, book: PolicyBook, context: CaseContext, *, now: datetime
) -> CaseDetail:
    case = context.case
    history = histories(session, [t.id for t in context.tasks])  # type: ignore[misc]
    posts = session.exec(
        select(PostRecord)
        .where(PostRecord.case_id == case.id)
        .order_by(col(PostRecord.created_at), col(PostRecord.id))
    ).all()
    audit = session.exec(
        select(AuditEntry)
        .where(AuditEntry.case_id == case.id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    joined = session.exec(
        select(CaseThread)
        .where(CaseThread.case_id == case.id)
        .order_by(col(CaseThread.joined_at), col(CaseThread.thread_id))
    ).all()
    summary = case_summary(case, context.tasks).model_dump(exclude={"tasks"})
    review = needs_review(case, book)
    return CaseDetail(
        **summary,
        restricted=case.restricted,
        closed_at=case.closed_at,
        teams=dict(context.teams),
        posts=[PostPublic.model_validate(p, from_attributes=True) for p in posts],
        joined_threads=[JoinedThreadPublic.model_validate(j, from_attributes=True) for j in joined],
        tasks=[
            _task_detail(book, t, history.get(t.id, []), now, review=review)  # type: ignore[arg-type]
            for t in context.tasks
        ],
        audit=[AuditPublic.model_validate(a, from_attributes=True) for a in audit],
        relabel_request=case.relabel_request,
        policy_overdue=[
            PolicyOverdueFlag(post_id=c.post_id, staff_id=c.staff_id, due_at=c.policy_due_at)
            for c in overdue_authors(session, [p.id for p in posts])
        ],
    )


def _task_detail(
    book: PolicyBook, task: Task, history: list, now: datetime, *, review: bool
) -> TaskDetail:
    deadlines = (
        [
            DeadlinePublic(
                milestone=d.milestone.value,
                started_at=d.started_at,
                budget=d.budget,
                due_at=d.due_at,
                at_risk_at=d.at_risk_at,
                met_at=d.met_at,
                state=d.state(now).value,
                explanation=d.explanation,
                why=d.why.as_dict() if d.why else None,
            )
            for d in book.deadlines(task, history)
        ]
        if history
        else []
    )
    return TaskDetail(
        **_task_summary(task).model_dump(),
        rules=task.rules,
        policy=task.policy,
        opened_at=task.opened_at,
        closed_at=task.closed_at,
        dismiss_reason=task.dismiss_reason,
        escalation_level=task.escalation_level,
        deadlines=deadlines,
        review=ReviewPublic(
            required=review,
            outcome=task.review_outcome,  # type: ignore[arg-type]
            requested_by=task.review_requested_by,
            requested_at=task.review_requested_at,
            reviewed_by=task.reviewed_by,
            reviewed_at=task.reviewed_at,
        ),
    )
