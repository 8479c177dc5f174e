"""The second reviewer of high-risk cases: one person asks to close a task, another approves.

On a case labelled risky_disclosure or investor_sensitive (VIGIE_REVIEW_LABELS), `resolve` and
`dismiss` do not close the task: it waits in `pending_review` with who asked, when, and for
which outcome. Someone else with the agent role in the task's team then approves (the task
closes as asked) or rejects it with a reason (back to acknowledged). Nobody approves their own
request, whatever their role: the point is two pairs of eyes on a leak or a market-moving post.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.book import PolicyBook
from workflow.errors import InvalidAction
from workflow.models import Case, Task
from workflow.principal import Principal
from workflow.transitions import Action, State

__all__ = ["check_request", "needs_review", "record_review", "review_snapshot"]


def needs_review(case: Case, book: PolicyBook) -> bool:
    """Whether closing this case's tasks takes a second person."""
    return not book.review_labels.isdisjoint(case.labels)


def check_request(task: Task, principal: Principal, action: Action, reason: str | None) -> None:
    """Refuse an approval by the person who asked, and a rejection without a reason."""
    if action is Action.approve and task.review_requested_by == principal.username:
        raise InvalidAction(
            f"you asked to {task.review_outcome} this task: a second person must approve it "
            "(high-risk cases are closed by two people)"
        )
    if action is Action.reject and not (reason and reason.strip()):
        raise InvalidAction("reject needs a reason: say what must change before closing")


def record_review(
    task: Task, action: Action, state: State, principal: Principal, now: datetime
) -> None:
    """Keep the review columns in step with the transition that just happened."""
    if state is State.pending_review:
        task.review_outcome = action.value
        task.review_requested_by, task.review_requested_at = principal.username, now
        task.reviewed_by = task.reviewed_at = None
    elif action is Action.approve:
        task.reviewed_by, task.reviewed_at = principal.username, now
    elif action in (Action.reject, Action.reopen):
        task.review_outcome = task.review_requested_by = task.review_requested_at = None
        task.reviewed_by = task.reviewed_at = None


def review_snapshot(task: Task) -> dict[str, Any]:
    """The review fields an audit entry shows: those the task has."""
    fields = {
        "review_outcome": task.review_outcome,
        "review_requested_by": task.review_requested_by,
        "reviewed_by": task.reviewed_by,
    }
    return {name: value for name, value in fields.items() if value is not None}
