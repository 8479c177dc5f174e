"""One typed schema per topic: what travels on vigie.posts, vigie.verdicts and vigie.cases.

Every event carries `schema_version`; a reader refuses a version it does not know (the record
goes to the dead-letter topic with the reason) rather than guessing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "EARLIEST",
    "LATEST",
    "Author",
    "BoundedDatetime",
    "CaseEvent",
    "CaseEventType",
    "Evidence",
    "Label",
    "LabelVerdict",
    "Media",
    "Post",
    "ReplyOutcome",
    "ReplyRequest",
    "Severity",
    "Source",
    "Verdict",
    "ValidatedInput",
    "WebUrl",
    "check_text",
    "utcnow",
]

MAX_TEXT_CHARS = 10_000
"""Longest post text accepted on the wire; platforms cap far below, so longer means garbage."""


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- rules every input obeys, whichever path it comes by (API, webhook, replay, Kafka) ------------

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _within_bounds(value: datetime) -> datetime:
    """Dates outside [1990, 2100) are garbage, and near year 1 or 9999 an offset overflows."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(
            f"date out of range: expected between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"
        )
    return value


BoundedDatetime = Annotated[AwareDatetime, AfterValidator(_within_bounds)]
"""A date with its UTC offset, between 1990 and 2100."""


def _web_url(value: str) -> str:
    """Only http(s): a post URL is rendered as a link, so `javascript:` and the like never pass."""
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value


WebUrl = Annotated[str, Field(max_length=2_000), AfterValidator(_web_url)]


def check_text(value: Any) -> None:
    """Refuse text that cannot be stored or encoded: a lone UTF-16 surrogate (JSON's "\\ud800"),
    which UTF-8 cannot encode, and NUL, which PostgreSQL text cannot hold.

    Walks dicts (keys too) and lists, so one call covers a whole request body or record.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text contains a lone surrogate (invalid Unicode)") from None
        if "\x00" in value:
            raise ValueError("text contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key)
            check_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            check_text(item)


class ValidatedInput(BaseModel):
    """Base of every model that reads outside input: valid Unicode only, and its errors never
    quote the input (it may be a password or a leaked secret)."""

    model_config = ConfigDict(hide_input_in_errors=True)

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        check_text(data)
        return data


class Label(StrEnum):
    """The label taxonomy (`triage` is the catch-all queue, never a model output)."""

    complaint = "complaint"
    press_inquiry = "press_inquiry"
    rumour = "rumour"
    risky_disclosure = "risky_disclosure"
    investor_sensitive = "investor_sensitive"
    copyright = "copyright"
    harassment = "harassment"
    security_threat = "security_threat"
    personal_data_exposed = "personal_data_exposed"
    missing_disclaimer = "missing_disclaimer"


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    normal = "normal"
    low = "low"

    @property
    def rank(self) -> int:
        """0 for critical: sorts the most urgent first."""
        return list(Severity).index(self)


class Source(StrEnum):
    mention = "mention"
    staff = "staff"


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Event):
    id: str = Field(min_length=1, max_length=200)
    handle: str = Field(min_length=1, max_length=200)
    display_name: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2_000, description="Profile bio.")


class Media(_Event):
    type: Literal["photo", "video", "gif", "link", "other"] = "photo"
    url: str | None = Field(default=None, max_length=2_000)
    alt_text: str | None = Field(default=None, max_length=2_000)


class Post(_Event, ValidatedInput):
    """A normalized post from any platform (topic vigie.posts): where outside text enters, so
    valid Unicode is checked here, for every field and every path (connectors, replay, webhooks).
    """

    schema_version: Literal[1] = 1
    platform: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    platform_post_id: str = Field(min_length=1, max_length=200)
    url: WebUrl | None = None
    author: Author
    source: Source
    staff_member_id: str | None = Field(default=None, max_length=100)
    text: str = Field(max_length=MAX_TEXT_CHARS)
    lang: str | None = Field(default=None, max_length=10)
    created_at: BoundedDatetime
    conversation_id: str | None = Field(default=None, max_length=200)
    reply_to_id: str | None = Field(default=None, max_length=200)
    media: list[Media] = Field(default_factory=list, max_length=20)
    metrics: dict[str, int] = Field(default_factory=dict)
    place: str | None = Field(default=None, max_length=500, description="Geotag, if any.")
    collected_by: str = Field(default="unknown", max_length=100, description="Connector name.")

    @model_validator(mode="after")
    def _staff_has_member(self) -> Post:
        if self.source is Source.staff and not self.staff_member_id:
            raise ValueError("a staff post needs staff_member_id")
        if self.source is Source.mention and self.staff_member_id:
            raise ValueError("a mention carries no staff_member_id")
        return self

    @property
    def post_id(self) -> str:
        """Vigie's id for a post: unique across platforms."""
        return f"{self.platform}:{self.platform_post_id}"

    @property
    def thread_id(self) -> str:
        """Posts of one conversation share it; it is the Kafka key, so a thread stays in order."""
        return f"{self.platform}:{self.conversation_id or self.platform_post_id}"


class Evidence(_Event):
    """Why a label fired: a matched span, a rule, or a model feature, with who found it."""

    kind: Literal["span", "rule", "feature"]
    detector: str = Field(description="Detector or model name.")
    version: str
    text: str | None = Field(default=None, description="The matched text or feature.")
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    weight: float | None = None
    detail: str | None = None


class LabelVerdict(_Event):
    label: Label
    score: Annotated[float, Field(ge=0.0, le=1.0)]
    severity: Severity
    kind: str | None = Field(default=None, description="Sub-kind, e.g. personal_data.")
    evidence: list[Evidence] = Field(min_length=1)


class Verdict(_Event):
    """A classified post (topic vigie.verdicts). Carries the post so workflow needs no lookup."""

    schema_version: Literal[1] = 1
    post: Post
    lang: str
    labels: list[LabelVerdict] = Field(default_factory=list)
    model_version: str
    detector_versions: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list, description="E.g. 'text truncated'.")
    classified_at: AwareDatetime = Field(default_factory=utcnow)
    shadow: bool = Field(default=False, description="From a candidate model: record, never route.")

    @property
    def severity(self) -> Severity | None:
        """The most urgent severity among the labels, None when unlabeled."""
        return min((lv.severity for lv in self.labels), key=lambda s: s.rank, default=None)


class CaseEventType(StrEnum):
    opened = "opened"
    post_added = "post_added"
    assigned = "assigned"
    state_changed = "state_changed"
    note_added = "note_added"
    relabeled = "relabeled"
    sla_at_risk = "sla_at_risk"
    sla_breached = "sla_breached"
    escalated = "escalated"
    erased = "erased"
    """An author's posts and mentions were erased from the case (details: author_ref, post_ids):
    a consumer that keeps them drops its copies."""


class CaseEvent(_Event):
    """A change in a case's life (topic vigie.cases), for alerting and downstream consumers."""

    schema_version: Literal[1] = 1
    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    type: CaseEventType
    case_id: int
    task_id: int | None = None
    thread_id: str
    team: str | None = None
    assignee: str | None = None
    labels: list[Label] = Field(default_factory=list)
    severity: Severity | None = None
    state: str | None = None
    actor: str = "system"
    at: AwareDatetime = Field(default_factory=utcnow)
    details: dict[str, Any] = Field(default_factory=dict)
    restricted: bool = Field(
        default=False,
        description="A legal-restricted case: only its owning teams may read what it quotes.",
    )


class ReplyRequest(_Event):
    """An approved answer from a case for ingest to carry out on the platform (topic
    vigie.replies): a reply to a post, or hiding a reply (X only).

    `reply_id` is the idempotency key: ingest sends a reply once whatever the number of times
    this request is delivered. `attempt` goes up when a person asks to send a failed (or
    uncertain) reply again; a sent reply is never sent twice.
    """

    schema_version: Literal[1] = 1
    reply_id: str = Field(min_length=1, max_length=64)
    attempt: int = Field(default=1, ge=1)
    kind: Literal["reply", "hide"] = "reply"
    case_id: int
    platform: str = Field(min_length=1, max_length=40)
    thread_id: str = Field(max_length=250)
    in_reply_to: str = Field(
        min_length=1, max_length=200, description="The platform's id of the post answered."
    )
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    lang: str | None = Field(default=None, max_length=10)
    requested_by: str = Field(max_length=64)
    at: AwareDatetime = Field(default_factory=utcnow)


class ReplyOutcome(_Event):
    """What became of a reply request (topic vigie.reply_outcomes), for the workflow to show on
    the case: `sent` with the platform's id and link, `failed` with the reason, or `unknown`
    (interrupted mid-send where the platform cannot tell: a person checks before sending again).
    """

    schema_version: Literal[1] = 1
    reply_id: str = Field(min_length=1, max_length=64)
    attempt: int = Field(default=1, ge=1)
    case_id: int
    status: Literal["sent", "failed", "unknown"]
    platform_post_id: str | None = Field(default=None, max_length=200)
    url: WebUrl | None = None
    reason: str | None = Field(default=None, max_length=1000)
    at: AwareDatetime = Field(default_factory=utcnow)
