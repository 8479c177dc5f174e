"""Routing: which concerns a verdict raises, which team owns each, who in the team takes it.

Pure functions over the brand configuration.

Concerns. A labeled verdict raises one concern per enabled label. An unlabeled verdict raises the
`triage` concern when it still needs a person (see `triage_reason`); otherwise the post is only
recorded. Every post is recorded either way, and the outcome says why.

Rules. For each concern, the first matching rule (lowest priority, then file order) names the
owning team; a concern no rule matches goes to the triage team. Concerns owned by the same team
share one task. Author matchers: a handle, `@list:NAME` (a named author list), `@team:ID` (a staff
member of that team) or `@staff` (any registered staff member).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from events.brand import BrandConfig, RoutingRule
from events.schemas import Severity, Source, Verdict

__all__ = [
    "TRIAGE",
    "Candidate",
    "TaskPlan",
    "choose_assignee",
    "concerns",
    "plan_tasks",
    "triage_reason",
]

TRIAGE = "triage"

_QUESTION_OPENERS = re.compile(
    r"\b(est-ce que|est-ce qu'|pourquoi|comment|quand|combien|pouvez-vous|pourriez-vous|"
    r"peux-tu|avez-vous|allez-vous|y a-t-il|savez-vous|how|why|when|where|what|can you|"
    r"could you|do you|does|is there|are you|any update|will you)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TaskPlan:
    """One owning team's share of a case."""

    team: str
    labels: tuple[str, ...]
    rules: tuple[str, ...]
    severity: Severity
    copy_to: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The concern that picks the SLA policy: the most urgent label of the task."""
        return self.labels[0]


@dataclass(frozen=True)
class Candidate:
    """A team member as assignment sees them."""

    id: str
    languages: tuple[str, ...]
    capacity: int
    open_tasks: int
    available: bool = True


@dataclass
class _Context:
    source: Source
    lang: str
    platform: str
    handle: str
    staff_team: str | None
    severities: dict[str, Severity] = field(default_factory=dict)


def triage_reason(verdict: Verdict, config: BrandConfig) -> str | None:
    """Why an unlabeled post still needs a person, or None.

    The rule: a mention (never a staff post) needs a person when its author is on one of the
    brand's named author lists (a journalist, a VIP), or when it asks a question (a question mark
    or a French/English question opener) and addresses the brand directly (names one of the
    brand's handles, or is a reply in a conversation).
    """
    post = verdict.post
    if post.source is not Source.mention:
        return None
    handle = post.author.handle.lower().lstrip("@")
    for name, handles in config.author_lists.items():
        if handle in {h.lower().lstrip("@") for h in handles}:
            return f"author on list {name!r}"
    asks = "?" in post.text or bool(_QUESTION_OPENERS.search(post.text))
    if asks and (_names_brand(post.text, post.platform, config) or post.reply_to_id):
        return "question addressed to the brand"
    return None


def _names_brand(text: str, platform: str, config: BrandConfig) -> bool:
    lowered = text.lower()
    handles = config.brand.accounts.get(platform, [])
    keywords = [k for k in config.brand.keywords if k.startswith("@")]
    return any(f"@{h.lower().lstrip('@')}" in lowered for h in handles) or any(
        k.lower() in lowered for k in keywords
    )


def concerns(verdict: Verdict, config: BrandConfig) -> list[tuple[str, Severity]]:
    """The verdict's concerns, most urgent first: enabled labels, or triage when one is needed."""
    labeled = [
        (lv.label.value, lv.severity)
        for lv in sorted(verdict.labels, key=lambda lv: (lv.severity.rank, -lv.score))
        if config.label_policy(lv.label).enabled
    ]
    if labeled:
        return list(dict(labeled).items())
    if triage_reason(verdict, config):
        return [(TRIAGE, Severity.normal)]
    return []


def plan_tasks(verdict: Verdict, config: BrandConfig) -> list[TaskPlan]:
    """One plan per owning team, in the order of their most urgent concern."""
    found = concerns(verdict, config)
    if not found:
        return []
    context = _context(verdict, config, dict(found))
    rules = sorted(enumerate(config.routing), key=lambda pair: (pair[1].priority, pair[0]))
    by_team: dict[str, dict[str, list]] = {}
    for concern, _severity in found:
        rule = next((r for _, r in rules if _matches(r, concern, context, config)), None)
        team = rule.team if rule else config.triage_team
        share = by_team.setdefault(team, {"labels": [], "rules": [], "copy": []})
        share["labels"].append(concern)
        share["rules"].append(rule.name if rule else "no rule matched: triage")
        share["copy"] += [t for t in (rule.copy_to if rule else []) if t != team]
    return [
        TaskPlan(
            team=team,
            labels=tuple(share["labels"]),
            rules=tuple(dict.fromkeys(share["rules"])),
            severity=min((context.severities[c] for c in share["labels"]), key=lambda s: s.rank),
            copy_to=tuple(dict.fromkeys(share["copy"])),
        )
        for team, share in by_team.items()
    ]


def _context(verdict: Verdict, config: BrandConfig, severities: dict[str, Severity]) -> _Context:
    post = verdict.post
    staff_team = None
    if post.staff_member_id:
        member = next((m for m in config.staff if m.id == post.staff_member_id), None)
        staff_team = member.team if member else None
    return _Context(
        source=post.source,
        lang=(verdict.lang or post.lang or "").lower(),
        platform=post.platform,
        handle=post.author.handle.lower().lstrip("@"),
        staff_team=staff_team,
        severities=severities,
    )


def _matches(rule: RoutingRule, concern: str, ctx: _Context, config: BrandConfig) -> bool:
    match = rule.match
    checks = (
        not match.labels or concern in match.labels,
        not match.severity or ctx.severities[concern] in match.severity,
        not match.source or ctx.source in match.source,
        not match.lang or ctx.lang in {x.lower() for x in match.lang},
        not match.platform or ctx.platform in match.platform,
        not match.authors or any(_author_matches(a, ctx, config) for a in match.authors),
    )
    return all(checks)


def _author_matches(matcher: str, ctx: _Context, config: BrandConfig) -> bool:
    if matcher.startswith("@list:"):
        members = config.author_lists.get(matcher[6:], [])
        return ctx.handle in {h.lower().lstrip("@") for h in members}
    if matcher.startswith("@team:"):
        return ctx.source is Source.staff and ctx.staff_team == matcher[6:]
    if matcher == "@staff":
        return ctx.source is Source.staff
    return ctx.handle == matcher.lower().lstrip("@")


def choose_assignee(
    candidates: Sequence[Candidate],
    *,
    lang: str | None,
    strategy: str,
    last: str | None = None,
    exclude: str | None = None,
) -> str | None:
    """Pick a member: available, under capacity, speaking the post's language when anyone does.

    round_robin takes the next eligible member after `last` (in roster order); least_loaded the
    one with the fewest open tasks (roster order breaks ties). None when nobody can take it.
    """
    eligible = [
        c for c in candidates if c.available and c.open_tasks < c.capacity and c.id != exclude
    ]
    if lang:
        speakers = [c for c in eligible if lang.lower() in {x.lower() for x in c.languages}]
        eligible = speakers or eligible
    if not eligible:
        return None
    if strategy == "least_loaded":
        return min(eligible, key=lambda c: c.open_tasks).id
    order = [c.id for c in candidates]
    start = order.index(last) + 1 if last in order else 0
    rotated = order[start:] + order[:start]
    ids = {c.id for c in eligible}
    return next(i for i in rotated if i in ids)
