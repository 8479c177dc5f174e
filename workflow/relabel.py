"""Relabel: a person corrects a case's labels. Recorded as feedback for training, and re-routed.

Who may relabel: an agent (or more) with a task of their own team on the case, or an admin; a
copy team only reads. The corrected labels are routed like a fresh verdict: teams that gain a
concern get a task. Open tasks whose concerns are all gone are dismissed with the reason
"relabeled" only when they belong to the caller's teams; another team's task stays open with a
"relabel_proposed" audit entry, and that team dismisses it (or not) itself.

High-risk cases (review labels, workflow.review): removing a review label is a request until a
second person sends the same relabel; such a dismissal waits for a second person like any other
closing; and the case keeps needing two people to close after its label is gone.

A restricted case (a restricted team, e.g. legal, owns a task) stays restricted, and only a
member of a restricted team or an admin may relabel it so that a new team gets a task (that
would widen who sees it).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from events.schemas import CaseEventType, Evidence, Label, LabelVerdict, Post, Verdict
from workflow.actions import CaseContext, refresh
from workflow.auth import Role
from workflow.book import PolicyBook
from workflow.errors import Forbidden, InvalidAction
from workflow.feedback import feedback_row
from workflow.intake import new_task
from workflow.models import CaseLabel, CaseTeam, PostRecord, Task
from workflow.principal import Principal
from workflow.records import audit, emit, task_snapshot
from workflow.review import record_review, relabel_gate
from workflow.routing import TaskPlan, plan_tasks
from workflow.sla import Kind
from workflow.staffing import Roster
from workflow.timings import count_relabel
from workflow.transitions import REVIEW_KINDS, WORKING_STATES, Action, State

__all__ = ["relabel"]


def relabel(
    session: Session,
    book: PolicyBook,
    context: CaseContext,
    principal: Principal,
    *,
    labels: list[Label],
    now: datetime,
    post_id: str | None = None,
) -> None:
    principal.require(Role.agent, "relabeling")
    case = context.case
    if not principal.is_admin and not any(t.team_id in principal.teams for t in context.tasks):
        raise Forbidden(
            f"relabel case {case.id}: none of its tasks belongs to your teams "
            f"({', '.join(sorted(principal.teams)) or 'none'})"
        )
    post = _post_of(session, case.id, post_id)  # type: ignore[arg-type]
    new_labels = list(dict.fromkeys(label.value for label in labels))
    plans = {
        p.team: p for p in plan_tasks(_verdict(post, new_labels, principal, book), book.config)
    }
    _check_widening(book, context, principal, plans)
    applies, asked_by = relabel_gate(case, book, new_labels, post.id, principal, now)
    if not applies:
        audit(
            session,
            case=case,
            action="relabel_requested",
            actor=principal.username,
            at=now,
            before={"labels": list(case.labels)},
            after={"labels": new_labels, "post_id": post.id},
        )
        case.updated_at = now
        return
    case.relabel_request = None
    session.add(feedback_row(case.id, post, new_labels, now))  # type: ignore[arg-type]
    before = list(case.labels)
    _set_labels(session, case.id, before, new_labels)  # type: ignore[arg-type]
    count_relabel(session, before, new_labels)
    case.labels = new_labels
    audit(
        session,
        case=case,
        action="relabel",
        actor=principal.username,
        at=now,
        before={"labels": before},
        after={"labels": new_labels, "post_id": post.id}
        | ({"requested_by": asked_by} if asked_by else {}),
    )
    gated = case.review_gate or not book.review_labels.isdisjoint(before)
    case.review_gate = gated
    created = _retask(session, book, context, plans, principal, now, gated=gated)
    refresh(session, book, context, now)
    case.restricted = any(t.team_id in book.restricted_teams for t in context.tasks)
    emit(
        session,
        CaseEventType.relabeled,
        case=case,
        at=now,
        actor=principal.username,
        details={"before": before, "after": new_labels, "post_id": post.id},
    )
    for task in created:
        if task.assignee:
            emit(
                session,
                CaseEventType.assigned,
                case=case,
                task=task,
                at=now,
                details={"reason": "relabeled"},
            )


def _check_widening(
    book: PolicyBook, context: CaseContext, principal: Principal, plans: dict[str, TaskPlan]
) -> None:
    """Only a restricted team's member or an admin gives a restricted case to a new team."""
    if not context.case.restricted or principal.is_admin:
        return
    if principal.teams & book.restricted_teams:
        return
    gaining = sorted(set(plans) - {t.team_id for t in context.tasks})
    if gaining:
        raise Forbidden(
            f"this relabel would show restricted case {context.case.id} to "
            f"{', '.join(gaining)}: only {', '.join(sorted(book.restricted_teams))} or an admin "
            "may widen who sees it"
        )


def _post_of(session: Session, case_id: int, post_id: str | None) -> PostRecord:
    query = select(PostRecord).where(PostRecord.case_id == case_id)
    if post_id is not None:
        found = session.exec(query.where(PostRecord.id == post_id)).first()
        if found is None:
            raise InvalidAction(f"post {post_id!r} is not part of case {case_id}")
        return found
    first = session.exec(query.order_by(col(PostRecord.received_at), col(PostRecord.id))).first()
    if first is None:
        raise InvalidAction(f"case {case_id} has no post to relabel")
    return first


def _verdict(
    post: PostRecord, labels: list[str], principal: Principal, book: PolicyBook
) -> Verdict:
    evidence = [
        Evidence(
            kind="rule",
            detector="queue-relabel",
            version="1",
            detail=f"relabeled by {principal.username}",
        )
    ]
    return Verdict(
        post=Post.model_validate(post.payload),
        lang=post.lang,
        labels=[
            LabelVerdict(
                label=Label(x),
                score=1.0,
                evidence=evidence,
                severity=book.config.label_policy(Label(x)).severity,
            )
            for x in labels
        ],
        model_version="queue-relabel",
    )


def _set_labels(session: Session, case_id: int, before: list[str], after: list[str]) -> None:
    gone = [x for x in before if x not in after]
    if gone:
        session.exec(
            delete(CaseLabel)
            .where(CaseLabel.case_id == case_id)  # type: ignore[call-overload]
            .where(col(CaseLabel.label).in_(gone))
        )
    for label in after:
        if label not in before:
            session.add(CaseLabel(case_id=case_id, label=label))


def _retask(
    session: Session,
    book: PolicyBook,
    context: CaseContext,
    plans: dict[str, TaskPlan],
    principal: Principal,
    now: datetime,
    *,
    gated: bool,
) -> list[Task]:
    case = context.case
    for task in context.tasks:
        plan = plans.get(task.team_id)
        before = task_snapshot(task)
        if plan is not None:
            task.labels, task.label, task.severity = (
                list(plan.labels),
                plan.label,
                plan.severity.value,
            )
        elif task.state in WORKING_STATES and not (
            principal.is_admin or task.team_id in principal.teams
        ):  # another team's task: that team decides whether its concern is really gone
            audit(
                session,
                case=case,
                task=task,
                action="relabel_proposed",
                actor=principal.username,
                at=now,
                after={"labels": list(case.labels), "team": task.team_id},
            )
        elif task.state in WORKING_STATES:
            if gated:  # a second person approves the dismissal, as for any high-risk closing
                task.state = State.pending_review.value
                record_review(task, Action.dismiss, State.pending_review, principal, now)
                clock = list(REVIEW_KINDS)
            else:
                task.state, task.closed_at = State.dismissed.value, now
                clock = [Kind.closed]
            task.dismiss_reason = "relabeled"
            audit(
                session,
                case=case,
                task=task,
                action="dismiss",
                actor=principal.username,
                at=now,
                before=before,
                after=task_snapshot(task) | {"reason": "relabeled"},
                clock=clock,
            )
        # A task already waiting for review keeps waiting: its reviewer decides.
    have = {t.team_id for t in context.tasks}
    roster = Roster(session, book, now)
    created = []
    for team, plan in plans.items():
        if team in have:
            continue
        task = new_task(case, plan, book, now)
        task.assignee = roster.pick(team, lang=case.lang)
        task.state = State.assigned.value if task.assignee else State.new.value
        session.add(task)
        session.flush()
        audit(
            session,
            case=case,
            task=task,
            action="task_opened",
            actor=principal.username,
            at=now,
            after=task_snapshot(task) | {"rules": list(plan.rules)},
            clock=[Kind.opened],
        )
        context.tasks.append(task)
        created.append(task)
    known = dict(context.teams)
    for plan in plans.values():
        for team, role in [(plan.team, "owner")] + [(t, "copy") for t in plan.copy_to]:
            if team not in known:
                session.add(CaseTeam(case_id=case.id, team=team, role=role))  # type: ignore[arg-type]
                known[team] = role
    return created
