"""What a batch of verdicts does to each touched case, computed in memory before it is written.

Posts join cases, labels and teams grow, the summary follows the post that set the severity.
Tasks hear about new posts: a customer's post, tagged or not, starts the next-response clock of
every open task and resumes a waiting one (a post raising a task's concern also reopens it when
closed); the brand's own reply is a response (workflow.responses). SLA columns are recomputed;
rows that need database ids (posts, labels, teams, audit, outbox) are deferred until the cases
and tasks have them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlmodel import Session, col, select

from events.schemas import CaseEventType, Severity, Verdict
from workflow.book import PolicyBook, refresh_case_sla, refresh_sla
from workflow.intake_posts import post_record
from workflow.models import Case, CaseLabel, CaseTeam, PostRecord, Task
from workflow.records import RowBuffer, audit, emit, histories, task_snapshot
from workflow.responses import BRAND, answer_tasks, is_brand_post
from workflow.routing import TRIAGE, TaskPlan
from workflow.sla import HistoryEvent, Kind
from workflow.timings import time_first_response
from workflow.transitions import CLOSED_STATES, OPEN_STATES, State, case_state

__all__ = ["CaseWork", "apply_contributions"]

SEARCH_CHARS = 4000


@dataclass
class CaseWork:
    """What one batch does to one case."""

    case: Case
    is_new: bool
    contributions: list[tuple[Verdict, list[TaskPlan]]] = field(default_factory=list)
    tasks: dict[str, Task] = field(default_factory=dict)
    new_tasks: dict[str, int] = field(default_factory=dict)  # team -> contribution that opened it
    teams: dict[str, str] = field(default_factory=dict)
    stored_teams: dict[str, str] = field(default_factory=dict)  # as in the database before
    concerns: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (thread, rule, post) joined
    keys: list[str] = field(default_factory=list)  # merge keys this batch stores for the case
    customer_at: datetime | None = None  # when the customer's latest post of the case was written
    post_authors: dict[str, str] = field(default_factory=dict)  # post id -> author id, in the case
    raised: dict[str, set[str]] = field(default_factory=dict)  # author id -> concerns they raised


def apply_contributions(
    session: Session, book: PolicyBook, works: list[CaseWork], rows: RowBuffer, now: datetime
) -> None:
    """Posts, labels, teams, audit, SLA columns and outbox events of every touched case."""
    old = histories(
        session, [t.id for w in works for t in w.tasks.values() if t.team_id not in w.new_tasks]
    )  # type: ignore[misc]
    _load_askers(session, [w for w in works if not w.is_new])
    for work in works:
        history = {team: list(old.get(task.id, [])) for team, task in work.tasks.items()}  # type: ignore[arg-type]
        for index, (verdict, plans) in enumerate(work.contributions):
            brand = is_brand_post(verdict.post, book.config)
            for task in _contribute(rows, work, index, verdict, plans, history, now, brand=brand):
                time_first_response(session, task, now)
        _finish(rows, book, work, history, now)


def _load_askers(session: Session, works: list[CaseWork]) -> None:
    """Who wrote each stored post of these cases, and the concerns each author raised there: a
    brand reply answers the tasks of the person it replies to."""
    by_id = {w.case.id: w for w in works}
    if not by_id:
        return
    stored = session.exec(
        select(
            PostRecord.id, PostRecord.case_id, PostRecord.author_id, PostRecord.source,
            PostRecord.outcome, PostRecord.labels,
        ).where(col(PostRecord.case_id).in_(list(by_id)))
    )
    for post_id, case_id, author_id, source, outcome, labels in stored:
        work = by_id[case_id]
        work.post_authors[post_id] = author_id
        if source != BRAND:
            concerns = work.raised.setdefault(author_id, set())
            concerns.update(lv["label"] for lv in labels)
            if outcome == "triage":
                concerns.add(TRIAGE)


def _contribute(
    rows: RowBuffer,
    work: CaseWork,
    index: int,
    verdict: Verdict,
    plans: list[TaskPlan],
    history: dict[str, list[HistoryEvent]],
    now: datetime,
    *,
    brand: bool,
) -> list[Task]:
    """Add one post to the case; returns the tasks it gave their first response."""
    case, post = work.case, verdict.post
    rows.later(partial(_add_post, rows, case, verdict, plans, now, brand=brand))
    _merge_labels(rows, case, plans, verdict)
    case.post_count += 1
    case.search_text = (case.search_text + " " + _searchable(verdict))[:SEARCH_CHARS]
    opening = work.is_new and index == 0
    if not opening:
        case.updated_at = now
        after = {"post_id": post.post_id, "labels": [x for p in plans for x in p.labels]}
        rows.later(
            partial(
                audit, rows, case=case, action="post_added", actor="system", at=now, after=after
            )
        )
        rows.later(lambda: _emit_post_added(rows, case, post.post_id, _assignees(work), now))
    touched = set()
    for plan in plans:
        for team, role in [(plan.team, "owner")] + [(t, "copy") for t in plan.copy_to]:
            if work.teams.get(team) != "owner":
                work.teams[team] = role
        if brand and work.new_tasks.get(plan.team) != index:
            task = work.tasks[plan.team]  # the brand's reply answers the task it is about (below)
            task.labels = list(dict.fromkeys([*task.labels, *plan.labels]))
            continue
        _touch_task(rows, work, index, plan, history, now)
        touched.add(plan.team)
    # The other tasks already open before this post hear it too: a reply, or the customer again.
    others = {
        team: task
        for team, task in work.tasks.items()
        if team not in touched and work.new_tasks.get(team, -1) < index
    }
    work.post_authors[post.post_id] = post.author.id
    if brand:
        asker = work.post_authors.get(f"{post.platform}:{post.reply_to_id}")
        return answer_tasks(
            rows, case, others, history, post, customer_at=work.customer_at, now=now,
            asked=None if asker is None else work.raised.get(asker, set()),
        )
    work.raised.setdefault(post.author.id, set()).update(x for p in plans for x in p.labels)
    for team in others:
        _hear(rows, work, team, history, now)
    if work.customer_at is None or post.created_at > work.customer_at:
        work.customer_at = post.created_at
    return []


def _add_post(
    rows: RowBuffer,
    case: Case,
    verdict: Verdict,
    plans: list[TaskPlan],
    now: datetime,
    *,
    brand: bool,
) -> None:
    post = verdict.post
    if plans:
        outcome, reason = ("triage" if plans[0].label == TRIAGE else "routed"), ""
    else:
        outcome = "joined"
        reason = "the brand's reply" if brand else "follow-up in the conversation"
    source = BRAND if brand else post.source.value
    record = post_record(
        verdict,
        outcome=outcome,
        now=now,
        case_id=case.id,
        reason=reason,
        rules=[r for p in plans for r in p.rules],
    )
    rows.add(PostRecord, record | {"source": source})


def _emit_post_added(
    rows: RowBuffer, case: Case, post_id: str, assignees: dict[str, str], now: datetime
) -> None:
    details = {"post_id": post_id, "quote_post_id": case.summary_post_id, "assignees": assignees}
    emit(rows, CaseEventType.post_added, case=case, at=now, details=details)


def _merge_labels(rows: RowBuffer, case: Case, plans: list[TaskPlan], verdict: Verdict) -> None:
    labels = list(case.labels)
    for label in (x for p in plans for x in p.labels):
        if label not in labels:
            labels.append(label)
            rows.later(partial(_add_label, rows, case, label))
    case.labels = labels
    current = Severity(case.severity)
    raised = min((p.severity for p in plans), key=lambda s: s.rank, default=current)
    if raised.rank < current.rank:  # the summary quotes the post that set the severity
        case.severity = raised.value
        case.summary, case.summary_post_id = verdict.post.text[:280], verdict.post.post_id


def _add_label(rows: RowBuffer, case: Case, label: str) -> None:
    rows.add(CaseLabel, {"case_id": case.id, "label": label})


def _touch_task(
    rows: RowBuffer,
    work: CaseWork,
    index: int,
    plan: TaskPlan,
    history: dict[str, list[HistoryEvent]],
    now: datetime,
) -> None:
    task = work.tasks[plan.team]
    if work.new_tasks.get(plan.team) == index:
        history[plan.team] = [HistoryEvent(Kind.opened, now)]
        rows.later(
            partial(
                audit,
                rows,
                case=work.case,
                task=task,
                action="task_opened",
                actor="system",
                at=now,
                clock=[Kind.opened],
                after=task_snapshot(task) | {"rules": list(plan.rules)},
            )
        )
        return
    _hear(rows, work, plan.team, history, now, labels=plan.labels)


def _hear(
    rows: RowBuffer,
    work: CaseWork,
    team: str,
    history: dict[str, list[HistoryEvent]],
    now: datetime,
    *,
    labels: tuple[str, ...] = (),
) -> None:
    """A customer's post reaches an existing task: the next-response clock starts, a waiting
    task resumes; a post raising the task's concern (`labels`) also reopens it when closed."""
    task = work.tasks[team]
    if task.state not in OPEN_STATES and not labels:
        return
    before = task_snapshot(task)
    clock = [Kind.post]
    if task.state == State.waiting.value:
        task.state, clock = State.acknowledged.value, [Kind.resumed, Kind.post]
    elif task.state in CLOSED_STATES:
        task.state, task.closed_at, clock = State.reopened.value, None, [Kind.reopened, Kind.post]
    task.labels = list(dict.fromkeys([*task.labels, *labels]))
    history.setdefault(team, []).extend(HistoryEvent(k, now) for k in clock)
    rows.later(
        partial(
            audit,
            rows,
            case=work.case,
            task=task,
            action="post_added",
            actor="system",
            at=now,
            before=before,
            after=task_snapshot(task),
            clock=clock,
        )
    )


def _finish(
    rows: RowBuffer,
    book: PolicyBook,
    work: CaseWork,
    history: dict[str, list[HistoryEvent]],
    now: datetime,
) -> None:
    case = work.case
    for team, task in work.tasks.items():
        refresh_sla(task, history.get(team, []), book, now)
    tasks = list(work.tasks.values())
    refresh_case_sla(case, tasks)
    case.state = case_state([t.state for t in tasks])
    case.restricted = any(t.team_id in book.restricted_teams for t in tasks)
    if work.is_new:
        verdict, plans = work.contributions[0]
        rows.later(
            partial(
                emit,
                rows,
                CaseEventType.opened,
                case=case,
                at=now,
                details={
                    "post_id": verdict.post.post_id,
                    "teams": [p.team for p in plans],
                    "rules": [r for p in plans for r in p.rules],
                    "copy_to": sorted({t for p in plans for t in p.copy_to}),
                    "url": verdict.post.url,
                    "quote_post_id": case.summary_post_id,
                    "assignees": _assignees(work),
                },
            )
        )
    rows.later(partial(_add_teams, rows, work))
    for team in work.new_tasks:
        task = work.tasks[team]
        if task.assignee:
            rows.later(
                partial(
                    emit,
                    rows,
                    CaseEventType.assigned,
                    case=case,
                    task=task,
                    at=now,
                    details={"reason": "new task"},
                )
            )


def _assignees(work: CaseWork) -> dict[str, str]:
    """Team -> assignee of the case's tasks, for a case-wide event (alerts name them)."""
    return {team: t.assignee for team, t in work.tasks.items() if t.assignee}


def _add_teams(rows: RowBuffer, work: CaseWork) -> None:
    for team, role in work.teams.items():
        if team not in work.stored_teams:
            rows.add(CaseTeam, {"case_id": work.case.id, "team": team, "role": role})


def _searchable(verdict: Verdict) -> str:
    post = verdict.post
    return f"@{post.author.handle} {post.author.display_name or ''} {post.text}".lower()
