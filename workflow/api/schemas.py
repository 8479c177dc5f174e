"""Request and response shapes of the REST API (one role per class)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from events.schemas import BoundedDatetime, Label, ValidatedInput
from workflow.auth import Role

__all__ = [
    "ActionRequest",
    "BulkRequest",
    "BulkResult",
    "CaseDetail",
    "CasePage",
    "CaseSummary",
    "MemberCreate",
    "MemberUpdate",
    "PasswordChange",
    "QueryDatetime",
    "SecurityEventPage",
    "SessionPublic",
    "TokenCreate",
    "UserCreate",
    "UserUpdate",
]


class _Request(ValidatedInput):
    """A request body: no unknown fields, and JSON types as written (`"true"` is not a bool,
    `"5"` not a number); enums take their string values (`strict=False` on those fields)."""

    model_config = ConfigDict(extra="forbid", strict=True)


# --- actions ------------------------------------------------------------------------------------


class _Action(_Request):
    version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The case version you read; or send If-Match. With neither: 428.",
    )


class _TaskAction(_Action):
    task_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Needed when several tasks are yours."
    )


class Acknowledge(_TaskAction):
    action: Literal["acknowledge"]


class Assign(_TaskAction):
    action: Literal["assign"]
    assignee: str = Field(
        min_length=1, max_length=64, description="A member id of the task's team."
    )


class Wait(_TaskAction):
    action: Literal["wait"]
    reason: str | None = Field(default=None, max_length=500)


class Resume(_TaskAction):
    action: Literal["resume"]


class Resolve(_TaskAction):
    action: Literal["resolve"]
    reason: str | None = Field(default=None, max_length=500)


class Dismiss(_TaskAction):
    action: Literal["dismiss"]
    reason: str = Field(min_length=1, max_length=500)


class Reopen(_TaskAction):
    action: Literal["reopen"]
    reason: str | None = Field(default=None, max_length=500)


class Approve(_TaskAction):
    action: Literal["approve"]
    reason: str | None = Field(default=None, max_length=500, description="A note, if any.")


class Reject(_TaskAction):
    action: Literal["reject"]
    reason: str = Field(min_length=1, max_length=500, description="What must change first.")


class Note(_Action):
    action: Literal["note"]
    text: str = Field(min_length=1, max_length=5000)


class Relabel(_Action):
    action: Literal["relabel"]
    labels: list[Annotated[Label, Field(strict=False)]] = Field(
        max_length=len(Label), description="The right labels; [] for none."
    )
    post_id: str | None = Field(default=None, description="Default: the case's first post.")


ActionRequest = Annotated[
    Acknowledge
    | Assign
    | Wait
    | Resume
    | Resolve
    | Dismiss
    | Reopen
    | Approve
    | Reject
    | Note
    | Relabel,
    Field(discriminator="action"),
]


_ID = Field(ge=1, le=2**31 - 1)


class BulkItem(_Request):
    case_id: int = _ID
    version: int = Field(ge=1)
    task_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class BulkRequest(_Request):
    items: list[BulkItem] = Field(min_length=1, max_length=200)
    action: ActionRequest


class BulkResult(BaseModel):
    case_id: int
    ok: bool
    status: int
    detail: str | None = None
    version: int | None = None


# --- cases --------------------------------------------------------------------------------------


class TaskSummary(BaseModel):
    id: int
    team: str
    labels: list[str]
    state: str
    assignee: str | None
    severity: str
    sla_due: datetime | None
    sla_state: str
    review_requested_by: str | None = Field(
        description="Who asked to close this high-risk task (state pending_review): someone "
        "else approves or rejects."
    )


class CaseSummary(BaseModel):
    id: int
    version: int
    state: str
    severity: str
    labels: list[str]
    thread_id: str
    platform: str
    author_handle: str
    lang: str
    summary: str
    post_count: int
    opened_at: datetime
    updated_at: datetime
    sla_due: datetime | None
    sla_state: str
    tasks: list[TaskSummary]
    took_over_from: str | None = Field(
        default=None,
        description="After an action: the member whose task you took over (you are its "
        "assignee now).",
    )
    on_behalf_of: str | None = Field(
        default=None,
        description="After an action: the assignee you acted for (you are not in the task's "
        "team roster, so the task stays theirs).",
    )
    unchanged: bool = Field(
        default=False,
        description="After an action: it changed nothing (e.g. a second acknowledge with no new "
        "post), so the version is the same and nothing was recorded.",
    )


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


class DeadlinePublic(BaseModel):
    milestone: str
    started_at: datetime
    budget: str
    due_at: datetime | None
    at_risk_at: datetime | None
    met_at: datetime | None
    state: str
    explanation: str = Field(description="Why this deadline, in English.")
    why: dict[str, Any] | None = Field(
        default=None,
        description="The same explanation as codes and parameters: {head: {code, params}, "
        "steps: [{code, params}]}, for a client to word in its own language.",
    )


class ReviewPublic(BaseModel):
    """The second person's review of a high-risk task's closing."""

    required: bool = Field(description="Closing this task takes a second person's approval.")
    outcome: Literal["resolve", "dismiss"] | None = Field(description="The closing asked for.")
    requested_by: str | None
    requested_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None


class TaskDetail(TaskSummary):
    rules: list[str]
    policy: str
    opened_at: datetime
    closed_at: datetime | None
    dismiss_reason: str | None
    escalation_level: int
    deadlines: list[DeadlinePublic]
    review: ReviewPublic


class PostPublic(BaseModel):
    id: str
    thread_id: str
    url: str | None
    author_handle: str
    source: str = Field(description="mention, staff, or brand (a reply of the brand's account).")
    lang: str
    text: str
    created_at: datetime
    received_at: datetime
    rules: list[str]
    labels: list[dict[str, Any]] = Field(description="Labels with score, severity and evidence.")
    model_version: str
    detector_versions: dict[str, str]


class AuditPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    task_id: int | None
    before: dict[str, Any]
    after: dict[str, Any]


class PolicyOverdueFlag(BaseModel):
    """A staff post whose author had not accepted the social-media policy in time when it came."""

    post_id: str
    staff_id: str
    due_at: datetime | None


class JoinedThreadPublic(BaseModel):
    """Another thread whose posts join the case, and the merge rule that joined it."""

    thread_id: str
    rule: str
    post_id: str
    joined_at: datetime


class CaseDetail(CaseSummary):
    restricted: bool
    closed_at: datetime | None
    teams: dict[str, str] = Field(description="team -> owner | copy")
    posts: list[PostPublic] = Field(description="Every post of the conversation, oldest first.")
    joined_threads: list[JoinedThreadPublic] = Field(
        default_factory=list, description="Other threads joined to the case by a merge rule."
    )
    tasks: list[TaskDetail]  # type: ignore[assignment]
    audit: list[AuditPublic]
    relabel_request: dict[str, Any] | None = Field(
        default=None,
        description="A relabel removing a review label, waiting for a second person to send "
        "the same relabel: labels, post_id, requested_by, requested_at.",
    )
    policy_overdue: list[PolicyOverdueFlag] = Field(
        default_factory=list,
        description="Staff posts of this case whose author's policy acceptance was overdue.",
    )


# --- people -------------------------------------------------------------------------------------


_DETAIL = "Shown to admins, leads and the member's own teams; null for others."


class MemberPublic(BaseModel):
    id: str
    name: str
    email: str | None = Field(description=_DETAIL)
    languages: list[str]
    capacity: int
    lead: bool
    presence: str | None = Field(description=_DETAIL)
    open_tasks: int | None = Field(description=_DETAIL)


class TeamPublic(BaseModel):
    id: str
    name: str
    calendar: str
    assignment: str
    members: list[MemberPublic]


class MemberUpdate(_Request):
    presence: Literal["available", "away"] | None = None
    capacity: int | None = Field(default=None, ge=1, le=1000)
    languages: list[Annotated[str, Field(min_length=2, max_length=10)]] | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    lead: bool | None = None
    email: str | None = Field(
        default=None,
        max_length=320,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="Where escalation notices naming the member go (unless the brand "
        "configuration gives them a channel).",
    )


class MemberCreate(_Request):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    languages: list[Annotated[str, Field(min_length=2, max_length=10)]] = ["fr", "en"]
    capacity: int = Field(default=20, ge=1, le=1000)
    lead: bool = False


class UserPublic(BaseModel):
    username: str
    role: Role
    teams: list[str]
    member_id: str | None
    active: bool


class UserCreate(_Request):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    password: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role = Field(strict=False)
    teams: list[str] = []
    member_id: str | None = None


class UserUpdate(_Request):
    password: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = Field(default=None, strict=False)
    teams: list[str] | None = None
    member_id: str | None = None
    active: bool | None = None


class TokenCreate(_Request):
    name: str = Field(min_length=1, max_length=100)
    username: str | None = Field(
        default=None,
        description="Your own username, or nothing: nobody mints a token for someone else.",
    )
    expires_in_days: int | None = Field(
        default=None, ge=1, le=3650, description="Default and maximum: VIGIE_API_TOKEN_MAX_DAYS."
    )


class TokenPublic(BaseModel):
    id: int
    name: str
    kind: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


class SessionPublic(TokenPublic):
    current: bool = Field(description="The session this request came with.")


class PasswordChange(_Request):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class SecurityEventPublic(BaseModel):
    id: int
    at: datetime
    kind: str
    username: str
    actor: str
    address: str
    details: dict[str, Any]


class SecurityEventPage(BaseModel):
    items: list[SecurityEventPublic]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page.")


class TokenIssued(TokenPublic):
    token: str = Field(description="Shown once: store it now.")


class LoginToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


def _iso_only(value: object) -> object:
    """A query date is ISO 8601 text: pydantic would read `0.5` as a Unix time."""
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected an ISO 8601 date and time with offset, e.g. 2026-01-31T00:00:00Z")
    return value


QueryDatetime = Annotated[BoundedDatetime, BeforeValidator(_iso_only)]
"""A date in a query string: ISO text with its offset, between 1990 and 2100."""
