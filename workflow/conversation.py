"""Which case a post joins: its conversation's, one a merge rule names, or a new one.

A case is a conversation. A post joins the open case of its thread (the thread the case opened
in, or one a merge rule joined to it), whatever it says: a new concern adds a task there. A
thread with no open case: a post raising a concern joins the open case a merge rule's key names
(the thread then belongs to that case, shown as "joined by rule ..."), else opens a case; a post
raising none joins the thread's latest case, open or closed, or stays without one. A question
that would go to triage is, inside an open case, the customer's follow-up for the tasks there.

Replicas agree. A thread's posts come in order on one Kafka partition (topics are keyed by thread
id), and a thread holds one open case (a unique key). A merge key (rule, platform, author,
concern, window) is a unique row naming one case: two replicas opening a case for the same key at
once conflict, and the loser's batch is retried and joins the winner's case. Windows are fixed
UTC spans from the epoch, so the key of a post does not depend on what was read before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from events.brand import BrandConfig
from events.schemas import Verdict
from workflow.intake_changes import CaseWork
from workflow.models import Case, CaseMergeKey, CaseTeam, CaseThread, PostRecord, Task
from workflow.responses import BRAND, is_brand_post
from workflow.routing import TRIAGE, TaskPlan
from workflow.transitions import State

__all__ = ["THREAD_SLOT", "merge_keys", "place"]

THREAD_SLOT = "thread"
"""`cases.open_slot` of an open case: one open case per thread."""


def merge_keys(
    config: BrandConfig, verdict: Verdict, plans: Sequence[TaskPlan]
) -> list[tuple[str, str]]:
    """(rule name, key) of every merge rule that applies to the post's concerns."""
    post = verdict.post
    if is_brand_post(post, config):
        return []  # the brand answers many people: its posts never merge threads
    stamp = int(post.created_at.timestamp())
    found = []
    for rule in config.case_merge:
        if post.source not in rule.source:
            continue
        for concern in (label for plan in plans for label in plan.labels):
            if rule.labels and concern not in rule.labels:
                continue
            window = stamp // rule.window_seconds
            raw = f"{rule.name}\x1f{post.platform}\x1f{post.author.id}\x1f{concern}\x1f{window}"
            found.append((rule.name, hashlib.sha256(raw.encode("utf-8")).hexdigest()))
    return list(dict.fromkeys(found))


def place(
    session: Session,
    config: BrandConfig,
    items: Sequence[tuple[Verdict, list[TaskPlan]]],
    now: datetime,
) -> tuple[list[CaseWork], list[Verdict]]:
    """The touched cases with what each post brings them, and the posts that join no case."""
    index = _Index()
    threads = {v.post.thread_id for v, _ in items}
    links = session.exec(select(CaseThread).where(col(CaseThread.thread_id).in_(threads))).all()
    for case in session.exec(
        select(Case)
        .where(
            or_(
                col(Case.thread_id).in_(threads),
                col(Case.id).in_({link.case_id for link in links}),
            )
        )
        .order_by(col(Case.id))
    ):
        index.add(CaseWork(case, is_new=False, concerns=set(case.labels)))
    for link in links:
        index.link(link.thread_id, index.by_id[link.case_id])
    _load_keys(session, config, index, items)
    alone: list[Verdict] = []
    for verdict, plans in items:
        if index.open_case(verdict.post.thread_id) and all(p.label == TRIAGE for p in plans):
            plans = []  # a question inside an open case is the customer's follow-up, not triage
        work = _join(config, index, verdict, plans, now)
        if work is None:
            alone.append(verdict)
            continue
        work.contributions.append((verdict, plans))
        work.concerns.update(label for plan in plans for label in plan.labels)
    active = [w for w in index.works if w.contributions]
    _load_tasks(session, [w for w in active if not w.is_new])
    return active, alone


def _join(
    config: BrandConfig, index: _Index, verdict: Verdict, plans: list[TaskPlan], now: datetime
) -> CaseWork | None:
    thread = verdict.post.thread_id
    work = index.open_case(thread)
    if work is not None:
        return work
    if not plans:
        return index.latest_case(thread)
    keys = merge_keys(config, verdict, plans)
    for rule, key in keys:
        target = index.by_key.get(key)
        if target is not None and target.case.open_slot is not None:
            work = target
            work.links.append((thread, rule, verdict.post.post_id))
            index.link(thread, work)
            break
    if work is None:
        work = index.add(CaseWork(_new_case(verdict, plans, now), is_new=True))
    for _, key in keys:
        if key not in index.by_key:
            index.by_key[key] = work
            work.keys.append(key)
    return work


class _Index:
    """Cases by id, by thread (opened there or joined by a rule) and by merge key."""

    def __init__(self) -> None:
        self.works: list[CaseWork] = []
        self.by_id: dict[int, CaseWork] = {}
        self.by_thread: dict[str, list[CaseWork]] = {}
        self.by_key: dict[str, CaseWork] = {}

    def add(self, work: CaseWork) -> CaseWork:
        self.works.append(work)
        if work.case.id is not None:
            self.by_id[work.case.id] = work
        self.link(work.case.thread_id, work)
        return work

    def link(self, thread: str, work: CaseWork) -> None:
        cases = self.by_thread.setdefault(thread, [])
        if work not in cases:
            cases.append(work)

    def open_case(self, thread: str) -> CaseWork | None:
        return next((w for w in self.by_thread.get(thread, []) if w.case.open_slot), None)

    def latest_case(self, thread: str) -> CaseWork | None:
        cases = self.by_thread.get(thread, [])
        return max(cases, key=lambda w: w.case.opened_at) if cases else None


def _load_keys(
    session: Session,
    config: BrandConfig,
    index: _Index,
    items: Sequence[tuple[Verdict, list[TaskPlan]]],
) -> None:
    """The stored merge keys the batch's thread-opening posts may join, with their open cases."""
    wanted = {
        key
        for verdict, plans in items
        if plans and index.open_case(verdict.post.thread_id) is None
        for _, key in merge_keys(config, verdict, plans)
    }
    if not wanted:
        return
    stored = session.exec(select(CaseMergeKey).where(col(CaseMergeKey.key).in_(wanted))).all()
    missing = {k.case_id for k in stored} - set(index.by_id)
    if missing:
        for case in session.exec(
            select(Case).where(col(Case.id).in_(missing)).order_by(col(Case.id))
        ):
            index.works.append(work := CaseWork(case, is_new=False, concerns=set(case.labels)))
            index.by_id[case.id] = work  # type: ignore[index]
    for row in stored:
        index.by_key[row.key] = index.by_id[row.case_id]


def _new_case(verdict: Verdict, plans: list[TaskPlan], now: datetime) -> Case:
    post = verdict.post
    concern = plans[0].label
    return Case(
        thread_id=post.thread_id,
        concern=concern,
        open_slot=THREAD_SLOT,
        platform=post.platform,
        author_id=post.author.id,
        author_handle=post.author.handle,
        lang=(verdict.lang or post.lang or "und")[:10],
        state=State.new.value,
        severity=min((p.severity for p in plans), key=lambda s: s.rank).value,
        labels=[],
        summary=post.text[:280],
        summary_post_id=post.post_id,
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
    latest = session.exec(
        select(PostRecord.case_id, func.max(PostRecord.created_at))
        .where(col(PostRecord.case_id).in_(list(by_id)))
        .where(col(PostRecord.source) != BRAND)
        .group_by(col(PostRecord.case_id))
    )
    for case_id, at in latest:
        by_id[case_id].customer_at = at
