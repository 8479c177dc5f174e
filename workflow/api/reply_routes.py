"""Answering from a case: templates, replies sent to the platform, hidden replies, "answered
elsewhere", and the second person's approval (workflow.replies)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlmodel import col, select

from events.schemas import utcnow
from workflow.actions import load_case
from workflow.api.deps import BookDep, CurrentPrincipal, SessionDep
from workflow.api.errors import errors
from workflow.api.schemas import _Request
from workflow.models import CaseReply
from workflow.replies import (
    HIDE_SUPPORT,
    MAX_CHARS,
    Decision,
    ReplyKind,
    decide,
    needs_approval,
    render_templates,
    request_reply,
)

router = APIRouter(prefix="/api/cases", tags=["replies"])

CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class _CaseBody(_Request):
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The case version you read: 409 if stale."
    )


class ReplyCreate(_CaseBody):
    kind: ReplyKind = Field(
        default="reply",
        description="reply: answer on the platform; hide: hide the post (a reply, on X); "
        "elsewhere: record that it was answered by other means (phone, private message).",
    )
    post_id: str | None = Field(
        default=None, max_length=250, description="The post answered; default: the first."
    )
    text: str = Field(default="", max_length=2000, description="The reply, or a note.")
    lang: Literal["fr", "en"] | None = None
    template: str | None = Field(default=None, max_length=60, description="The template used.")


class ReplyDecision(_CaseBody):
    reply_id: int = Field(ge=1, le=2**31 - 1)
    decision: Decision = Field(
        description="approve or reject (a second person), or retry a failed or uncertain one."
    )
    reason: str | None = Field(default=None, max_length=500, description="Why it is rejected.")


class ReplyPublic(BaseModel):
    id: int
    kind: str
    post_id: str | None
    platform: str
    lang: str | None
    template: str | None
    text: str
    state: str = Field(
        description="pending_approval, queued, sent, failed, unknown (a person checks the "
        "platform before sending it again), rejected or answered_elsewhere."
    )
    requested_by: str
    requested_at: datetime
    approval_required: bool
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    attempt: int
    platform_post_id: str | None
    url: str | None
    sent_at: datetime | None


class TemplatePublic(BaseModel):
    label: str
    name: str
    lang: str
    text: str


class Replies(BaseModel):
    replies: list[ReplyPublic]
    templates: list[TemplatePublic] = Field(description="Filled for this case and for you.")
    approval_required: bool = Field(description="Your replies here wait for a second person.")
    max_chars: int | None
    hide: str | None = Field(description="Why hiding is not possible here; null when it is.")


def _public(row: CaseReply) -> ReplyPublic:
    return ReplyPublic.model_validate(row, from_attributes=True)


@router.get("/{case_id:int}/replies", response_model=Replies)
def list_replies(
    case_id: CaseId, principal: CurrentPrincipal, session: SessionDep, book: BookDep
) -> Replies:
    """The case's answers, oldest first, and the templates of its labels."""
    case = load_case(session, case_id, principal).case
    rows = session.exec(
        select(CaseReply).where(CaseReply.case_id == case_id).order_by(col(CaseReply.id))
    )
    return Replies(
        replies=[_public(r) for r in rows],
        templates=[TemplatePublic(**t) for t in render_templates(session, book, case, principal)],
        approval_required=needs_approval(case, book, principal),
        max_chars=MAX_CHARS.get(case.platform),
        hide=HIDE_SUPPORT.get(case.platform, f"{case.platform} has no way to hide a reply"),
    )


@router.post(
    "/{case_id:int}/replies",
    response_model=ReplyPublic,
    status_code=201,
    responses=errors(409, 422),
)
def create_reply(
    case_id: CaseId,
    body: ReplyCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    book: BookDep,
) -> ReplyPublic:
    """Reply on the platform (it leaves at once, or after a second person's approval on a
    high-risk case), hide a reply (X), or mark the case answered elsewhere."""
    context = load_case(session, case_id, principal, version=body.version)
    row = request_reply(
        session,
        book,
        context,
        principal,
        kind=body.kind,
        now=utcnow(),
        post_id=body.post_id,
        text=body.text,
        lang=body.lang,
        template=body.template,
    )
    session.commit()
    return _public(row)


@router.post(
    "/{case_id:int}/replies/decisions", response_model=ReplyPublic, responses=errors(409, 422)
)
def decide_reply(
    case_id: CaseId,
    body: ReplyDecision,
    principal: CurrentPrincipal,
    session: SessionDep,
    book: BookDep,
) -> ReplyPublic:
    """Approve or reject someone else's reply, or send a failed one again."""
    context = load_case(session, case_id, principal, version=body.version)
    row = decide(
        session,
        book,
        context,
        principal,
        reply_id=body.reply_id,
        decision=body.decision,
        now=utcnow(),
        reason=body.reason,
    )
    session.commit()
    return _public(row)
