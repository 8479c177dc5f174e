"""Verdicts into cases, in one transaction per batch.

Every post is stored once (its primary key makes a replayed batch a no-op). A post joins the case
of its conversation (workflow.conversation): a concern it raises gets one task per owning team,
a customer's post (tagged or not) restarts the next-response clock and resumes a waiting task,
and the brand's own reply is the response (workflow.responses). A post raising no concern in a
thread with no case is only recorded, and a rumour post of a known story joins the story instead
of opening a case (workflow.stories). Shadow verdicts are kept for model comparison and never
routed.

Everything is computed in memory first; then new cases, new tasks and the append-only rows
(posts, labels, teams, audit, outbox) are written with one statement per table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from events.schemas import Verdict
from workflow.book import PolicyBook
from workflow.conversation import place
from workflow.intake_changes import CaseWork, apply_contributions
from workflow.intake_posts import insert_shadows, post_record, recorded_reason
from workflow.models import Case, CaseMergeKey, CaseTeam, CaseThread, PostRecord, Task
from workflow.records import RowBuffer
from workflow.responses import brand_plans, is_brand_post, stored_source
from workflow.routing import TRIAGE, TaskPlan, plan_tasks
from workflow.staff_posts import record_staff_posts
from workflow.staffing import Roster
from workflow.stories.desk import gather as gather_stories
from workflow.stories.desk import settle as settle_stories
from workflow.transitions import State

__all__ = ["IntakeResult", "ingest_verdicts", "new_task"]


@dataclass
class IntakeResult:
    received: int = 0
    duplicates: int = 0
    shadow: int = 0
    recorded: int = 0
    opened: int = 0
    joined: int = 0
    triage: int = 0
    followed: int = 0
    """Posts raising no concern that joined their conversation's case (replies, follow-ups)."""


def ingest_verdicts(
    session: Session, book: PolicyBook, verdicts: Sequence[Verdict], *, now: datetime
) -> IntakeResult:
    """Record a batch of verdicts; the caller commits."""
    result = IntakeResult(received=len(verdicts))
    primary = [v for v in verdicts if not v.shadow]
    result.shadow = insert_shadows(session, [v for v in verdicts if v.shadow])
    fresh = _fresh(session, primary)
    result.duplicates = len(primary) - len(fresh)
    planned = [(v, _plans(v, book)) for v in fresh]
    rows = RowBuffer()
    # Rumour posts of a known story join it instead of opening cases (workflow.stories).
    planned = gather_stories(session, book, planned, rows, now)
    with session.no_autoflush:  # nothing reaches the database before _persist
        works, alone = place(session, book.config, planned, now)
        for verdict in alone:
            reason = recorded_reason(verdict, book.config)
            if is_brand_post(verdict.post, book.config):
                reason = "the brand's own post, in a thread with no case"
            record = post_record(verdict, outcome="recorded", now=now, reason=reason)
            rows.add(PostRecord, record | {"source": stored_source(verdict.post, book.config)})
        result.recorded = len(alone)
        routed = [(v, p) for w in works for v, p in w.contributions if p]
        result.opened = sum(1 for w in works if w.is_new)
        result.joined = len(routed) - result.opened
        result.followed = sum(1 for w in works for _, p in w.contributions if not p)
        result.triage = sum(1 for _, plans in routed if plans[0].label == TRIAGE)
        _staff(session, book, works, now)
        apply_contributions(session, book, works, rows, now)
    _persist(session, works, now)
    rows.write(session)
    record_staff_posts(session, book.config, fresh, now)
    settle_stories(session, book, now)  # new stories find their case; grown ones alert
    return result


def _plans(verdict: Verdict, book: PolicyBook) -> list[TaskPlan]:
    """The tasks a post asks for (the brand's own posts never go to triage)."""
    plans = plan_tasks(verdict, book.config)
    return brand_plans(plans) if is_brand_post(verdict.post, book.config) else plans


def _persist(session: Session, works: list[CaseWork], now: datetime) -> None:
    """Insert new cases, then new tasks with their case ids; update what changed."""
    session.add_all([w.case for w in works if w.is_new])
    session.flush()
    created = []
    for work in works:
        for team in work.new_tasks:
            work.tasks[team].case_id = work.case.id  # type: ignore[assignment]
            created.append(work.tasks[team])
        for team, role in work.teams.items():
            if work.stored_teams.get(team, role) != role:  # a team in copy now owns a task
                session.execute(
                    update(CaseTeam)
                    .where(col(CaseTeam.case_id) == work.case.id)
                    .where(col(CaseTeam.team) == team)
                    .values(role=role)
                )
    session.add_all(created)
    # A plain INSERT of the merge keys: a replica that stored the same key meanwhile makes this
    # batch fail and retry, and the retry joins that replica's case.
    for work in works:
        case_id = work.case.id
        session.add_all([CaseMergeKey(key=k, case_id=case_id, created_at=now) for k in work.keys])  # type: ignore[arg-type]
        session.add_all(
            [
                CaseThread(case_id=case_id, thread_id=t, rule=r, post_id=p, joined_at=now)  # type: ignore[arg-type]
                for t, r, p in work.links
            ]
        )
    session.flush()


def _fresh(session: Session, verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Verdicts of posts never seen before (first one wins inside the batch)."""
    first: dict[str, Verdict] = {}
    for verdict in verdicts:
        first.setdefault(verdict.post.post_id, verdict)
    unique = list(first.values())
    if not unique:
        return []
    ids = [v.post.post_id for v in unique]
    known = set(session.exec(select(PostRecord.id).where(col(PostRecord.id).in_(ids))))
    return [v for v in unique if v.post.post_id not in known]


def _staff(session: Session, book: PolicyBook, works: list[CaseWork], now: datetime) -> None:
    """Create the missing tasks and pick their assignees."""
    roster = Roster(session, book, now)
    for work in works:
        for index, (verdict, plans) in enumerate(work.contributions):
            for plan in plans:
                if plan.team in work.tasks:
                    continue
                task = new_task(work.case, plan, book, now)
                task.assignee = roster.pick(plan.team, lang=verdict.lang or verdict.post.lang)
                if task.assignee:
                    task.state = State.assigned.value
                work.tasks[plan.team] = task
                work.new_tasks[plan.team] = index


def new_task(case: Case, plan: TaskPlan, book: PolicyBook, now: datetime) -> Task:
    """The unassigned task a routing plan opens on a case, under the policy that applies."""
    policy = book.policy(team=plan.team, label=plan.label, severity=plan.severity.value)
    return Task(
        case_id=case.id,  # type: ignore[arg-type]
        team_id=plan.team,
        labels=list(plan.labels),
        label=plan.label,
        rules=list(plan.rules),
        severity=plan.severity.value,
        state=State.new.value,
        policy=policy.name,
        opened_at=now,
    )
