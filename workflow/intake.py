"""Verdicts into cases, in one transaction per batch.

Every post is stored once (its primary key makes a replayed batch a no-op). A routed post joins
the open case of its thread that shares one of its concerns, else an open case of the same
author sharing one, else opens a case; it gets one task per owning team. Shadow verdicts are
kept for model comparison and never routed.

Everything is computed in memory first; then new cases, new tasks and the append-only rows
(posts, labels, teams, audit, outbox) are written with one statement per table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from events.schemas import Verdict
from workflow.book import PolicyBook
from workflow.intake_changes import CaseWork, apply_contributions
from workflow.intake_posts import insert_shadows, post_record, recorded_reason
from workflow.models import Case, CaseTeam, PostRecord, Task
from workflow.records import RowBuffer
from workflow.routing import TRIAGE, TaskPlan, plan_tasks
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


def ingest_verdicts(
    session: Session, book: PolicyBook, verdicts: Sequence[Verdict], *, now: datetime
) -> IntakeResult:
    """Record a batch of verdicts; the caller commits."""
    result = IntakeResult(received=len(verdicts))
    primary = [v for v in verdicts if not v.shadow]
    result.shadow = insert_shadows(session, [v for v in verdicts if v.shadow])
    fresh = _fresh(session, primary)
    result.duplicates = len(primary) - len(fresh)
    planned = [(v, plan_tasks(v, book.config)) for v in fresh]
    rows = RowBuffer()
    # Rumour posts of a known story join it instead of opening cases (workflow.stories).
    planned = gather_stories(session, book, planned, rows, now)
    for verdict, plans in planned:
        if not plans:
            rows.add(
                PostRecord,
                post_record(
                    verdict,
                    outcome="recorded",
                    now=now,
                    reason=recorded_reason(verdict, book.config),
                ),
            )
    result.recorded = sum(1 for _, plans in planned if not plans)
    routed = [(v, plans) for v, plans in planned if plans]
    if routed:
        with session.no_autoflush:  # nothing reaches the database before _persist
            works = _place(session, routed, now)
            result.opened = sum(1 for w in works if w.is_new)
            result.joined = len(routed) - result.opened
            result.triage = sum(1 for _, plans in routed if plans[0].label == TRIAGE)
            _staff(session, book, works, now)
            apply_contributions(session, book, works, rows, now)
        _persist(session, works)
    rows.write(session)
    settle_stories(session, book, now)  # new stories find their case; grown ones alert
    return result


def _persist(session: Session, works: list[CaseWork]) -> None:
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


def _place(
    session: Session, routed: list[tuple[Verdict, list[TaskPlan]]], now: datetime
) -> list[CaseWork]:
    """Find or open the case of each routed verdict."""
    threads = {v.post.thread_id for v, _ in routed}
    authors = {v.post.author.id for v, _ in routed}
    open_cases = session.exec(
        select(Case)
        .where(col(Case.open_slot).is_not(None))
        .where(or_(col(Case.thread_id).in_(threads), col(Case.author_id).in_(authors)))
        .order_by(col(Case.id))
    ).all()
    index = _OpenIndex()
    for case in open_cases:
        index.add(CaseWork(case, is_new=False, concerns=set(case.labels)))
    for verdict, plans in routed:
        work = index.find(verdict, plans)
        if work is None:
            work = index.add(CaseWork(_new_case(verdict, plans, now), is_new=True))
        work.contributions.append((verdict, plans))
        work.concerns.update(label for plan in plans for label in plan.labels)
    active = [w for w in index.works if w.contributions]
    _load_tasks(session, [w for w in active if not w.is_new])
    return active


class _OpenIndex:
    """Open cases by thread and by author, for finding the case a post joins."""

    def __init__(self) -> None:
        self.works: list[CaseWork] = []
        self.by_thread: dict[str, list[CaseWork]] = {}
        self.by_author: dict[tuple[str, str], list[CaseWork]] = {}

    def add(self, work: CaseWork) -> CaseWork:
        self.works.append(work)
        self.by_thread.setdefault(work.case.thread_id, []).append(work)
        self.by_author.setdefault((work.case.platform, work.case.author_id), []).append(work)
        return work

    def find(self, verdict: Verdict, plans: list[TaskPlan]) -> CaseWork | None:
        """Same thread first, then same author; sharing a concern either way."""
        concerns = {label for plan in plans for label in plan.labels}
        post = verdict.post
        for work in self.by_thread.get(post.thread_id, []):
            if work.case.open_slot == plans[0].label or concerns & work.concerns:
                return work
        for work in self.by_author.get((post.platform, post.author.id), []):
            if concerns & work.concerns:
                return work
        return None


def _new_case(verdict: Verdict, plans: list[TaskPlan], now: datetime) -> Case:
    post = verdict.post
    concern = plans[0].label
    return Case(
        thread_id=post.thread_id,
        concern=concern,
        open_slot=concern,
        platform=post.platform,
        author_id=post.author.id,
        author_handle=post.author.handle,
        lang=(verdict.lang or post.lang or "und")[:10],
        state=State.new.value,
        severity=min((p.severity for p in plans), key=lambda s: s.rank).value,
        labels=[],
        summary=post.text[:280],
        search_text="",
        post_count=0,
        opened_at=now,
        updated_at=now,
    )


def _load_tasks(session: Session, works: list[CaseWork]) -> None:
    by_id = {w.case.id: w for w in works}
    if not by_id:
        return
    for task in session.exec(select(Task).where(col(Task.case_id).in_(list(by_id)))):
        by_id[task.case_id].tasks[task.team_id] = task
    for row in session.exec(select(CaseTeam).where(col(CaseTeam.case_id).in_(list(by_id)))):
        by_id[row.case_id].teams[row.team] = row.role
        by_id[row.case_id].stored_teams[row.team] = row.role


def _staff(session: Session, book: PolicyBook, works: list[CaseWork], now: datetime) -> None:
    """Create the missing tasks and pick their assignees."""
    roster = Roster(session)
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
