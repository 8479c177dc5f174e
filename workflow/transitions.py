"""The task state machine: which action is allowed in which state, and where it leads.

Pure. An action refused here comes back to the caller with the reason (the API answers 422).
High-risk tasks take one more step: `resolve` or `dismiss` parks them in `pending_review` until
a second person approves (resolved or dismissed, as asked) or rejects (back to acknowledged); who
may approve is checked by workflow.review, not here.
"""

from __future__ import annotations

from enum import StrEnum

from workflow.sla import Kind

__all__ = [
    "CLOSED_STATES",
    "HISTORY_KINDS",
    "OPEN_STATES",
    "OPEN_STATE_VALUES",
    "REVIEW_KINDS",
    "WORKING_STATES",
    "Action",
    "InvalidTransition",
    "State",
    "apply",
    "case_state",
]


class State(StrEnum):
    new = "new"
    assigned = "assigned"
    acknowledged = "acknowledged"
    waiting = "waiting"
    pending_review = "pending_review"
    resolved = "resolved"
    dismissed = "dismissed"
    reopened = "reopened"


class Action(StrEnum):
    assign = "assign"
    acknowledge = "acknowledge"
    wait = "wait"
    resume = "resume"
    resolve = "resolve"
    dismiss = "dismiss"
    reopen = "reopen"
    approve = "approve"
    reject = "reject"


OPEN_STATES = frozenset(
    {
        State.new,
        State.assigned,
        State.acknowledged,
        State.waiting,
        State.pending_review,
        State.reopened,
    }
)
OPEN_STATE_VALUES = tuple(sorted(s.value for s in OPEN_STATES))
"""The same states as stored strings, for SQL `IN` filters."""
WORKING_STATES = OPEN_STATES - {State.pending_review}
"""Open and not waiting for a reviewer: the team is still working on the task."""
CLOSED_STATES = frozenset({State.resolved, State.dismissed})


class InvalidTransition(ValueError):
    """The action does not apply to the task's current state; the message says why."""


_ALLOWED: dict[Action, frozenset[State]] = {
    Action.assign: OPEN_STATES,
    # Acknowledging again answers a later post of the customer (the next-response clock).
    Action.acknowledge: frozenset({State.new, State.assigned, State.acknowledged, State.reopened}),
    Action.wait: frozenset({State.new, State.assigned, State.acknowledged, State.reopened}),
    Action.resume: frozenset({State.waiting}),
    Action.resolve: WORKING_STATES,
    Action.dismiss: WORKING_STATES,
    Action.reopen: CLOSED_STATES,
    Action.approve: frozenset({State.pending_review}),
    Action.reject: frozenset({State.pending_review}),
}

_HINTS: dict[Action, str] = {
    Action.acknowledge: "a waiting task must resume first, a closed one be reopened",
    Action.wait: "only an open task that is not already waiting can wait",
    Action.resume: "only a waiting task can resume",
    Action.reopen: "only a resolved or dismissed task can be reopened",
    Action.assign: "a closed task must be reopened before it is assigned",
    Action.resolve: "it is already closed",
    Action.dismiss: "it is already closed",
    Action.approve: "only a closing waiting for review can be approved",
    Action.reject: "only a closing waiting for review can be rejected",
}
_UNDER_REVIEW = "a second person must first approve or reject the closing it waits for"

HISTORY_KINDS: dict[Action, tuple[Kind, ...]] = {
    Action.assign: (),
    Action.acknowledge: (Kind.response,),
    Action.wait: (Kind.response, Kind.waiting),
    Action.resume: (Kind.resumed,),
    Action.resolve: (Kind.closed,),
    Action.dismiss: (Kind.closed,),
    Action.reopen: (Kind.reopened,),
    Action.approve: (Kind.closed,),
    Action.reject: (),
}
"""What each action means for the SLA clock (asking the customer to wait is also a response)."""
REVIEW_KINDS: tuple[Kind, ...] = (Kind.response,)
"""A closing sent for review is a response, not yet a closing: the resolution clock runs on."""


def apply(
    state: State | str,
    action: Action | str,
    *,
    assignee: str | None = None,
    needs_review: bool = False,
    requested: Action | str | None = None,
) -> State:
    """The state after `action`, or InvalidTransition with the reason.

    `needs_review`: the task is high-risk, so `resolve` and `dismiss` only ask for a second
    person's review; `requested` is what the approved review does (resolve or dismiss).
    """
    state, action = State(state), Action(action)
    if state not in _ALLOWED[action]:
        hint = _UNDER_REVIEW if state is State.pending_review else _HINTS[action]
        raise InvalidTransition(f"cannot {action.value} a task that is {state.value}: {hint}")
    if action in (Action.resolve, Action.dismiss) and needs_review:
        return State.pending_review
    if action is Action.approve:
        return State.dismissed if requested == Action.dismiss else State.resolved
    if action is Action.assign:
        if state in (State.new, State.reopened):
            return State.assigned if assignee else state
        return state
    return {
        Action.acknowledge: State.acknowledged,
        Action.wait: State.waiting,
        Action.resume: State.acknowledged,
        Action.resolve: State.resolved,
        Action.dismiss: State.dismissed,
        Action.reopen: State.reopened,
        Action.reject: State.acknowledged,
    }[action]


def case_state(task_states: list[str]) -> str:
    """A case's state from its tasks: the least advanced open state, else resolved/dismissed."""
    order = [
        State.new,
        State.reopened,
        State.assigned,
        State.acknowledged,
        State.waiting,
        State.pending_review,
    ]
    states = {State(s) for s in task_states}
    for state in order:
        if state in states:
            return state.value
    if State.resolved in states:
        return State.resolved.value
    return State.dismissed.value if states else State.new.value
