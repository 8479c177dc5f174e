"""Answering from a case: reply on the platform, hide a reply, or mark "answered elsewhere".

A reply is written by an agent of one of the case's owning teams, from a template of the brand
configuration (`replies.templates`, per label, in French and English) or from scratch. It leaves
at once (`queued`) unless it needs a second person's approval: on a high-risk case (the review
labels, see workflow.review) or when the sender's role is in `replies.approval_roles`. Someone
else then approves it (`queued`) or rejects it with a reason (`rejected`).

A queued row is the outbox: workflow.outbox.ReplyRelay publishes it to vigie.replies; ingest
sends it once (keyed by `reply_key`) and publishes the outcome, which `apply_outcome` writes back
(`sent` with the platform's id and link, `failed` with the reason, or `unknown` when ingest was
interrupted mid-send and the platform cannot tell). A failed or unknown reply can be sent again
(`retry`: the attempt number goes up); a sent one never is. Every step is an audit entry.

Sending is not itself a response on the case's tasks: the reply counts once ingest collects it
back from the thread as the brand's post (workflow.responses), like a reply written on the
platform. Its platform id and link are kept to show it on the case.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from events.schemas import ReplyOutcome, ReplyRequest
from workflow.actions import CaseContext
from workflow.auth import Role
from workflow.book import PolicyBook
from workflow.errors import Forbidden, InvalidAction
from workflow.models import Case, CaseReply, Member, PostRecord
from workflow.principal import Principal
from workflow.records import audit
from workflow.review import needs_review

__all__ = [
    "HIDE_SUPPORT",
    "MAX_CHARS",
    "QUEUED",
    "Decision",
    "ReplyKind",
    "apply_outcome",
    "decide",
    "needs_approval",
    "render_templates",
    "reply_request",
    "request_reply",
]

ReplyKind = Literal["reply", "hide", "elsewhere"]
Decision = Literal["approve", "reject", "retry"]

MAX_CHARS = {"x": 280, "bluesky": 300, "mastodon": 500}
"""The platforms' length limits (Mastodon's default instance limit)."""

HIDE_SUPPORT = {
    "x": None,
    "mastodon": "Mastodon cannot hide someone else's reply: mute or block the account, or report "
    "the post to its instance's moderators.",
    "bluesky": "Bluesky hides replies only in threads the brand itself started (a thread gate "
    "set by the brand's account, in the Bluesky app); Vigie does not set it.",
}
"""None where Vigie can hide a reply; otherwise what the platform allows instead."""

WAITING = "pending_approval"
QUEUED = "queued"
"""Approved (or needing no approval), to be published to ingest: the outbox state."""
RETRYABLE = ("failed", "unknown")


def needs_approval(case: Case, book: PolicyBook, principal: Principal) -> bool:
    """A reply on a high-risk case, or by a role the brand names, waits for a second person."""
    roles = book.config.replies.approval_roles
    return needs_review(case, book) or principal.role.value in roles


def _require_owner(context: CaseContext, principal: Principal, what: str) -> None:
    """Answers speak for the brand: an agent of one of the case's owning teams (or an admin)."""
    principal.require(Role.agent, what)
    owners = {team for team, role in context.teams if role == "owner"}
    if not principal.is_admin and not owners & principal.teams:
        raise Forbidden(
            f"{what}: only the owning teams ({', '.join(sorted(owners))}) answer for this case"
        )


def _first_name(session: Session, principal: Principal) -> str:
    member = session.get(Member, principal.member_id) if principal.member_id else None
    name = member.name if member is not None else principal.username
    return name.split()[0] if name.split() else principal.username


def render_templates(
    session: Session, book: PolicyBook, case: Case, principal: Principal
) -> list[dict[str, str]]:
    """The templates of the case's labels and the general ones (triage's), in both languages,
    with the placeholders filled for this case and this sender."""
    values = {
        "author": f"@{case.author_handle}",
        "case_id": str(case.id),
        "agent_first_name": _first_name(session, principal),
        "brand": book.config.brand.name,
    }
    templates = book.config.replies.templates
    found = []
    for label in [*case.labels, "triage"] if case.labels else ["triage"]:
        for template in templates.get(label, []):  # type: ignore[call-overload]
            for lang in ("fr", "en"):
                found.append(
                    {
                        "label": label,
                        "name": template.name,
                        "lang": lang,
                        "text": template.render(lang, values),
                    }
                )
    return found


def _post(session: Session, case: Case, post_id: str | None) -> PostRecord:
    """The post answered: one of this case's, by default the case's first post."""
    query = select(PostRecord).where(PostRecord.case_id == case.id)
    if post_id is not None:
        query = query.where(PostRecord.id == post_id)
    post = session.exec(query.order_by(col(PostRecord.created_at))).first()
    if post is None:
        raise InvalidAction(
            f"case {case.id} has no post {post_id!r}" if post_id else f"case {case.id} has no post"
        )
    return post


def request_reply(
    session: Session,
    book: PolicyBook,
    context: CaseContext,
    principal: Principal,
    *,
    kind: ReplyKind,
    now: datetime,
    post_id: str | None = None,
    text: str = "",
    lang: str | None = None,
    template: str | None = None,
) -> CaseReply:
    """Record an answer: queued to leave, waiting for approval, or (elsewhere) done."""
    case = context.case
    _require_owner(context, principal, f"{kind} on case {case.id}")
    post = _post(session, case, post_id)
    text = text.strip()
    if kind == "reply":
        if not text:
            raise InvalidAction("a reply needs some text")
        limit = MAX_CHARS.get(post.platform)
        if limit is not None and len(text) > limit:
            raise InvalidAction(
                f"{post.platform} takes {limit} characters at most; this reply has {len(text)}"
            )
    elif kind == "hide":
        note = HIDE_SUPPORT.get(post.platform, f"{post.platform} has no way to hide a reply")
        if note is not None:
            raise InvalidAction(note)
        if not (post.payload or {}).get("reply_to_id"):
            raise InvalidAction("only a reply can be hidden (this post starts its thread)")
    approval = kind != "elsewhere" and needs_approval(case, book, principal)
    state = "answered_elsewhere" if kind == "elsewhere" else WAITING if approval else QUEUED
    row = CaseReply(
        reply_key=uuid.uuid4().hex,
        case_id=case.id,  # type: ignore[arg-type]
        post_id=post.id,
        platform=post.platform,
        kind=kind,
        lang=lang,
        template=template,
        text=text,
        state=state,
        requested_by=principal.username,
        requested_at=now,
        approval_required=approval,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        case=case,
        action=f"reply_{kind}" if kind != "elsewhere" else "answered_elsewhere",
        actor=principal.username,
        at=now,
        after=_snapshot(row),
    )
    return row


def decide(
    session: Session,
    book: PolicyBook,
    context: CaseContext,
    principal: Principal,
    *,
    reply_id: int,
    decision: Decision,
    now: datetime,
    reason: str | None = None,
) -> CaseReply:
    """Approve or reject a reply waiting for approval (someone other than its writer), or send a
    failed or uncertain one again."""
    case = context.case
    _require_owner(context, principal, f"{decision} a reply on case {case.id}")
    row = session.exec(
        select(CaseReply)
        .where(CaseReply.id == reply_id, CaseReply.case_id == case.id)
        .with_for_update()  # two people deciding at once: the second sees the first's decision
    ).first()
    if row is None:
        raise InvalidAction(f"case {case.id} has no reply {reply_id}")
    before = _snapshot(row)
    if decision in ("approve", "reject"):
        if row.state != WAITING:
            raise InvalidAction(f"reply {reply_id} is {row.state}, not waiting for approval")
        if row.requested_by == principal.username:
            raise InvalidAction(
                f"you wrote reply {reply_id}: a second person approves or rejects it"
            )
        if decision == "reject" and not (reason and reason.strip()):
            raise InvalidAction("reject needs a reason: say what must change in the reply")
        row.state = QUEUED if decision == "approve" else "rejected"
        row.decided_by, row.decided_at = principal.username, now
        row.reason = reason.strip() if decision == "reject" and reason else None
    else:
        if row.state not in RETRYABLE:
            raise InvalidAction(
                f"reply {reply_id} is {row.state}: only a failed or uncertain reply is sent again"
            )
        row.state, row.attempt, row.published_at = QUEUED, row.attempt + 1, None
    row.updated_at = now
    audit(
        session,
        case=case,
        action=f"reply_{decision}",
        actor=principal.username,
        at=now,
        before=before,
        after=_snapshot(row) | ({"reason": row.reason} if decision == "reject" else {}),
    )
    return row


def reply_request(row: CaseReply, case: Case) -> ReplyRequest:
    """What ingest needs to carry out a queued reply."""
    assert row.post_id is not None
    return ReplyRequest(
        reply_id=row.reply_key,
        attempt=row.attempt,
        kind=row.kind,  # type: ignore[arg-type]
        case_id=row.case_id,
        platform=row.platform,
        thread_id=case.thread_id,
        in_reply_to=row.post_id.split(":", 1)[1],
        text=row.text,
        lang=row.lang,
        requested_by=row.requested_by,
        at=row.requested_at,
    )


def apply_outcome(session: Session, outcome: ReplyOutcome, now: datetime) -> bool:
    """Write ingest's outcome on the reply; False when it is stale or already applied (outcomes
    arrive at least once, and an older attempt's outcome never undoes a newer one)."""
    row = session.exec(select(CaseReply).where(CaseReply.reply_key == outcome.reply_id)).first()
    if row is None or row.state == "sent" or outcome.attempt < row.attempt:
        return False
    if row.state != QUEUED and row.state == outcome.status:
        return False
    before = _snapshot(row)
    row.state = outcome.status
    row.reason = outcome.reason
    if outcome.status == "sent":
        row.platform_post_id, row.url, row.sent_at = (
            outcome.platform_post_id,
            outcome.url,
            outcome.at,
        )
    row.updated_at = now
    case = session.get(Case, row.case_id)
    if case is not None:
        audit(
            session,
            case=case,
            action=f"reply_{outcome.status}",
            actor="system",
            at=now,
            before=before,
            after=_snapshot(row),
        )
    return True


def _snapshot(row: CaseReply) -> dict[str, object]:
    """What an audit entry shows of a reply."""
    fields = {
        "reply": row.id,
        "kind": row.kind,
        "state": row.state,
        "post_id": row.post_id,
        "text": row.text or None,
        "attempt": row.attempt,
        "platform_post_id": row.platform_post_id,
        "url": row.url,
        "reason": row.reason,
    }
    return {name: value for name, value in fields.items() if value is not None}
