"""Rumour posts into stories, inside the intake transaction; a story that grows past the brand's
threshold raises its case and alerts its team, once.

`gather` runs before intake places posts in cases: each rumour post joins the open story whose
claim is closest (workflow.stories.claims), or opens one. The post that opens a story routes as
usual, and the case it lands in becomes the story's case; later posts of the story drop their
rumour concern (a post that had no other concern opens no case: it is recorded as a story post).
When the story's case has closed, the next post routes again and anchors the case it opens.

`settle` runs at the end of intake, once the posts are written, in the same transaction: it
links new stories to their case and, for a story that reached `spreading_at` posts, raises its
case's rumour task to the configured severity and emits one `escalated` case event (the alerting
service's path).

Several workflow replicas: `gather` takes a lock held until the transaction ends (an advisory
lock on PostgreSQL, the write lock on SQLite), so the replica that comes second reads the story
the first one opened; the one-time alert is a conditional update (`spread_at IS NULL`) that one
transaction alone wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from events.brand import BrandConfig, parse_duration
from events.schemas import CaseEventType, Label, Post, Severity, Verdict
from workflow.book import PolicyBook, refresh_case_sla, refresh_sla
from workflow.intake_posts import post_record
from workflow.models import Case, PostRecord, Story, StoryPost, Task
from workflow.records import RowBuffer, audit, emit, histories, task_snapshot
from workflow.routing import TaskPlan
from workflow.stories.claims import Centroid, ClaimReader, closest

__all__ = ["OPEN_STATES", "STATES", "claim_reader", "gather", "lock_stories", "reach", "settle"]

RUMOUR = Label.rumour.value
STATES = ("emerging", "spreading", "addressed", "debunked", "closed")
OPEN_STATES = STATES[:-1]
"""A closed story gathers no more posts (nor one quiet for `stories.match_within`): the same
claim later opens a new story."""

_LOCK_KEY = 0x76737479  # "vsty": serializes story matching across workflow replicas
_ENGAGEMENT = ("likes", "reposts", "replies", "quotes")  # as the connectors normalize them

Planned = list[tuple[Verdict, list[TaskPlan]]]

_READERS: dict[int, tuple[BrandConfig, ClaimReader]] = {}


def claim_reader(config: BrandConfig) -> ClaimReader:
    """The brand's claim reader: its topics, and its names and handles left out of claims
    (built once per configuration)."""
    cached = _READERS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    names = [config.brand.name, *config.brand.keywords]
    names += [h for handles in config.brand.accounts.values() for h in handles]
    reader = ClaimReader(config.stories.topics, names)
    _READERS[id(config)] = (config, reader)
    return reader


def reach(post: Post) -> int:
    """How many people a post may reach: the follower count it carries, else its engagement."""
    metrics = post.metrics
    for key in ("followers", "followers_count"):
        if metrics.get(key):
            return max(0, metrics[key])
    return sum(max(0, metrics.get(key, 0)) for key in _ENGAGEMENT)


def lock_stories(session: Session) -> None:
    """Serialize story changes with other writers until this transaction ends, so what is read
    next includes every story they opened: a transaction-scoped advisory lock on PostgreSQL; on
    SQLite, the database's write lock, taken now by a write that changes nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    else:
        session.execute(sa.text("UPDATE stories SET id = id WHERE 1 = 0"))


def gather(
    session: Session, book: PolicyBook, planned: Planned, rows: RowBuffer, now: datetime
) -> Planned:
    """Put the batch's rumour posts in stories; returns what is left to route (a post whose
    only concern was a known story's rumour is recorded here, as a story post)."""
    policy = book.config.stories
    if not policy.enabled or not any(_is_rumour(plans) for _, plans in planned):
        return planned
    lock_stories(session)
    quiet = now - parse_duration(policy.match_within)[0]
    stories = {
        s.id: s
        for s in session.exec(
            select(Story)
            .where(col(Story.state).in_(OPEN_STATES))
            .where(col(Story.updated_at) >= quiet)
        )
    }
    centroids = {i: Centroid(dict(s.terms), s.volume) for i, s in stories.items()}
    live = _live_cases(session, [s.case_id for s in stories.values() if s.case_id])
    reader = claim_reader(book.config)
    left: Planned = []
    for verdict, plans in planned:
        if not _is_rumour(plans):
            left.append((verdict, plans))
            continue
        terms = reader.terms(verdict.post.text, verdict.lang)
        match = closest(terms, centroids, policy.similarity)
        if match is None:
            story = _open(session, verdict, plans, now)
            stories[story.id] = story  # type: ignore[index]
            centroids[story.id] = Centroid({}, 0)  # type: ignore[index]
            similarity, shared = 1.0, ()
        else:
            story = stories[match.story_id]
            similarity, shared = match.similarity, match.shared
        if story.anchor_post_id is None or _case_gone(story, live):
            story.anchor_post_id, story.case_id = verdict.post.post_id, None
            left.append((verdict, plans))  # routes as usual: its case becomes the story's
        else:
            rest = _without_rumour(plans)
            if rest:
                left.append((verdict, rest))
            else:
                rows.add(PostRecord, post_record(
                    verdict, outcome="story", now=now, reason=f"joined rumour story #{story.id}"
                ))
        centroid = centroids[story.id]  # type: ignore[index]
        centroid.add(terms)
        _join(rows, story, centroid, verdict, similarity, shared, now)
    return left


def settle(session: Session, book: PolicyBook, now: datetime) -> int:
    """Link new stories to the case their anchor post landed in; raise the stories that reached
    the threshold, once each. Returns how many were raised."""
    unlinked = session.exec(
        select(Story.id, PostRecord.case_id)
        .join(PostRecord, col(PostRecord.id) == col(Story.anchor_post_id))
        .where(col(Story.case_id).is_(None))
        .where(col(PostRecord.case_id).is_not(None))
    ).all()
    for story_id, case_id in unlinked:
        session.execute(
            sa.update(Story)
            .where(col(Story.id) == story_id)
            .values(case_id=case_id)
            .execution_options(synchronize_session="fetch")
        )
    policy = book.config.stories
    grown = session.exec(
        select(Story.id)
        .where(col(Story.spread_at).is_(None))
        .where(col(Story.volume) >= policy.spreading_at)
        .where(col(Story.case_id).is_not(None))
        .where(col(Story.state).in_(OPEN_STATES))
    ).all()
    raised = 0
    for story_id in grown:
        won = session.execute(
            sa.update(Story)
            .where(col(Story.id) == story_id)
            .where(col(Story.spread_at).is_(None))
            .values(spread_at=now)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount == 1:  # type: ignore[attr-defined]
            story = session.get(Story, story_id, populate_existing=True)
            if story is not None:
                _spread(session, book, story, now)
                raised += 1
    return raised


def change_state(
    story: Story, state: str, *, actor: str, now: datetime, answer_url: str | None = None
) -> None:
    """A person's move: addressed (with the official answer's link), debunked, closed..."""
    story.state = state
    if answer_url is not None:
        story.answer_url = answer_url
    story.updated_at = now
    _record(story, now, actor=actor, state=state, answer_url=answer_url)


def _is_rumour(plans: Sequence[TaskPlan]) -> bool:
    return any(RUMOUR in plan.labels for plan in plans)


def _without_rumour(plans: Sequence[TaskPlan]) -> list[TaskPlan]:
    rest = []
    for plan in plans:
        labels = tuple(label for label in plan.labels if label != RUMOUR)
        if labels:
            rest.append(replace(plan, labels=labels))
    return rest


def _live_cases(session: Session, case_ids: Sequence[int | None]) -> set[int]:
    ids = [i for i in case_ids if i is not None]
    if not ids:
        return set()
    query = select(Case.id).where(col(Case.id).in_(ids)).where(col(Case.open_slot).is_not(None))
    return {i for i in session.exec(query) if i is not None}


def _case_gone(story: Story, live: set[int]) -> bool:
    """The story's case was closed (or purged) before this batch: a new post anchors a new one."""
    return story.case_id is not None and story.case_id not in live


def _open(session: Session, verdict: Verdict, plans: Sequence[TaskPlan], now: datetime) -> Story:
    post = verdict.post
    severity = min(
        (p.severity for p in plans if RUMOUR in p.labels), key=lambda s: s.rank, default=None
    )
    story = Story(
        claim=" ".join(post.text.split())[:300],
        terms={},
        state="emerging",
        severity=(severity or Severity.high).value,
        first_post_id=post.post_id,
        last_post_id=post.post_id,
        first_at=post.created_at,
        last_at=post.created_at,
        opened_at=now,
        updated_at=now,
    )
    _record(story, now, actor="system", state="emerging")
    session.add(story)
    session.flush()
    return story


def _join(
    rows: RowBuffer,
    story: Story,
    centroid: Centroid,
    verdict: Verdict,
    similarity: float,
    shared: Sequence[str],
    now: datetime,
) -> None:
    post = verdict.post
    lang = (verdict.lang or post.lang or "und")[:10]
    story.terms = dict(centroid.terms)
    story.volume = centroid.volume
    story.reach += reach(post)
    story.languages = sorted({*story.languages, lang})
    story.platforms = sorted({*story.platforms, post.platform})
    if post.created_at >= story.last_at:
        story.last_at, story.last_post_id = post.created_at, post.post_id
    if post.created_at < story.first_at:
        story.first_at, story.first_post_id = post.created_at, post.post_id
    story.updated_at = now
    rows.add(StoryPost, {
        "post_id": post.post_id,
        "story_id": story.id,
        "thread_id": post.thread_id,
        "platform": post.platform,
        "lang": lang,
        "created_at": post.created_at,
        "joined_at": now,
        "reach": reach(post),
        "similarity": similarity,
        "shared": list(shared[:8]),
    })


def _spread(session: Session, book: PolicyBook, story: Story, now: datetime) -> None:
    """The story reached the threshold: spreading, its case's rumour task raised, one event."""
    raise_to = book.config.stories.raise_to
    if story.state == "emerging":
        story.state = "spreading"
    story.severity = min((Severity(story.severity), raise_to), key=lambda s: s.rank).value
    story.updated_at = now
    _record(story, now, actor="system", state=story.state, volume=story.volume)
    case = session.get(Case, story.case_id)
    if case is None:
        return
    tasks = list(session.exec(select(Task).where(col(Task.case_id) == case.id)))
    task = next((t for t in tasks if RUMOUR in t.labels), tasks[0] if tasks else None)
    if task is None:
        return
    before = task_snapshot(task)
    task.severity = min((Severity(task.severity), raise_to), key=lambda s: s.rank).value
    case.severity = min((Severity(case.severity), raise_to), key=lambda s: s.rank).value
    history = histories(session, [task.id])  # type: ignore[list-item]
    refresh_sla(task, history.get(task.id, []), book, now)  # type: ignore[arg-type]
    refresh_case_sla(case, tasks)
    case.updated_at = now
    details: dict[str, Any] = {
        "step": "raise_severity",
        "severity": task.severity,
        "rung": f"story:{story.id}",
        "story_id": story.id,
        "story_volume": story.volume,
        "story_reach": story.reach,
    }
    audit(session, case=case, task=task, action="story_spreading", actor="system", at=now,
          before=before, after=task_snapshot(task) | {"story_id": story.id})
    emit(session, CaseEventType.escalated, case=case, task=task, at=now, details=details)


def _record(story: Story, now: datetime, **change: Any) -> None:
    """Append a state change to the story's history (a new list: JSON columns track assignment)."""
    entry = {"at": now.isoformat(), **{k: v for k, v in change.items() if v is not None}}
    story.history = [*story.history, entry]
