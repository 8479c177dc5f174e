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
        ("pending_review", "assign", "pending_review"),  # a new reviewer, same step
        ("pending_review", "reject", "acknowledged"),
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
        ("pending_review", "resolve", "second person must first approve or reject"),
        ("pending_review", "dismiss", "second person must first approve or reject"),
        ("pending_review", "wait", "second person must first approve or reject"),
        ("acknowledged", "approve", "only a closing waiting for review can be approved"),
        ("resolved", "reject", "only a closing waiting for review can be rejected"),
    ],
)
def test_refused_with_the_reason(state: str, action: str, reason: str) -> None:
    with pytest.raises(InvalidTransition, match=reason):
        apply(state, action)


@pytest.mark.parametrize(
    ("state", "action", "requested", "expected"),
    [
        ("acknowledged", "resolve", None, "pending_review"),
        ("waiting", "dismiss", None, "pending_review"),
        ("pending_review", "approve", "resolve", "resolved"),
        ("pending_review", "approve", "dismiss", "dismissed"),
        ("resolved", "reopen", None, "reopened"),
        ("acknowledged", "wait", None, "waiting"),  # only closings wait for a review
    ],
)
def test_high_risk_closings_go_through_review(
    state: str, action: str, requested: str | None, expected: str
) -> None:
    assert apply(state, action, needs_review=True, requested=requested) == State(expected)


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
        (["pending_review", "resolved"], "pending_review"),
        (["pending_review", "waiting"], "waiting"),
    ],
)
def test_case_state_is_the_least_advanced_open_task(tasks: list[str], expected: str) -> None:
    assert case_state(tasks) == expected
