"""The brand's reply on the platform is the response: the one place that says so.

A post written by one of the brand's own accounts (`brand.accounts` of the configuration) in a
case's conversation, collected by ingest (a reply sent from Vigie comes back the same way),
counts as a response on the case's open tasks, as a person's "respond" click does: it meets the
first response, or the next response the customer's latest post started. It answers a task when
it was written after the customer's latest post of the case, or when the task has had no response
yet (a reply collected after a later follow-up still answered the first post). A reply to a post
of the case answers only the tasks of what that post's author raised there: answering the
customer does not meet the journalist's first response in the same thread.

The brand's posts are still routed by their labels (a support reply can expose a customer's
data, an official post can leak), never to triage: in a case, a label of a task already open
there is what the reply is about, so it answers that task rather than restarting its clock.
"""

from __future__ import annotations

from datetime import datetime

from events.brand import BrandConfig
from events.schemas import Post
from workflow.models import Case, Task
from workflow.records import RowBuffer, audit, task_snapshot
from workflow.routing import TRIAGE, TaskPlan
from workflow.sla import HistoryEvent, Kind
from workflow.transitions import OPEN_STATES

__all__ = ["BRAND", "answer_tasks", "brand_plans", "is_brand_post", "stored_source"]

BRAND = "brand"
"""The `source` a brand account's post is stored under (posts.source), shown as the brand's; its
payload keeps the source it came with (mention, or staff for an attributed publication)."""


def is_brand_post(post: Post, config: BrandConfig) -> bool:
    """Written by one of the brand's own accounts on its platform.

    Mastodon names an account of the instance read without its domain (`laurentia` for
    `laurentia@mastodon.social` read from mastodon.social): a handle without a domain matches
    the configured handle's user part."""
    handle = _bare(post.author.handle)
    for configured in config.brand.accounts.get(post.platform, []):
        brand = _bare(configured)
        if handle == brand or ("@" not in handle and handle == brand.split("@", 1)[0]):
            return True
    return False


def _bare(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def stored_source(post: Post, config: BrandConfig) -> str:
    """The `posts.source` of a post: `brand` for the brand's own, else as it came in."""
    return BRAND if is_brand_post(post, config) else post.source.value


def brand_plans(plans: list[TaskPlan]) -> list[TaskPlan]:
    """The tasks a brand post asks for: what its labels raise, never triage (its questions are
    the brand's own, asked of the customer)."""
    return [plan for plan in plans if plan.label != TRIAGE]


def answer_tasks(
    rows: RowBuffer,
    case: Case,
    tasks: dict[str, Task],
    history: dict[str, list[HistoryEvent]],
    post: Post,
    *,
    customer_at: datetime | None,
    now: datetime,
    asked: set[str] | None = None,
) -> list[Task]:
    """Record the brand's reply as a response on the open tasks it answers; returns the tasks
    it answered first (their time to first response is this reply's). `asked`: the concerns the
    author replied to raised in the case (None when the reply names no post of the case)."""
    firsts = []
    for team, task in tasks.items():
        if task.state not in OPEN_STATES:
            continue
        if asked is not None and not asked.intersection(task.labels):
            continue  # a reply to someone else in the thread
        events = history.setdefault(team, [])
        responded = any(e.kind in (Kind.response, Kind.closed) for e in events)
        if responded and customer_at is not None and post.created_at < customer_at:
            continue  # written before the customer's latest post: it does not answer it
        events.append(HistoryEvent(Kind.response, now))
        if not responded:
            firsts.append(task)
        rows.later(
            lambda task=task: audit(
                rows,
                case=case,
                task=task,
                action="brand_reply",
                actor="system",
                at=now,
                after=task_snapshot(task) | {"post_id": post.post_id, "url": post.url},
                clock=[Kind.response],
            )
        )
    return firsts
