"""Highlights: staff posts that do what the policy encourages, each with the evidence that says why.

Three kinds, each a simple rule a person can check in one glance:

- `helpful_answer`: a staff reply to a customer's post (a mention) that carries no label itself
  (labels about the profile, such as a missing disclaimer, do not count),
  in a thread where nothing asks for a designated voice (a journalist, a rumour, a disclosure,
  investor talk, harassment, copyright), with a cue of help in French or English (an invitation
  to write in private, a promise to call back, "here's how", a link...).
- `customer_story`: an original staff post without label that names a customer and a good
  outcome ("un client m'a remercié", "proud to have helped a customer").
- `well_received`: a staff post without label whose reactions (likes, reposts, replies, quotes)
  reach `engagement_factor` times the person's usual on that account (and `min_engagement`);
  the usual is a running mean of log(1 + reactions), counted after `baseline_posts` posts.

Nothing is kept about a post from an account whose use (official, professional, personal) the
employee did not accept for highlights (`highlights` in the roster): no highlight, no baseline.
`benchmarks/highlights_quality.py` measures the two text rules on a development set.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from events.brand import BrandConfig, HighlightPolicy, StaffUse
from events.schemas import Post, Verdict
from workflow.intake_posts import insert_ignore
from workflow.metrics import STAFF_HIGHLIGHTS
from workflow.models import EngagementBaseline, Highlight, PostRecord

__all__ = [
    "KINDS",
    "describe",
    "ABOUT_THE_PROFILE",
    "NEEDS_A_DESIGNATED_VOICE",
    "Found",
    "Parent",
    "account_use",
    "engagement",
    "HighlightView",
    "record_highlights",
    "recognise_text",
    "shown_highlights",
]

KINDS = ("helpful_answer", "customer_story", "well_received")

NEEDS_A_DESIGNATED_VOICE = frozenset(
    {"press_inquiry", "rumour", "investor_sensitive", "risky_disclosure", "harassment", "copyright"}
)
"""Threads where an employee's answer is not what the policy asks for: spokespersons, comms,
investor relations or legal answer there."""

ABOUT_THE_PROFILE = frozenset({"missing_disclaimer"})
"""Labels about the author's profile, not the post: they do not keep a good post from being a
highlight (the label still opens its case for HR)."""


def _cues(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


HELP_CUES = _cues(
    # French
    r"\b[ée]crivez[- ]nous\b",
    r"\ben (?:dm|priv[ée]|message priv[ée])\b",
    r"\b(?:je|on) vous (?:[ée]cri[st]|appelle|rappelle|envoie|r[ée]ponds)\b",
    r"\bvoici (?:comment|le lien|les [ée]tapes)\b",
    r"\bvous pouvez\b",
    r"\bessayez\b",
    r"\bprenez rendez-vous\b",
    r"\bun (?:technicien|conseiller)\b",
    r"\b(?:je|on) (?:transmets?|v[ée]rifie|regarde|lance|s'en occupe)\b",
    r"\b(?:c'est|est) (?:r[ée]gl[ée]|corrig[ée]|inclus[e]?)\b",
    r"\bd[ée]tails (?:et conditions )?sur\b",
    # English
    r"\b(?:please )?(?:dm|message) us\b",
    r"\bsend us a (?:dm|message)\b",
    r"\bhere'?s how\b",
    r"\byou can\b",
    r"\btry\b",
    r"\b(?:i|we)'?(?:ll| will) (?:send|email|call|check|look|escalate|run|book|fix|get)\b",
    r"\b(?:is|are) included\b",
    r"\bdetails(?: at| on|:)",
    r"\b(?:fixed|sorted|resolved)\b",
    # a link to the brand's own pages
    r"\b[a-z0-9-]+\.(?:ca|com)/\S+",
)
CUSTOMER_CUES = _cues(
    r"\b(?:client|cliente|clients|clientes|abonn[ée]e?s?)\b",
    r"\bcustomers?\b",
)
GOOD_OUTCOME_CUES = _cues(
    r"\bmerci\b",
    r"\bfi[eè]re?s?\b",
    r"\bheureu(?:x|se)\b",
    r"\bsourire\b",
    r"\baid[ée]e?s?\b",
    r"\bbravo\b",
    r"\bthank(?:s| you)?\b",
    r"\bproud\b",
    r"\bhappy\b",
    r"\bhelped\b",
    r"\bsmile\b",
    r"\bmade (?:my|our) day\b",
    r"\bbest\b",
    r"\blove\b",
)


@dataclass(frozen=True)
class Parent:
    """The post a staff reply answers, as the workflow stored it."""

    source: str
    author_handle: str
    labels: frozenset[str]


@dataclass
class Found:
    """A highlight of one post; each evidence item names its reason in `why` (reply_to,
    help_cue, customer, good_outcome, engagement) with what it found, for the page to word."""

    kind: str
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _first(patterns: list[re.Pattern[str]], text: str) -> str | None:
    for pattern in patterns:
        if match := pattern.search(text):
            return match.group(0)
    return None


def recognise_text(
    post: Post, labels: set[str], parent: Parent | None, thread_labels: set[str]
) -> list[Found]:
    """The text rules (helpful answer, customer story) on one staff post."""
    if labels:
        return []  # a flagged post is a case, never a highlight
    found: list[Found] = []
    text = post.text
    if post.reply_to_id is not None:
        if parent is not None and parent.source == "mention":
            voice = sorted(thread_labels & NEEDS_A_DESIGNATED_VOICE)
            cue = _first(HELP_CUES, text)
            if not voice and cue:
                found.append(Found("helpful_answer", [
                    {"why": "reply_to", "handle": parent.author_handle,
                     "labels": sorted(parent.labels)},
                    {"why": "help_cue", "text": cue},
                ]))
        return found
    customer, outcome = _first(CUSTOMER_CUES, text), _first(GOOD_OUTCOME_CUES, text)
    if customer and outcome:
        found.append(Found("customer_story", [
            {"why": "customer", "text": customer}, {"why": "good_outcome", "text": outcome},
        ]))
    return found


def engagement(post: Post) -> int:
    """Reactions to a post: the sum of what the platform counts (likes, reposts, replies...)."""
    return sum(max(0, value) for value in post.metrics.values())


def account_use(config: BrandConfig, post: Post) -> StaffUse:
    """How the account that wrote a staff post is used: the brand's own accounts are official."""
    handle = post.author.handle.lstrip("@").lower()
    if handle in {h.lstrip("@").lower() for h in config.brand.accounts.get(post.platform, [])}:
        return "official"
    member = next((m for m in config.staff if m.id == post.staff_member_id), None)
    return member.account_use.get(post.platform, "professional") if member else "professional"


def _well_received(
    session: Session, policy: HighlightPolicy, post: Post, flagged: bool
) -> Found | None:
    """Compare with the person's usual on this account, then fold the post into it."""
    key = f"{post.staff_member_id}:{post.platform}:{post.author.handle.lower()}"[:350]
    baseline = session.get(EngagementBaseline, key) or EngagementBaseline(account=key)
    reactions = engagement(post)
    found = None
    if not flagged and baseline.posts >= policy.baseline_posts and reactions >= policy.min_engagement:
        ratio = math.exp(math.log1p(reactions) - baseline.mean_log)
        if ratio >= policy.engagement_factor:
            found = Found("well_received", [{
                "why": "engagement",
                "reactions": reactions,
                "ratio": round(ratio, 1),
                "usual": round(math.expm1(baseline.mean_log), 1),
                "posts": baseline.posts,
                "handle": post.author.handle,
            }])
    baseline.posts += 1
    baseline.mean_log += (math.log1p(reactions) - baseline.mean_log) / baseline.posts
    session.add(baseline)
    return found


def _context(session: Session, posts: list[Post]) -> tuple[dict[str, Parent], dict[str, set[str]]]:
    """The posts replied to, and every label seen in each thread (stored before this call)."""
    parent_ids = {f"{p.platform}:{p.reply_to_id}" for p in posts if p.reply_to_id}
    threads = {p.thread_id for p in posts}
    parents: dict[str, Parent] = {}
    thread_labels: dict[str, set[str]] = {t: set() for t in threads}
    rows = session.exec(
        select(PostRecord.id, PostRecord.thread_id, PostRecord.source, PostRecord.author_handle,
               PostRecord.labels)
        .where(col(PostRecord.thread_id).in_(threads) | col(PostRecord.id).in_(parent_ids))
    ).all()
    for post_id, thread_id, source, handle, labels in rows:
        names = frozenset(str(lv.get("label")) for lv in labels or [])
        thread_labels.setdefault(thread_id, set()).update(names)
        if post_id in parent_ids:
            parents[post_id] = Parent(source, handle, names)
    return parents, thread_labels


def record_highlights(
    session: Session, config: BrandConfig, verdicts: list[Verdict], now: datetime
) -> int:
    """Find and store the highlights of a batch's staff posts (posts already stored); returns
    how many were new. Counted in vigie_staff_highlights_total{kind}."""
    del now  # highlights are dated by their post
    members = {m.id: m for m in config.staff}
    shown = [
        v for v in sorted(verdicts, key=lambda v: v.post.created_at)
        if v.post.staff_member_id in members
        and account_use(config, v.post) in members[v.post.staff_member_id].highlights
    ]
    if not shown:
        return 0
    parents, thread_labels = _context(session, [v.post for v in shown])
    rows: list[dict] = []
    for verdict in shown:
        post = verdict.post
        labels = {lv.label.value for lv in verdict.labels} - ABOUT_THE_PROFILE
        parent = parents.get(f"{post.platform}:{post.reply_to_id}") if post.reply_to_id else None
        found = recognise_text(post, labels, parent, thread_labels.get(post.thread_id, set()))
        member = members[post.staff_member_id]  # type: ignore[index]
        use = account_use(config, post)
        if (well := _well_received(session, config.highlights, post, bool(labels))):
            found.append(well)
        rows.extend(
            {
                "post_id": post.post_id,
                "staff_id": member.id,
                "kind": f.kind,
                "account_use": use,
                "evidence": f.evidence,
                "url": post.url,
                "posted_at": post.created_at,
            }
            for f in found
        )
    new = 0
    for row in rows:  # one by one: each kind is counted only when it was new
        if insert_ignore(session, Highlight, [row]):
            STAFF_HIGHLIGHTS.labels(row["kind"]).inc()
            new += 1
    return new


@dataclass(frozen=True)
class HighlightView:
    """A highlight as the comms lead sees it: the post's text while the post is kept."""

    id: int
    kind: str
    staff_id: str
    name: str
    team: str | None
    account_use: str
    posted_at: datetime
    url: str | None
    text: str | None
    evidence: list[dict[str, Any]]


def shown_highlights(
    session: Session,
    config: BrandConfig,
    *,
    since: datetime,
    until: datetime,
    kind: str | None = None,
) -> list[HighlightView]:
    """Highlights posted in [since, until), newest first, of people still on the roster and only
    for the uses they accept today (a withdrawn consent hides what was gathered before)."""
    members = {m.id: m for m in config.staff}
    query = (
        select(Highlight, PostRecord.text)
        .join(PostRecord, col(PostRecord.id) == col(Highlight.post_id), isouter=True)
        .where(col(Highlight.posted_at) >= since, col(Highlight.posted_at) < until)
        .order_by(col(Highlight.posted_at).desc(), col(Highlight.id))
    )
    if kind is not None:
        query = query.where(Highlight.kind == kind)
    views = []
    for row, text in session.exec(query):
        member = members.get(row.staff_id)
        if member is None or row.account_use not in member.highlights:
            continue
        views.append(
            HighlightView(
                id=row.id,  # type: ignore[arg-type]
                kind=row.kind,
                staff_id=row.staff_id,
                name=member.name,
                team=member.team,
                account_use=row.account_use,
                posted_at=row.posted_at,
                url=row.url,
                text=text,
                evidence=list(row.evidence),
            )
        )
    return views


def describe(item: dict[str, Any]) -> str:
    """One evidence item in words, French then English (for mails; the page words its own)."""
    why = item.get("why")
    if why == "reply_to":
        labels = ", ".join(item.get("labels") or []) or "-"
        return (f"répond à un client / replies to a customer: @{item.get('handle')} ({labels})")
    if why == "help_cue":
        return f"aide / help: « {item.get('text')} »"
    if why == "customer":
        return f"client / customer: « {item.get('text')} »"
    if why == "good_outcome":
        return f"bon dénouement / good outcome: « {item.get('text')} »"
    if why == "engagement":
        return (f"{item.get('reactions')} réactions / reactions, {item.get('ratio')}× "
                f"l'habitude / the usual ({item.get('usual')}, {item.get('posts')} posts)")
    return str(item)
