"""The second reviewer of high-risk cases: one person asks to close a task, another approves.

On a case labelled risky_disclosure or investor_sensitive (VIGIE_REVIEW_LABELS), `resolve` and
`dismiss` do not close the task: it waits in `pending_review` with who asked, when, and for
which outcome. Someone else with the agent role in the task's team then approves (the task
closes as asked) or rejects it with a reason (back to acknowledged). Nobody approves or rejects
their own request, whatever their role: the point is two pairs of eyes on a leak or a
market-moving post, and the asker must not be able to reset the gate alone.

The gate is a property of the case, not of its current labels: a case that ever carried a review
label keeps `review_gate`, so relabeling it away does not make its closing a one-person act; and
removing the review label itself is only a request until a second person confirms it
(`relabel_gate`, used by workflow.relabel).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.book import PolicyBook
from workflow.errors import InvalidAction
from workflow.models import Case, Task
from workflow.principal import Principal
from workflow.transitions import Action, State

__all__ = ["check_request", "needs_review", "record_review", "relabel_gate", "review_snapshot"]


def needs_review(case: Case, book: PolicyBook) -> bool:
    """Whether closing this case's tasks takes a second person: it carries, or once carried, a
    review label."""
    return case.review_gate or not book.review_labels.isdisjoint(case.labels)


def relabel_gate(
    case: Case,
    book: PolicyBook,
    labels: list[str],
    post_id: str,
    principal: Principal,
    now: datetime,
) -> tuple[bool, str | None]:
    """Whether a relabel to `labels` applies now, and whose earlier request it confirms.

    A relabel that drops a review label is first stored as a request on the case (nothing else
    changes: `(False, None)`); the same relabel by another person confirms it (`(True, asker)`).
    The asker repeating it is refused. Any other relabel applies at once (`(True, None)`).
    """
    dropped = [x for x in case.labels if x in book.review_labels and x not in labels]
    if not dropped:
        return True, None
    request = case.relabel_request
    if request and sorted(request["labels"]) == sorted(labels) and request["post_id"] == post_id:
        if request["requested_by"] == principal.username:
            raise InvalidAction(
                f"you asked to remove {', '.join(dropped)} from this case: a second person "
                "must confirm it by sending the same relabel"
            )
        return True, str(request["requested_by"])
    case.relabel_request = {
        "labels": labels,
        "post_id": post_id,
        "requested_by": principal.username,
        "requested_at": now.isoformat(),
    }
    return False, None


def check_request(task: Task, principal: Principal, action: Action, reason: str | None) -> None:
    """Refuse an approval by the person who asked, and a rejection without a reason."""
    if action is Action.approve and task.review_requested_by == principal.username:
        raise InvalidAction(
            f"you asked to {task.review_outcome} this task: a second person must approve it "
            "(high-risk cases are closed by two people)"
        )
    if action is Action.reject and task.review_requested_by == principal.username:
        raise InvalidAction(
            f"you asked to {task.review_outcome} this task: a second person approves or "
            "rejects it (the asker cannot reset the review)"
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
