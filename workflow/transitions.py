"""The task state machine: which action is allowed in which state, and where it leads.

Pure. An action refused here comes back to the caller with the reason (the API answers 422).
"""

from __future__ import annotations

from enum import StrEnum

from workflow.sla import Kind

__all__ = [
    "HISTORY_KINDS",
    "OPEN_STATES",
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


OPEN_STATES = frozenset(
    {State.new, State.assigned, State.acknowledged, State.waiting, State.reopened}
)
CLOSED_STATES = frozenset({State.resolved, State.dismissed})


class InvalidTransition(ValueError):
    """The action does not apply to the task's current state; the message says why."""


_ALLOWED: dict[Action, frozenset[State]] = {
    Action.assign: OPEN_STATES,
    # Acknowledging again answers a later post of the customer (the next-response clock).
    Action.acknowledge: frozenset({State.new, State.assigned, State.acknowledged, State.reopened}),
    Action.wait: frozenset({State.new, State.assigned, State.acknowledged, State.reopened}),
    Action.resume: frozenset({State.waiting}),
    Action.resolve: OPEN_STATES,
    Action.dismiss: OPEN_STATES,
    Action.reopen: CLOSED_STATES,
}

_HINTS: dict[Action, str] = {
    Action.acknowledge: "a waiting task must resume first, a closed one be reopened",
    Action.wait: "only an open task that is not already waiting can wait",
    Action.resume: "only a waiting task can resume",
    Action.reopen: "only a resolved or dismissed task can be reopened",
    Action.assign: "a closed task must be reopened before it is assigned",
    Action.resolve: "it is already closed",
    Action.dismiss: "it is already closed",
}

HISTORY_KINDS: dict[Action, tuple[Kind, ...]] = {
    Action.assign: (),
    Action.acknowledge: (Kind.response,),
    Action.wait: (Kind.response, Kind.waiting),
    Action.resume: (Kind.resumed,),
    Action.resolve: (Kind.closed,),
    Action.dismiss: (Kind.closed,),
    Action.reopen: (Kind.reopened,),
}
"""What each action means for the SLA clock (asking the customer to wait is also a response)."""


def apply(state: State | str, action: Action | str, *, assignee: str | None = None) -> State:
    """The state after `action`, or InvalidTransition with the reason."""
    state, action = State(state), Action(action)
    if state not in _ALLOWED[action]:
        raise InvalidTransition(
            f"cannot {action.value} a task that is {state.value}: {_HINTS[action]}"
        )
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
    }[action]


def case_state(task_states: list[str]) -> str:
    """A case's state from its tasks: the least advanced open state, else resolved/dismissed."""
    order = [State.new, State.reopened, State.assigned, State.acknowledged, State.waiting]
    states = {State(s) for s in task_states}
    for state in order:
        if state in states:
            return state.value
    if State.resolved in states:
        return State.resolved.value
    return State.dismissed.value if states else State.new.value
