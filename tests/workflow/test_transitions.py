"""The task state machine: allowed moves, refused moves with their reason, the case's state."""

from __future__ import annotations

import pytest

from workflow.transitions import Action, InvalidTransition, State, apply, case_state


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        ("new", "assign", "assigned"),
        ("new", "acknowledge", "acknowledged"),
        ("assigned", "assign", "assigned"),
        ("acknowledged", "assign", "acknowledged"),  # reassigning keeps the progress
        ("acknowledged", "acknowledge", "acknowledged"),  # answering a follow-up
        ("acknowledged", "wait", "waiting"),
        ("waiting", "resume", "acknowledged"),
        ("waiting", "resolve", "resolved"),
        ("assigned", "dismiss", "dismissed"),
        ("resolved", "reopen", "reopened"),
        ("dismissed", "reopen", "reopened"),
        ("reopened", "assign", "assigned"),
    ],
)
def test_allowed(state: str, action: str, expected: str) -> None:
    assert apply(state, action, assignee="priya") == State(expected)


@pytest.mark.parametrize(
    ("state", "action", "reason"),
    [
        ("resolved", "acknowledge", "cannot acknowledge a task that is resolved"),
        ("waiting", "acknowledge", "must resume first"),
        ("waiting", "wait", "not already waiting"),
        ("acknowledged", "resume", "only a waiting task can resume"),
        ("new", "reopen", "only a resolved or dismissed task"),
        ("dismissed", "resolve", "already closed"),
        ("resolved", "assign", "must be reopened"),
    ],
)
def test_refused_with_the_reason(state: str, action: str, reason: str) -> None:
    with pytest.raises(InvalidTransition, match=reason):
        apply(state, action)


def test_assign_without_assignee_keeps_a_new_task_new() -> None:
    assert apply("new", Action.assign) is State.new


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        (["acknowledged", "new"], "new"),
        (["resolved", "waiting"], "waiting"),
        (["resolved", "dismissed"], "resolved"),
        (["dismissed"], "dismissed"),
        (["reopened", "acknowledged"], "reopened"),
    ],
)
def test_case_state_is_the_least_advanced_open_task(tasks: list[str], expected: str) -> None:
    assert case_state(tasks) == expected
