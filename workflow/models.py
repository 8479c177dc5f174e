"""The workflow's tables (sqlmodel). The API's request/response shapes live in workflow.api.schemas.

Uniqueness carries idempotency: a post is stored once (primary key `posts.id`), a thread holds
one open case (`cases.thread_id` + `cases.open_slot`, which is NULL once the case closes; cases
opened before conversations held one per concern), a case holds one task per team, and a merge
rule's key names one case (`case_merge_keys.key`), so concurrent replicas agree on merges.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from events.schemas import utcnow

__all__ = [
    "FAR_FUTURE",
    "AlertGroup",
    "AlertIncident",
    "AlertQueued",
    "AuditEntry",
    "EngagementBaseline",
    "Highlight",
    "PolicyAcknowledgement",
    "StaffMail",
    "StaffPostCheck",
    "AuthToken",
    "Case",
    "CaseLabel",
    "CaseMergeKey",
    "CaseReply",
    "CaseTeam",
    "CaseThread",
    "Feedback",
    "Member",
    "Notice",
    "OutboxEvent",
    "PostRecord",
    "SecurityEvent",
    "ShadowVerdict",
    "SpikeSighting",
    "Story",
    "StoryPost",
    "Task",
    "Team",
    "User",
    "UtcDateTime",
    "postgresql_only",
]


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite drops the zone: put it back on read)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Vigie stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)
"""Sort key of a case with no running deadline: last when sorting by deadline."""


def _when(**kwargs: Any) -> Any:
    return Field(sa_type=UtcDateTime, **kwargs)


def _json(**kwargs: Any) -> Any:
    return Field(default_factory=list, sa_type=sa.JSON, **kwargs)


def postgresql_only(index: sa.Index) -> sa.Index:
    """An index that exists on PostgreSQL alone (migrations and schema comparison skip it
    elsewhere): `info` tells workflow.db's comparison filter, `ddl_if` tells create_all."""
    index.info["only_dialect"] = "postgresql"
    return index.ddl_if(dialect="postgresql")


class Team(SQLModel, table=True):
    __tablename__ = "teams"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    calendar: str = Field(max_length=64)
    assignment: str = Field(default="round_robin", max_length=20)
    rr_last: str | None = Field(default=None, max_length=64, description="Round-robin cursor.")


class Member(SQLModel, table=True):
    __tablename__ = "members"

    id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(foreign_key="teams.id", index=True, max_length=64)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    languages: list[str] = _json()
    capacity: int = 20
    lead: bool = False
    presence: str = Field(default="available", max_length=20)
    position: int = 0


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    password_hash: str | None = Field(default=None, max_length=500)
    role: str = Field(max_length=20)
    teams: list[str] = _json()
    member_id: str | None = Field(default=None, max_length=64)
    active: bool = True
    created_at: datetime = _when(default_factory=utcnow)


class AuthToken(SQLModel, table=True):
    """A bearer token: a login session (expires) or an API token for an integration."""

    __tablename__ = "auth_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    kind: str = Field(max_length=10)
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _when(default_factory=utcnow)
    expires_at: datetime | None = _when(default=None)
    last_used_at: datetime | None = _when(default=None)
    revoked: bool = False


class SecurityEvent(SQLModel, table=True):
    """Append-only: logins, failures, logouts, tokens, passwords, users and roles.

    Failed logins are also the login throttle's memory, shared by every API replica."""

    __tablename__ = "security_events"
    __table_args__ = (
        sa.Index("ix_security_events_kind_username", "kind", "username", "at"),
        sa.Index("ix_security_events_kind_address", "kind", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(default_factory=utcnow, index=True)
    kind: str = Field(max_length=40)
    username: str = Field(default="", max_length=64, description="Whom the event is about.")
    actor: str = Field(default="", max_length=64, description="Who did it (empty: anonymous).")
    address: str = Field(default="", max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class PostRecord(SQLModel, table=True):
    """Every post the workflow received, routed or not, with the verdict and the outcome."""

    __tablename__ = "posts"

    id: str = Field(primary_key=True, max_length=250)
    thread_id: str = Field(index=True, max_length=250)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    platform: str = Field(max_length=40)
    author_id: str = Field(max_length=200)
    author_handle: str = Field(max_length=200)
    source: str = Field(max_length=10)
    lang: str = Field(max_length=10)
    text: str
    url: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _when()
    received_at: datetime = _when(default_factory=utcnow)
    outcome: str = Field(max_length=20, index=True)
    reason: str = Field(default="", max_length=200)
    rules: list[str] = _json()
    labels: list[dict[str, Any]] = _json()
    severity: str | None = Field(default=None, max_length=10)
    model_version: str = Field(max_length=100)
    detector_versions: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class ShadowVerdict(SQLModel, table=True):
    """A candidate model's verdict, kept for comparison and never routed."""

    __tablename__ = "shadow_verdicts"
    __table_args__ = (sa.UniqueConstraint("post_id", "model_version"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: str = Field(max_length=250, index=True)
    thread_id: str = Field(max_length=250)
    model_version: str = Field(max_length=100)
    labels: list[dict[str, Any]] = _json()
    text: str
    lang: str = Field(max_length=10)
    classified_at: datetime = _when()


_CASE_VERSION = sa.Column("version", sa.Integer, nullable=False)


class Case(SQLModel, table=True):
    """A concern in a thread. `version` goes up on every change (optimistic concurrency)."""

    __tablename__ = "cases"
    __mapper_args__ = {"version_id_col": _CASE_VERSION}
    __table_args__ = (
        sa.UniqueConstraint("thread_id", "open_slot", name="uq_case_open_concern"),
        sa.Index("ix_cases_queue", "sort_due", "id"),
        sa.Index("ix_cases_state_queue", "state", "sort_due", "id"),
        sa.Index("ix_cases_author", "author_id"),
        sa.Index("ix_cases_platform_queue", "platform", "sort_due", "id"),
        # Text search (LIKE '%...%') through pg_trgm; SQLite scans (migration 0002).
        postgresql_only(
            sa.Index(
                "ix_cases_search_trgm",
                "search_text",
                postgresql_using="gin",
                postgresql_ops={"search_text": "gin_trgm_ops"},
            )
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(index=True, max_length=250)
    concern: str = Field(max_length=40)
    open_slot: str | None = Field(default=None, max_length=40)
    platform: str = Field(max_length=40)
    author_id: str = Field(max_length=200)
    author_handle: str = Field(max_length=200)
    lang: str = Field(max_length=10)
    state: str = Field(max_length=20)
    severity: str = Field(max_length=10)
    labels: list[str] = _json()
    summary: str = Field(max_length=300)
    summary_post_id: str | None = Field(
        default=None,
        max_length=250,
        description="The post the summary quotes: the one that set the case's severity.",
    )
    search_text: str = Field(default="")
    restricted: bool = False
    review_gate: bool = Field(
        default=False,
        description="The case once carried a review label: closing it still takes two people.",
    )
    relabel_request: dict[str, Any] | None = Field(
        default=None,
        sa_type=sa.JSON,
        description="A relabel that removes a review label, waiting for a second person.",
    )
    legal_hold: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()},
        description="Kept whatever the retention says, until the hold is lifted.",
    )
    post_count: int = 1
    opened_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)
    closed_at: datetime | None = _when(default=None)
    sla_due: datetime | None = _when(default=None)
    sla_state: str = Field(default="ok", max_length=20, index=True)
    sort_due: datetime = _when(default=FAR_FUTURE)
    version: int = Field(default=1, sa_column=_CASE_VERSION)


class CaseLabel(SQLModel, table=True):
    __tablename__ = "case_labels"
    __table_args__ = (sa.Index("ix_case_labels_label", "label", "case_id"),)

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    label: str = Field(primary_key=True, max_length=40)


class CaseTeam(SQLModel, table=True):
    """Who sees a case: owning teams (one task each) and teams kept informed (copy)."""

    __tablename__ = "case_teams"
    __table_args__ = (sa.Index("ix_case_teams_team", "team", "case_id"),)

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    team: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=10)


class CaseThread(SQLModel, table=True):
    """Another thread whose posts join a case, and the merge rule that joined it."""

    __tablename__ = "case_threads"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    thread_id: str = Field(primary_key=True, max_length=250, index=True)
    rule: str = Field(max_length=100)
    post_id: str = Field(max_length=250, description="The post that joined the thread.")
    joined_at: datetime = _when(default_factory=utcnow)


class CaseMergeKey(SQLModel, table=True):
    """A merge rule's key (rule, author, concern, window; hashed: no author id in clear) and the
    case it names. The primary key makes two replicas that open a case for it at once conflict:
    the loser's batch is retried and joins the winner's case."""

    __tablename__ = "case_merge_keys"

    key: str = Field(primary_key=True, max_length=64)
    case_id: int = Field(foreign_key="cases.id", index=True)
    created_at: datetime = _when(default_factory=utcnow)


class Task(SQLModel, table=True):
    """One owning team's share of a case, with its own state, assignee and deadlines; on a
    high-risk case, who asked for its closing (`review_outcome`) and who reviewed it."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "team_id", name="uq_task_case_team"),
        # Covers the open-cases count of each /metrics scrape (workflow.api.open_cases).
        sa.Index("ix_tasks_open_counts", "state", "team_id", "label"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    team_id: str = Field(max_length=64, index=True)
    labels: list[str] = _json()
    label: str = Field(max_length=40)
    rules: list[str] = _json()
    severity: str = Field(max_length=10)
    state: str = Field(max_length=20, index=True)
    assignee: str | None = Field(default=None, max_length=64, index=True)
    policy: str = Field(max_length=100)
    opened_at: datetime = _when(default_factory=utcnow)
    closed_at: datetime | None = _when(default=None)
    dismiss_reason: str | None = Field(default=None, max_length=500)
    review_outcome: str | None = Field(
        default=None, max_length=10, description="resolve | dismiss, once a review is asked."
    )
    review_requested_by: str | None = Field(default=None, max_length=64)
    review_requested_at: datetime | None = _when(default=None)
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_at: datetime | None = _when(default=None)
    sla_due: datetime | None = _when(default=None)
    sla_state: str = Field(default="ok", max_length=20)
    escalation_key: str = Field(default="", max_length=100)
    escalation_level: int = 0
    next_check_at: datetime | None = _when(default=None, index=True)


class AuditEntry(SQLModel, table=True):
    """Append-only: who changed what, when, before and after. Also the tasks' SLA history."""

    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    task_id: int | None = Field(default=None, index=True)
    at: datetime = _when(default_factory=utcnow)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=40)
    before: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    clock: list[str] = _json()


class Feedback(SQLModel, table=True):
    """A person's relabel of a post: a training row for the classifier, and no more.

    It holds what training reads (workflow.feedback), copied from the post so that it outlives
    the post's retention: the masked text, the labels, language, source, bio and geotag. Who
    relabeled is in the audit, not here; the author is a pseudonym (`author_ref`), kept so an
    erasure finds the row after the post itself is gone.
    """

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    post_id: str = Field(max_length=250)
    author_ref: str = Field(default="", max_length=64, index=True)
    text: str
    labels: list[str] = _json()
    lang: str = Field(max_length=10)
    source: str = Field(default="mention", max_length=10)
    bio: str | None = None
    place: str | None = Field(default=None, max_length=500)
    at: datetime = _when(default_factory=utcnow)


class OutboxEvent(SQLModel, table=True):
    """A vigie.cases event written in the same transaction as the change, published afterwards."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True, max_length=32)
    payload: str
    created_at: datetime = _when(default_factory=utcnow)
    sent_at: datetime | None = _when(default=None, index=True)


class AlertIncident(SQLModel, table=True):
    """When the alerts service last claimed an incident: one alert per incident per cooldown,
    whichever replica saw it (claimed by a conditional upsert)."""

    __tablename__ = "alert_incidents"

    incident: str = Field(primary_key=True, max_length=250)
    alerted_at: datetime = _when(index=True)


class AlertGroup(SQLModel, table=True):
    """When a group of alerts (kind and team) last went out: follow-ups within the group
    interval wait for a digest."""

    __tablename__ = "alert_groups"

    group_key: str = Field(primary_key=True, max_length=250)
    sent_at: datetime = _when(index=True)


class AlertQueued(SQLModel, table=True):
    """An alert decided on and not yet delivered: due now, or held for its group's digest.

    Written in the transaction that claims its incident, claimed by one replica when due
    (`claimed_by`), deleted once delivered; a claim older than the lease is taken over."""

    __tablename__ = "alert_queue"
    __table_args__ = (sa.Index("ix_alert_queue_due", "due_at", "claimed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    group_key: str = Field(max_length=250, index=True)
    held: bool = False
    due_at: datetime = _when()
    delivery_id: str = Field(max_length=32)
    alert: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = _when(default=None)


class SpikeSighting(SQLModel, table=True):
    """One post counted in one volume series (a label or a brand keyword), kept for the spike
    baseline period. `post_ref` is a hash of the post id: counted once however often it is read."""

    __tablename__ = "spike_sightings"
    __table_args__ = (sa.Index("ix_spike_sightings_at", "at", "series"),)

    series: str = Field(primary_key=True, max_length=250)
    post_ref: str = Field(primary_key=True, max_length=64)
    at: datetime = _when()


# --- the staff programme: policy acceptance, reminders, highlights (workflow.staff_*) ----------


class PolicyAcknowledgement(SQLModel, table=True):
    """One employee of the roster: since when the workflow knows them (a newcomer's grace period
    starts there) and the policy version they last accepted, when."""

    __tablename__ = "policy_acknowledgements"

    staff_id: str = Field(primary_key=True, max_length=100)
    enrolled_at: datetime = _when(default_factory=utcnow)
    version: str | None = Field(default=None, max_length=40)
    accepted_at: datetime | None = _when(default=None)


class StaffMail(SQLModel, table=True):
    """A staff-programme mail that went out (a reminder step, a digest): its key makes it once."""

    __tablename__ = "staff_mails"

    key: str = Field(primary_key=True, max_length=200)
    sent_at: datetime = _when(default_factory=utcnow)


class StaffPostCheck(SQLModel, table=True):
    """A staff post as the programme saw it on arrival: was its author's acceptance overdue?"""

    __tablename__ = "staff_post_checks"

    post_id: str = Field(primary_key=True, max_length=250)
    staff_id: str = Field(max_length=100, index=True)
    policy_status: str = Field(max_length=10, description="current | due | overdue | unknown")
    policy_due_at: datetime | None = _when(default=None)


class Highlight(SQLModel, table=True):
    """A staff post that does what the policy encourages, with the evidence that says why."""

    __tablename__ = "highlights"
    __table_args__ = (sa.UniqueConstraint("post_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: str = Field(max_length=250)
    staff_id: str = Field(max_length=100, index=True)
    kind: str = Field(max_length=20)
    account_use: str = Field(
        max_length=20, description="official | professional | personal: shown while consented."
    )
    evidence: list[dict[str, Any]] = _json()
    url: str | None = Field(default=None, max_length=2000)
    posted_at: datetime = _when(index=True)


class EngagementBaseline(SQLModel, table=True):
    """A person's usual engagement per post on one account (an official account draws more than
    their own): running mean of log(1 + reactions). `account` is staff id, platform and handle."""

    __tablename__ = "engagement_baselines"

    account: str = Field(primary_key=True, max_length=350)
    posts: int = 0
    mean_log: float = 0.0


class Notice(SQLModel, table=True):
    """An escalation step that names a person (notify_assignee, notify_lead), to deliver to them
    by e-mail or their configured channel. Written with the step; sent by workflow.notices.

    No foreign key: a notice outlives nothing (sent ones go with the case events' retention),
    and a purged case must not wait for its notices."""

    __tablename__ = "notices"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    task_id: int | None = Field(default=None)
    member_id: str = Field(max_length=64)
    step: str = Field(max_length=40)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = _when(default_factory=utcnow)
    claimed_at: datetime | None = _when(default=None)
    sent_at: datetime | None = _when(default=None, index=True)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)


class CaseReply(SQLModel, table=True):
    """An answer from a case: a reply to a post, hiding a reply, or "answered elsewhere".

    Also the outbox of reply requests: a row `queued` with no `published_at` is published to
    vigie.replies (workflow.outbox.ReplyRelay); ingest answers with the outcome. `reply_key` is
    the idempotency key ingest sends by; `attempt` goes up when a person sends it again.
    """

    __tablename__ = "replies"
    __table_args__ = (sa.Index("ix_replies_outbox", "state", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_key: str = Field(unique=True, max_length=32)
    case_id: int = Field(foreign_key="cases.id", index=True)
    post_id: str | None = Field(default=None, max_length=250, description="The post answered.")
    platform: str = Field(max_length=40)
    kind: str = Field(max_length=10, description="reply | hide | elsewhere")
    lang: str | None = Field(default=None, max_length=10)
    template: str | None = Field(default=None, max_length=60)
    text: str = ""
    state: str = Field(max_length=20)
    requested_by: str = Field(max_length=64)
    requested_at: datetime = _when(default_factory=utcnow)
    approval_required: bool = False
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = _when(default=None)
    reason: str | None = Field(default=None, max_length=1000)
    attempt: int = 1
    published_at: datetime | None = _when(default=None)
    platform_post_id: str | None = Field(default=None, max_length=200, index=True)
    url: str | None = Field(default=None, max_length=2000)
    sent_at: datetime | None = _when(default=None)
    updated_at: datetime = _when(default_factory=utcnow)


class Story(SQLModel, table=True):
    """Rumour posts that carry the same claim, across threads, authors, platforms and languages.

    `terms` is the claim's centroid (workflow.stories.claims); `case_id` the case its team works
    (no foreign key: the retention purge deletes closed cases); `spread_at` when it crossed the
    brand's threshold, which alerts once."""

    __tablename__ = "stories"
    __table_args__ = (sa.Index("ix_stories_state_last", "state", "last_at"),)

    id: int | None = Field(default=None, primary_key=True)
    claim: str = Field(max_length=300)
    terms: dict[str, float] = Field(default_factory=dict, sa_type=sa.JSON)
    state: str = Field(max_length=20)
    severity: str = Field(max_length=10)
    answer_url: str | None = Field(default=None, max_length=2000)
    volume: int = 0
    reach: int = 0
    languages: list[str] = _json()
    platforms: list[str] = _json()
    case_id: int | None = Field(default=None, index=True)
    anchor_post_id: str | None = Field(
        default=None, max_length=250, description="The post whose case the story's team works."
    )
    first_post_id: str = Field(max_length=250)
    last_post_id: str = Field(max_length=250)
    first_at: datetime = _when()
    last_at: datetime = _when()
    opened_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)
    spread_at: datetime | None = _when(default=None)
    history: list[dict[str, Any]] = _json()


class StoryPost(SQLModel, table=True):
    """A post of a story (a post joins one story), with how close its claim was."""

    __tablename__ = "story_posts"

    post_id: str = Field(primary_key=True, max_length=250)
    story_id: int = Field(foreign_key="stories.id", index=True)
    thread_id: str = Field(max_length=250)
    platform: str = Field(max_length=40)
    lang: str = Field(max_length=10)
    created_at: datetime = _when()
    joined_at: datetime = _when(default_factory=utcnow)
    reach: int = 0
    similarity: float = 1.0
    shared: list[str] = _json()
