"""The brand configuration file: what a comms team edits (YAML).

Brand handles and keywords, the staff roster, teams and members, calendars, routing rules, SLA
policies, per-label thresholds, alerts, reply templates and how long each kind of record is kept
(retention). `load_brand_config` validates the whole file and, when it is wrong, raises
ConfigError naming the file, the line, the field and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from events.errors import ConfigError
from events.schemas import Label, Severity, Source

__all__ = [
    "AlertChannel",
    "AlertPolicy",
    "ReadCap",
    "BrandConfig",
    "Calendar",
    "CaseMergeRule",
    "DisplayName",
    "DisplayNames",
    "LabelPolicy",
    "RetentionPolicy",
    "Member",
    "REPLY_PLACEHOLDERS",
    "ReplyPolicy",
    "ReplyTemplate",
    "RoutingRule",
    "SlaPolicy",
    "SpikePolicy",
    "HighlightPolicy",
    "StaffMember",
    "StaffPolicy",
    "StoryPolicy",
    "Team",
    "brand_config_warnings",
    "TopicRetention",
    "load_brand_config",
    "parse_duration",
    "team_display_name",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|bd)\s*$")
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> tuple[timedelta, bool]:
    """'30m', '1h', '2d' -> (duration, False); '3bd' (business days) -> (3 days, True).

    A business day is one working day of the team's calendar; the SLA engine converts it.
    """
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 30m, 4h, 2d or 3bd")
    amount, unit = float(match.group(1)), match.group(2)
    if unit == "bd":
        return timedelta(days=amount), True
    return timedelta(seconds=amount * _UNITS[unit]), False


Duration = str  # validated by SlaPolicy._check_duration


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadCap(_Section):
    """An access tier's cap on posts read per billing month (X counts every post it returns)."""

    monthly_posts: int = Field(ge=1)
    resets_on_day: int = Field(default=1, ge=1, le=28, description="Day of month the cap resets.")


class Brand(_Section):
    name: str = Field(min_length=1)
    accounts: dict[str, list[str]] = Field(
        default_factory=dict, description="platform -> the brand's own handles there."
    )
    keywords: list[str] = Field(default_factory=list)
    read_caps: dict[str, ReadCap] = Field(
        default_factory=dict, description="platform -> its access tier's monthly read cap."
    )


StaffUse = Literal["official", "professional", "personal"]


class StaffMember(_Section):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    team: str | None = None
    consent: list[StaffUse] = Field(
        min_length=1, description="Uses the member agreed to have monitored (seed 000)."
    )
    accounts: dict[str, str] = Field(default_factory=dict, description="platform -> handle.")
    account_use: dict[str, StaffUse] = Field(
        default_factory=dict,
        description="platform -> how that account is used (default professional); collected only "
        "when that use is in `consent`.",
    )
    email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+$", description="Where policy reminders go."
    )
    manager: str | None = Field(
        default=None,
        description="Staff id or team member id of who hears when the policy acceptance is overdue.",
    )
    highlights: list[StaffUse] = Field(
        default_factory=lambda: ["official", "professional"],
        description="Uses whose posts may be shown as highlights; a personal account only when "
        "the employee agreed to it.",
    )

    @model_validator(mode="after")
    def _use_of_known_accounts(self) -> StaffMember:
        unknown = sorted(set(self.account_use) - set(self.accounts))
        if unknown:
            raise ValueError(f"account_use names platforms without an account: {', '.join(unknown)}")
        return self


class Calendar(_Section):
    timezone: str = "America/Toronto"
    always_open: bool = False
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[str]] = Field(
        default_factory=dict, description="Day -> shifts such as '09:00-12:00'."
    )
    holidays_country: str | None = "CA"
    holidays_subdivision: str | None = "QC"
    extra_closed_days: list[str] = Field(default_factory=list, description="ISO dates.")

    @field_validator("hours")
    @classmethod
    def _check_shifts(cls, hours: dict[str, list[str]]) -> dict[str, list[str]]:
        for shifts in hours.values():
            for shift in shifts:
                if not re.fullmatch(r"([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d", shift):
                    raise ValueError(f"shift {shift!r} is not HH:MM-HH:MM")
                start, end = shift.split("-")
                if start >= end:
                    raise ValueError(f"shift {shift!r} ends before it starts")
        return hours

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r}") from exc
        return name


class Member(_Section):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["fr", "en"])
    capacity: int = Field(default=20, ge=1, description="Maximum open tasks.")
    lead: bool = False
    hours: str | None = Field(
        default=None,
        description="Their own working hours (a calendar name): new tasks reach them only then. "
        "Unset: the team's calendar, when the team assigns on shift only.",
    )
    notify: str | None = Field(
        default=None,
        description="The alert channel that tells them of an escalation; unset: e-mail to `email`.",
    )


class Team(_Section):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    calendar: str = "business"
    assignment: Literal["round_robin", "least_loaded"] = "round_robin"
    on_shift_only: bool = Field(
        default=False,
        description="New tasks go only to members within their hours (their own, else the team "
        "calendar); outside them a task waits, unassigned, for the next shift.",
    )
    copy_notes: bool = Field(
        default=False,
        description="On cases the team is only in copy of, it may add notes (default: read only).",
    )
    members: list[Member] = Field(min_length=1)


class RuleMatch(_Section):
    labels: list[Label | Literal["triage"]] = Field(default_factory=list)
    severity: list[Severity] = Field(default_factory=list)
    source: list[Source] = Field(default_factory=list)
    lang: list[str] = Field(default_factory=list)
    platform: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list, description="Handles, or @list names.")


class RoutingRule(_Section):
    name: str = Field(min_length=1)
    priority: int = Field(default=100, description="Lower runs first; ties keep file order.")
    match: RuleMatch = Field(default_factory=RuleMatch)
    team: str
    copy_to: list[str] = Field(default_factory=list, description="Teams kept informed.")


class CaseMergeRule(_Section):
    """When posts of different threads join one case: the same author raising the same concern
    within one window (windows are fixed UTC spans from the epoch, so every workflow replica
    decides alike). Posts of one thread always share their case; nothing else merges."""

    name: str = Field(min_length=1)
    labels: list[Label | Literal["triage"]] = Field(
        default_factory=list, description="Concerns it merges; empty: any."
    )
    source: list[Source] = Field(
        default_factory=lambda: [Source.mention],
        description="Whose posts it merges (staff posts only when named here).",
    )
    window: Duration = "24h"

    @field_validator("window")
    @classmethod
    def _check_window(cls, value: str) -> str:
        duration, business_days = parse_duration(value)
        if business_days or duration.total_seconds() < 60:
            raise ValueError(f"window {value!r} must be clock time of a minute or more (30m, 24h, 2d)")
        return value

    @property
    def window_seconds(self) -> int:
        return int(parse_duration(self.window)[0].total_seconds())


class SlaPolicy(_Section):
    name: str = Field(min_length=1)
    teams: list[str] = Field(default_factory=list, description="Empty: any team.")
    labels: list[Label | Literal["triage"]] = Field(default_factory=list, description="Empty: any.")
    severity: list[Severity] = Field(default_factory=list)
    first_response: Duration
    next_response: Duration | None = None
    resolution: Duration
    calendar: str = "business"
    at_risk_ratio: float = Field(default=0.75, gt=0, lt=1)
    escalation: list[Literal["notify_assignee", "notify_lead", "reassign", "raise_severity"]] = (
        Field(default_factory=lambda: ["notify_assignee", "notify_lead", "reassign"])
    )

    @field_validator("first_response", "next_response", "resolution")
    @classmethod
    def _check_duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value


class LabelPolicy(_Section):
    threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Score at which the label fires; unset: the model's operating point "
        "(chosen for precision at training) and 0.5 for detectors.",
    )
    severity: Severity = Severity.normal
    enabled: bool = True


# Display names: the page's words for teams and labels, in French and English.


class DisplayName(_Section):
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)


class DisplayNames(_Section):
    """How the page names teams and labels; unset, a team shows its `name` (split on " / "
    when it reads "Français / English") and a label the page's own words."""

    teams: dict[str, DisplayName] = Field(default_factory=dict, description="Team id -> names.")
    labels: dict[Label | Literal["triage"], DisplayName] = Field(default_factory=dict)


def team_display_name(team: Team, names: DisplayNames) -> DisplayName:
    """The team's name in each language: the `names` block, else its `name` split on " / "."""
    if team.id in names.teams:
        return names.teams[team.id]
    fr, _, en = team.name.partition(" / ")
    return DisplayName(fr=fr.strip() or team.name, en=en.strip() or fr.strip() or team.name)


AlertKind = Literal[
    "critical", "sla_at_risk", "sla_breached", "escalated", "review_requested", "spike"
]


def _env_name(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[A-Z][A-Z0-9_]*", value):
        raise ValueError("name the environment variable that holds the secret (e.g. "
                         "VIGIE_SLACK_URL), never the secret itself")
    return value


def _clock_duration(value: str) -> str:
    if parse_duration(value)[1]:
        raise ValueError(f"{value!r}: alert timings are clock time (m, h, d), not business days")
    return value


class AlertChannel(_Section):
    """Where alerts go. Secrets (webhook URLs, SMTP password, signing key) stay out of this file:
    it names the environment variables that hold them."""

    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    type: Literal["slack", "teams", "email", "webhook"]
    url_env: str | None = None
    secret_env: str | None = Field(default=None, description="HMAC key (webhook).")
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_username: str | None = None
    password_env: str | None = None
    sender: str | None = None
    recipients: list[str] = Field(default_factory=list)
    kinds: list[AlertKind] = Field(default_factory=list, description="Empty: every kind.")
    teams: list[str] = Field(default_factory=list, description="Empty: every team.")
    min_severity: Severity = Severity.high

    _secrets = field_validator("url_env", "secret_env", "password_env")(_env_name)

    @model_validator(mode="after")
    def _complete(self) -> AlertChannel:
        if self.type == "email" and not (self.smtp_host and self.sender and self.recipients):
            raise ValueError("an email channel needs smtp_host, sender and recipients")
        if self.type != "email" and not self.url_env:
            raise ValueError(f"a {self.type} channel needs url_env (the variable holding its URL)")
        if self.type == "webhook" and not self.secret_env:
            raise ValueError("a webhook channel needs secret_env (the variable holding its key)")
        return self


class SpikePolicy(_Section):
    """A label whose count in `window` exceeds `factor` times its rolling baseline rate."""

    window: Duration = "15m"
    baseline: Duration = "24h"
    factor: float = Field(default=3.0, gt=1)
    min_count: int = Field(default=5, ge=1)
    labels: list[Label] = Field(default_factory=list, description="Empty: every label.")

    _durations = field_validator("window", "baseline")(_clock_duration)


class AlertPolicy(_Section):
    public_url: str | None = Field(default=None, description="Base of case links; default the API.")
    channels: list[AlertChannel] = Field(default_factory=list)
    cooldown: Duration = Field(default="30m", description="One alert per incident this long.")
    group_interval: Duration = Field(default="5m", description="Follow-ups wait, sent as one.")
    max_event_age: Duration = Field(default="1h", description="Older events never alert.")
    excerpts: bool = Field(default=True, description="Quote the post (personal data masked).")
    people_email: str | None = Field(
        default=None,
        description="The e-mail channel whose SMTP server and sender write to people (escalation "
        "notices, policy reminders, the highlights digest); unset: the first e-mail channel.",
    )
    spike: SpikePolicy = Field(default_factory=SpikePolicy)

    _durations = field_validator("cooldown", "group_interval", "max_event_age")(_clock_duration)


REPLY_PLACEHOLDERS = {
    "author": "the @handle of the person answered",
    "case_id": "the case number",
    "agent_first_name": "the first name of whoever sends the reply",
    "brand": "the brand's name",
}
"""What a reply template may say in braces; `{{` and `}}` write a brace."""


def _reply_text(value: str) -> str:
    from string import Formatter

    try:
        fields = [name for _, name, spec, conv in Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValueError(f"{exc} (write {{{{ or }}}} for a literal brace)") from None
    unknown = sorted({f for f in fields if f not in REPLY_PLACEHOLDERS})
    if unknown:
        raise ValueError(
            f"unknown placeholder {', '.join('{' + f + '}' for f in unknown)} "
            f"(placeholders: {', '.join('{' + p + '}' for p in REPLY_PLACEHOLDERS)})"
        )
    return value


class ReplyTemplate(_Section):
    """One ready answer in both languages; an agent edits it before sending."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_-]+$")
    fr: str = Field(min_length=1, max_length=2000)
    en: str = Field(min_length=1, max_length=2000)

    _texts = field_validator("fr", "en")(_reply_text)

    def render(self, lang: str, values: dict[str, str]) -> str:
        """The template in `lang` (French unless English) with its placeholders filled."""
        return (self.en if lang == "en" else self.fr).format(**values)


class ReplyPolicy(_Section):
    """Answering from a case: templates per label, and who needs a second person's approval
    (replies on high-risk cases always do)."""

    approval_roles: list[Literal["agent", "lead", "admin"]] = Field(
        default_factory=list,
        description="Roles whose every reply waits for a second person's approval.",
    )
    templates: dict[Label | Literal["triage"], list[ReplyTemplate]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_names(self) -> ReplyPolicy:
        """The case page offers every template of a case's labels by name: one name, one text."""
        names = [t.name for templates in self.templates.values() for t in templates]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"template names must be unique: {', '.join(twice)} used twice")
        return self


class StoryPolicy(_Section):
    """Rumour stories: posts carrying the same claim gather into one story (workflow.stories)."""

    enabled: bool = True
    similarity: float = Field(
        default=0.4,
        gt=0,
        le=1,
        description="Cosine between a post's claim terms and an open story's centroid at which "
        "the post joins the story (benchmarks/story_grouping.py measures the choice).",
    )
    spreading_at: int = Field(
        default=10,
        ge=2,
        description="Posts at which an emerging story is spreading: its case's severity rises and "
        "its team is alerted, once.",
    )
    raise_to: Severity = Field(default=Severity.critical, description="The spreading severity.")
    match_within: Duration = Field(
        default="14d",
        description="A story that gathered no post for this long gathers no more: the same claim "
        "then opens a new story.",
    )
    topics: dict[str, list[str]] = Field(
        default_factory=dict,
        description="The brand's topics: topic -> its wordings in French and English, so a "
        "claim matches across languages.",
    )

    _durations = field_validator("match_within")(_clock_duration)

    @field_validator("topics")
    @classmethod
    def _check_topics(cls, topics: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, wordings in topics.items():
            if not re.fullmatch(r"[a-z0-9_]+", name):
                raise ValueError(f"topic {name!r}: use lower-case letters, digits and _")
            if not wordings or any(not w.strip() for w in wordings):
                raise ValueError(f"topic {name!r} needs wordings, none of them empty")
        return topics


def _days(value: str) -> str:
    duration, business = parse_duration(value)
    if business or duration < timedelta(days=1):
        raise ValueError(f"{value!r}: a retention is whole clock days or more (e.g. 30d)")
    return value


class TopicRetention(_Section):
    """How long the broker keeps each topic's records (`retention.ms`, set when Vigie creates
    the topic). The services read a record within seconds: the rest is replay margin."""

    posts: Duration = Field(default="7d", description="Raw posts (card numbers redacted).")
    verdicts: Duration = Field(default="7d", description="Posts with their labels.")
    cases: Duration = Field(
        default="30d", description="Case events (no post text); replies and their outcomes too."
    )
    dead_letters: Duration = Field(default="14d", description="Records to inspect and resend.")

    _durations = field_validator("posts", "verdicts", "cases", "dead_letters")(_days)


class RetentionPolicy(_Section):
    """How long each kind of record is kept, counted from when it stopped being needed; a case
    under legal hold keeps everything about it. The workflow purges on a schedule."""

    closed_case_posts: Duration = Field(
        default="180d", description="Posts and verdicts of a case, from its closing."
    )
    unrouted_posts: Duration = Field(
        default="30d", description="Posts that opened no case, from their receipt."
    )
    cases: Duration = Field(
        default="730d", description="A closed case with its tasks, notes and audit, from closing."
    )
    audit: Duration = Field(default="730d", description="Audit entries of closed cases.")
    feedback: Duration = Field(default="365d", description="Relabels kept for training.")
    shadow_verdicts: Duration = Field(default="30d", description="Candidate models' verdicts.")
    case_events: Duration = Field(
        default="30d", description="Published vigie.cases events in the outbox (their payloads)."
    )
    security_events: Duration = Field(
        default="365d",
        description="The security log: logins, tokens, password and role changes (with addresses).",
    )
    topics: TopicRetention = Field(default_factory=TopicRetention)

    _durations = field_validator(
        "closed_case_posts",
        "unrouted_posts",
        "cases",
        "audit",
        "feedback",
        "shadow_verdicts",
        "case_events",
        "security_events",
    )(_days)

    def of(self, kind: str) -> timedelta:
        """The retention of one kind of record, by field name."""
        return parse_duration(getattr(self, kind))[0]


class StaffPolicy(_Section):
    """The social-media policy every employee of the roster reads and accepts: again when its
    version changes, and at least every `renew_every`."""

    version: str = Field(min_length=1, max_length=40)
    url: str = Field(pattern=r"^https?://\S+$", description="Where employees read it.")
    published: date = Field(description="When this version came out: its grace period starts.")
    grace: Duration = Field(default="30d", description="Time to accept a new version.")
    renew_every: Duration = Field(default="365d", description="Acceptance lasts this long.")
    remind_before: Duration = Field(default="14d", description="The employee's reminder: due soon.")

    _durations = field_validator("grace", "renew_every", "remind_before")(_days)

    def of(self, field: str) -> timedelta:
        return parse_duration(getattr(self, field))[0]


class HighlightPolicy(_Section):
    """Staff posts that do what the policy encourages, gathered for the comms lead."""

    recipients: list[str] = Field(default_factory=list, description="Who gets the weekly digest.")
    digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    digest_hour: int = Field(default=9, ge=0, le=23, description="Local hour (triage calendar).")
    engagement_factor: float = Field(
        default=3.0, gt=1, description="Well received: this many times the person's usual."
    )
    min_engagement: int = Field(default=20, ge=1, description="And at least this many reactions.")
    baseline_posts: int = Field(default=5, ge=1, description="Posts before a baseline counts.")


class BrandConfig(_Section):
    brand: Brand
    staff: list[StaffMember] = Field(default_factory=list)
    author_lists: dict[str, list[str]] = Field(
        default_factory=dict, description="Named handle lists (vip, journalists) for routing."
    )
    calendars: dict[str, Calendar] = Field(default_factory=lambda: {"business": Calendar()})
    teams: list[Team] = Field(min_length=1)
    triage_team: str
    routing: list[RoutingRule] = Field(default_factory=list)
    case_merge: list[CaseMergeRule] = Field(
        default_factory=list, description="Rules that join posts of different threads in one case."
    )
    sla_policies: list[SlaPolicy] = Field(min_length=1)
    labels: dict[Label, LabelPolicy] = Field(default_factory=dict)
    alerts: AlertPolicy = Field(default_factory=AlertPolicy)
    names: DisplayNames = Field(default_factory=DisplayNames)
    replies: ReplyPolicy = Field(default_factory=ReplyPolicy)
    retention: RetentionPolicy = Field(default_factory=RetentionPolicy)
    staff_policy: StaffPolicy | None = None
    highlights: HighlightPolicy = Field(default_factory=HighlightPolicy)
    stories: StoryPolicy = Field(default_factory=StoryPolicy)

    @cached_property
    def team_ids(self) -> set[str]:
        return {t.id for t in self.teams}

    def label_policy(self, label: Label) -> LabelPolicy:
        return self.labels.get(label, LabelPolicy())

    def staff_by_account(self, platform: str) -> dict[str, StaffMember]:
        """Lower-cased handle -> staff member, for one platform."""
        return {
            m.accounts[platform].lower().lstrip("@"): m for m in self.staff if platform in m.accounts
        }

    def cross_reference_errors(self) -> list[tuple[tuple[str | int, ...], str]]:
        """(location, reason) for every reference to a team, calendar or list that does not exist."""
        errors: list[tuple[tuple[str | int, ...], str]] = []
        teams = self.team_ids

        def need_team(loc: tuple[str | int, ...], team: str) -> None:
            if team not in teams:
                errors.append((loc, f"unknown team {team!r} (teams: {', '.join(sorted(teams))})"))

        need_team(("triage_team",), self.triage_team)
        for i, member in enumerate(self.staff):
            if member.team is not None:
                need_team(("staff", i, "team"), member.team)
        channels = {c.name for c in self.alerts.channels}
        for i, team in enumerate(self.teams):
            if team.calendar not in self.calendars:
                errors.append((("teams", i, "calendar"), f"unknown calendar {team.calendar!r}"))
            for j, member in enumerate(team.members):
                if member.hours is not None and member.hours not in self.calendars:
                    errors.append((("teams", i, "members", j, "hours"),
                                   f"unknown calendar {member.hours!r}"))
                if member.notify is not None and member.notify not in channels:
                    errors.append((("teams", i, "members", j, "notify"),
                                   f"unknown alert channel {member.notify!r}"))
        for i, rule in enumerate(self.routing):
            need_team(("routing", i, "team"), rule.team)
            for j, copy in enumerate(rule.copy_to):
                need_team(("routing", i, "copy_to", j), copy)
            for j, author in enumerate(rule.match.authors):
                if author.startswith("@list:") and author[6:] not in self.author_lists:
                    errors.append((("routing", i, "match", "authors", j), f"unknown list {author!r}"))
        for i, policy in enumerate(self.sla_policies):
            if policy.calendar not in self.calendars:
                errors.append((("sla_policies", i, "calendar"), f"unknown calendar {policy.calendar!r}"))
            for j, team in enumerate(policy.teams):
                need_team(("sla_policies", i, "teams", j), team)
        mail = {c.name for c in self.alerts.channels if c.type == "email"}
        if self.alerts.people_email is not None and self.alerts.people_email not in mail:
            errors.append((("alerts", "people_email"),
                           f"{self.alerts.people_email!r} is not an e-mail channel"))
        for i, channel in enumerate(self.alerts.channels):
            for j, team in enumerate(channel.teams):
                need_team(("alerts", "channels", i, "teams", j), team)
        for team in self.names.teams:
            need_team(("names", "teams", team), team)
        names: set[str] = set()
        for i, merge in enumerate(self.case_merge):
            if merge.name in names:
                errors.append((("case_merge", i, "name"), f"duplicate rule name {merge.name!r}"))
            names.add(merge.name)
        seen: set[str] = set()
        for i, member in enumerate(self.staff):
            if member.id in seen:
                errors.append((("staff", i, "id"), f"duplicate staff id {member.id!r}"))
            seen.add(member.id)
        return errors


    def people_mail_channel(self) -> AlertChannel | None:
        """The e-mail channel that writes to people (`alerts.people_email`, else the first)."""
        mail = [c for c in self.alerts.channels if c.type == "email"]
        named = [c for c in mail if c.name == self.alerts.people_email]
        return (named or mail or [None])[0]

    def person_email(self, person_id: str) -> str | None:
        """The e-mail of a staff member or team member, by id."""
        for member in self.staff:
            if member.id == person_id and member.email:
                return member.email
        for team in self.teams:
            for person in team.members:
                if person.id == person_id and person.email:
                    return person.email
        return None


def load_brand_config(path: Path | str) -> BrandConfig:
    """Read and validate a brand configuration file; ConfigError names file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read brand configuration: {exc}") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the brand configuration must be a mapping of sections")
    try:
        config = BrandConfig.model_validate(data)
    except ValidationError as exc:
        problems = [(tuple(err["loc"]), err["msg"]) for err in exc.errors()]
        raise ConfigError(_describe(path, root, problems)) from exc
    problems = config.cross_reference_errors()
    if problems:
        raise ConfigError(_describe(path, root, problems))
    return config


def brand_config_warnings(
    path: Path | str, config: BrandConfig, *, review_labels: Iterable[str] = ()
) -> list[str]:
    """What a valid file sets up that cannot work, as `file:line: field: reason` lines: a label
    needing two people's review owned by a team of one, a label no rule routes, a team or SLA
    policy on a calendar with no working hours, a calendar nothing uses. `review_labels` are the
    workflow's (VIGIE_REVIEW_LABELS)."""
    path = Path(path)
    problems = [
        *_review_warnings(config, set(review_labels)),
        *_reply_warnings(config),
        *_routing_warnings(config),
        *_calendar_warnings(config),
        *_staff_programme_warnings(config),
    ]
    if not problems:
        return []
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return [f"{path}:{_line_of(root, loc)}: {'.'.join(map(str, loc))}: {msg}" for loc, msg in problems]


_Problems = list[tuple[tuple[str | int, ...], str]]


def _owners(config: BrandConfig, label: str) -> set[str]:
    """Teams that can own a task for this label: rules naming it or no label at all, and the
    triage team when no rule names it."""
    named = [r for r in config.routing if label in r.match.labels]
    owners = {r.team for r in config.routing if not r.match.labels} | {r.team for r in named}
    return owners | ({config.triage_team} if not named else set())


def _review_warnings(config: BrandConfig, review_labels: set[str]) -> _Problems:
    problems: _Problems = []
    for i, team in enumerate(config.teams):
        needing = sorted(lb for lb in review_labels if team.id in _owners(config, lb))
        if needing and len(team.members) < 2:
            problems.append((("teams", i, "members"), (
                f"team {team.id!r} owns {', '.join(needing)}, whose cases close only when a second "
                f"person approves, but has {len(team.members)} member: add a second reviewer")))
    return problems


X_REPLY_CHARS = 280


def _reply_warnings(config: BrandConfig) -> _Problems:
    """Templates that, filled for a long handle and name, would not fit in an X reply."""
    longest = {
        "author": "@" + "x" * 15,
        "case_id": "9" * 7,
        "agent_first_name": "x" * 12,
        "brand": config.brand.name,
    }
    problems: _Problems = []
    for label, templates in config.replies.templates.items():
        for i, template in enumerate(templates):
            for lang in ("fr", "en"):
                size = len(template.render(lang, longest))
                if size > X_REPLY_CHARS:
                    problems.append((("replies", "templates", str(label), i, lang), (
                        f"template {template.name!r} fills to up to {size} characters: too long "
                        f"for a reply on X ({X_REPLY_CHARS}); agents will have to shorten it")))
    return problems


def _routing_warnings(config: BrandConfig) -> _Problems:
    named = {str(lb) for rule in config.routing for lb in rule.match.labels}
    unrouted = [str(lb) for lb in Label if str(lb) not in named and config.label_policy(lb).enabled]
    if not unrouted:
        return []
    return [(("routing",), f"no rule routes {', '.join(unrouted)}: such posts all go to the triage "
                           f"team {config.triage_team!r}")]


def _calendar_warnings(config: BrandConfig) -> _Problems:
    problems: _Problems = []
    closed = {name for name, cal in config.calendars.items()
              if not cal.always_open and not any(cal.hours.values())}
    for i, team in enumerate(config.teams):
        if team.calendar in closed:
            problems.append((("teams", i, "calendar"), (
                f"calendar {team.calendar!r} has no working hours: team {team.id!r} is never at "
                "work and its deadlines never come (add hours, or always_open: true)")))
    for i, policy in enumerate(config.sla_policies):
        if policy.calendar in closed:
            problems.append((("sla_policies", i, "calendar"), (
                f"calendar {policy.calendar!r} has no working hours: the deadlines of "
                f"{policy.name!r} never come")))
    used = {t.calendar for t in config.teams} | {p.calendar for p in config.sla_policies}
    used |= {m.hours for t in config.teams for m in t.members if m.hours}
    for name in config.calendars:
        if name not in used:
            problems.append((("calendars", name), f"calendar {name!r} is used by no team or SLA policy"))
    return problems


def _staff_programme_warnings(config: BrandConfig) -> _Problems:
    """A manager or mail channel that does not exist: those mails are not sent (an employee
    leaving the roster must not invalidate the file of the people they managed)."""
    problems: _Problems = []
    people = {m.id for m in config.staff} | {m.id for t in config.teams for m in t.members}
    for i, member in enumerate(config.staff):
        if member.manager is not None and member.manager not in people:
            problems.append((("staff", i, "manager"), (
                f"unknown manager {member.manager!r} (a staff id or a team member id): nobody "
                "hears when this employee's policy acceptance is overdue")))
        elif member.manager is not None and not config.person_email(member.manager):
            problems.append((("staff", i, "manager"), (
                f"manager {member.manager!r} has no email: nobody hears when this employee's "
                "policy acceptance is overdue")))
    return problems


def _describe(path: Path, root: Any, problems: list[tuple[tuple[str | int, ...], str]]) -> str:
    lines = [f"{path}:{_line_of(root, loc)}: {'.'.join(map(str, loc)) or '(top)'}: {msg}"
             for loc, msg in problems]
    return "invalid brand configuration\n  " + "\n  ".join(lines)


def _line_of(node: Any, loc: tuple[str | int, ...]) -> int:
    """The 1-based line of the deepest YAML node that `loc` reaches."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
