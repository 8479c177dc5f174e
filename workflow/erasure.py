"""Erasure and access by person: everything Vigie holds about one author, removed or exported.

An author is a platform and a handle (`x:jdoe`). Erasing them
- deletes their posts (text, verdict, payload), the shadow verdicts and feedback rows of those
  posts (feedback found by pseudonym too, after the post itself was purged);
- keeps the skeleton of their cases (labels, teams, deadlines, audit), the author replaced by a
  pseudonym and the quoted text (summary, search text) blanked;
- removes their handle, names and post texts wherever else they are quoted: notes and other
  audit entries, other people's posts in the same threads (a reply to @them), the brand's
  replies from the case (one not sent yet to a post of theirs is withdrawn), published case
  events in the outbox, the claim line of a rumour story (their posts leave the story; its
  counts stay);
- records `erased` in the audit of each case touched, and queues an `erased` case event on
  vigie.cases (details: author_ref, post_ids) for the services and consumers that keep copies.
The handle is never written back: the audit and the event carry `author_ref`, a pseudonym.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from events.pseudonyms import author_ref
from events.schemas import CaseEventType
from workflow.models import (
    AuditEntry,
    Case,
    CaseReply,
    EngagementBaseline,
    Feedback,
    Highlight,
    OutboxEvent,
    PostRecord,
    ShadowVerdict,
    StaffPostCheck,
    Story,
    StoryPost,
)
from workflow.records import audit, emit

__all__ = ["ERASED", "ErasureResult", "erase_author", "export_author"]

ERASED = "[erased]"
_MIN_QUOTE = 12  # shorter post texts ("merci!") are not hunted for in other records


@dataclass
class ErasureResult:
    author_ref: str
    pseudonym: str
    posts: int = 0
    cases: list[int] = field(default_factory=list)
    feedback: int = 0
    shadow_verdicts: int = 0
    scrubbed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "author_ref": self.author_ref,
            "pseudonym": self.pseudonym,
            "posts": self.posts,
            "cases": self.cases,
            "feedback": self.feedback,
            "shadow_verdicts": self.shadow_verdicts,
            "records_scrubbed": self.scrubbed,
        }


def _same_author(model: type, platform: str, handle: str) -> sa.ColumnElement[bool]:
    return (col(model.platform) == platform) & (  # type: ignore[attr-defined]
        sa.func.lower(sa.func.ltrim(model.author_handle, "@")) == handle  # type: ignore[attr-defined]
    )


class _Scrubber:
    """Replaces every quote of the person (handle, ids, names, post texts) in strings and JSON."""

    def __init__(self, quotes: set[str]) -> None:
        self.quotes = sorted((q for q in quotes if q), key=len, reverse=True)

    def text(self, value: str) -> str:
        lowered = value.lower()
        for quote in self.quotes:
            start = lowered.find(quote.lower())
            while start >= 0:
                value = value[:start] + ERASED + value[start + len(quote) :]
                lowered = value.lower()
                start = lowered.find(quote.lower(), start + len(ERASED))
        return value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value


def _mentioning(column: Any, handle: str) -> sa.ColumnElement[bool]:
    """Rows whose text or JSON (as text) contains the handle, whatever its case."""
    escaped = handle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(sa.cast(column, sa.Text)).like(f"%{escaped}%", escape="\\")


def erase_author(
    session: Session, platform: str, handle: str, *, actor: str, now: datetime
) -> ErasureResult:
    """Erase one author (see the module docstring); the caller commits."""
    ref = author_ref(platform, handle)
    result = ErasureResult(author_ref=ref, pseudonym=f"erased-{ref[:12]}")
    posts = list(session.exec(select(PostRecord).where(_same_author(PostRecord, platform, handle))))
    own_cases = list(session.exec(select(Case).where(_same_author(Case, platform, handle))))
    post_ids = [p.id for p in posts]
    # Short ids and names ("a1", "Jo") would blank parts of unrelated words: names and ids are
    # quoted from 4 characters, texts from _MIN_QUOTE; the handle always.
    names = {c.author_id for c in own_cases}
    texts = set()
    for post in posts:
        author = post.payload.get("author") or {}
        names.update({post.author_handle, post.author_id, author.get("display_name") or ""})
        texts.update({post.text.strip(), (author.get("description") or "").strip()})
    scrub = _Scrubber(
        {handle, f"@{handle}"}
        | {n for n in names if len(n) >= 4}
        | {t for t in texts if len(t) >= _MIN_QUOTE}
    )

    cases = {c.id: c for c in own_cases}
    for post in posts:
        if post.case_id is not None and post.case_id not in cases:
            cases[post.case_id] = session.get(Case, post.case_id)  # type: ignore[assignment]
    case_ids = sorted(i for i in cases if i is not None)

    # Feedback by pseudonym too: it outlives the posts it came from (retention.feedback).
    result.shadow_verdicts = _delete(session, ShadowVerdict, col(ShadowVerdict.post_id).in_(post_ids))
    result.feedback = _delete(
        session, Feedback, col(Feedback.post_id).in_(post_ids) | (col(Feedback.author_ref) == ref)
    )
    # The staff programme's notes on those posts (highlights, overdue checks) and baseline.
    _delete(session, Highlight, col(Highlight.post_id).in_(post_ids))
    _delete(session, StaffPostCheck, col(StaffPostCheck.post_id).in_(post_ids))
    account = f":{platform}:{handle.lstrip('@').lower()}"
    _delete(session, EngagementBaseline, col(EngagementBaseline.account).endswith(account))
    result.posts = _delete(session, PostRecord, col(PostRecord.id).in_(post_ids))
    _delete(session, StoryPost, col(StoryPost.post_id).in_(post_ids))
    gone = col(Story.first_post_id).in_(post_ids) | col(Story.last_post_id).in_(post_ids)
    for story in session.exec(select(Story).where(gone)):
        story.first_post_id = ERASED if story.first_post_id in post_ids else story.first_post_id
        story.last_post_id = ERASED if story.last_post_id in post_ids else story.last_post_id
        session.add(story)

    own_ids = {c.id for c in own_cases}
    for case in cases.values():
        if case.id in own_ids:
            case.author_id = case.author_handle = result.pseudonym
            case.summary = ERASED
            case.search_text = ""
        elif case.summary_post_id in post_ids:  # the summary quotes their post
            case.summary = ERASED
            case.search_text = scrub.text(case.search_text)
        else:
            case.summary = scrub.text(case.summary)
            case.search_text = scrub.text(case.search_text)
        case.post_count = int(
            session.execute(
                select(sa.func.count()).select_from(PostRecord).where(col(PostRecord.case_id) == case.id)
            ).scalar_one()
        )
        case.updated_at = now
        session.add(case)
    session.flush()

    result.scrubbed = _scrub_quotes(session, scrub, handle, case_ids)
    _scrub_replies(session, scrub, case_ids, set(post_ids), now)
    for case_id in case_ids:
        case = cases[case_id]
        mine = [p.id for p in posts if p.case_id == case_id]
        after = {"author_ref": ref, "pseudonym": result.pseudonym, "posts_removed": len(mine)}
        audit(session, case=case, action="erased", actor=actor, at=now, after=after)
        emit(
            session,
            CaseEventType.erased,
            case=case,
            at=now,
            actor=actor,
            details={"author_ref": ref, "post_ids": mine},
        )
    result.cases = case_ids
    session.flush()
    return result


def _scrub_replies(
    session: Session, scrub: _Scrubber, case_ids: list[int], post_ids: set[str], now: datetime
) -> None:
    """The brand's replies no longer quote the person nor point at their posts; one that has
    not left yet for a post of theirs never will."""
    for reply in session.exec(select(CaseReply).where(col(CaseReply.case_id).in_(case_ids))):
        reply.text = scrub.text(reply.text)
        if reply.post_id in post_ids:
            reply.post_id = None
            if reply.state in ("pending_approval", "queued"):
                reply.state, reply.reason = "rejected", "the author was erased"
        reply.updated_at = now
        session.add(reply)


def _delete(session: Session, model: type, where: sa.ColumnElement[bool]) -> int:
    return int(session.execute(sa.delete(model).where(where)).rowcount or 0)


def _scrub_quotes(session: Session, scrub: _Scrubber, handle: str, case_ids: list[int]) -> int:
    """Rewrite the audit entries, posts and case events that quote the person."""
    changed = 0
    entries = select(AuditEntry).where(
        col(AuditEntry.case_id).in_(case_ids)
        | _mentioning(AuditEntry.after, handle)
        | _mentioning(AuditEntry.before, handle)
    )
    for entry in session.exec(entries):
        before, after = scrub.json(entry.before), scrub.json(entry.after)
        if (before, after) != (entry.before, entry.after):
            entry.before, entry.after = before, after
            session.add(entry)
            changed += 1
    others = select(PostRecord).where(
        col(PostRecord.case_id).in_(case_ids)
        | _mentioning(PostRecord.text, handle)
        | _mentioning(PostRecord.payload, handle)
        | _mentioning(PostRecord.labels, handle)
    )
    for post in session.exec(others):
        text, payload, labels = scrub.text(post.text), scrub.json(post.payload), scrub.json(post.labels)
        url = None if post.url and scrub.text(post.url) != post.url else post.url
        if (text, payload, labels, url) != (post.text, post.payload, post.labels, post.url):
            post.text, post.payload, post.labels, post.url = text, payload, labels, url
            session.add(post)
            changed += 1
    for case in session.exec(select(Case).where(_mentioning(Case.search_text, handle))):
        case.search_text = scrub.text(case.search_text)
        case.summary = scrub.text(case.summary)
        session.add(case)
        changed += 1
    for story in session.exec(select(Story)):
        claim = scrub.text(story.claim)
        if claim != story.claim:
            story.claim = claim
            session.add(story)
            changed += 1
    for event in session.exec(select(OutboxEvent).where(_mentioning(OutboxEvent.payload, handle))):
        event.payload = json.dumps(scrub.json(json.loads(event.payload)), ensure_ascii=False)
        session.add(event)
        changed += 1
    return changed


def export_author(session: Session, platform: str, handle: str) -> dict[str, Any]:
    """What Vigie holds about one author, as JSON-ready data (a subject access request)."""
    ref = author_ref(platform, handle)
    posts = list(session.exec(
        select(PostRecord).where(_same_author(PostRecord, platform, handle)).order_by(col(PostRecord.created_at))
    ))
    cases = list(session.exec(select(Case).where(_same_author(Case, platform, handle)).order_by(col(Case.id))))
    post_ids = [p.id for p in posts]
    feedback = list(session.exec(
        select(Feedback).where((col(Feedback.author_ref) == ref) | col(Feedback.post_id).in_(post_ids))
    ))
    notes = list(session.exec(
        select(AuditEntry).where(col(AuditEntry.action) == "note", _mentioning(AuditEntry.after, handle))
    ))
    return {
        "author": {"platform": platform, "handle": handle, "author_ref": ref},
        "posts": [
            {
                "id": p.id,
                "case_id": p.case_id,
                "created_at": p.created_at.isoformat(),
                "received_at": p.received_at.isoformat(),
                "text": p.text,
                "url": p.url,
                "lang": p.lang,
                "source": p.source,
                "labels": [lv.get("label") for lv in p.labels],
                "outcome": p.outcome,
                "author": p.payload.get("author"),
                "place": p.payload.get("place"),
            }
            for p in posts
        ],
        "cases": [
            {
                "id": c.id,
                "state": c.state,
                "labels": list(c.labels),
                "opened_at": c.opened_at.isoformat(),
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                "legal_hold": c.legal_hold,
            }
            for c in cases
        ],
        "feedback": [
            {"post_id": f.post_id, "labels": list(f.labels), "text": f.text, "at": f.at.isoformat()}
            for f in feedback
        ],
        "notes_mentioning": [
            {"case_id": n.case_id, "at": n.at.isoformat(), "text": n.after.get("text")} for n in notes
        ],
    }
