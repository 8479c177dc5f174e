"""Rumour stories: the list, one story with its volume over time and posts, and a person's
state change (addressed with the link to the official answer, debunked, closed)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, col, select

from events.schemas import WebUrl, utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep
from workflow.api.schemas import _Request
from workflow.auth import Role
from workflow.errors import Forbidden, NotFound
from workflow.models import CaseTeam, PostRecord, Story, StoryPost
from workflow.principal import Principal
from workflow.stories.desk import STATES, change_state, lock_stories

router = APIRouter(prefix="/api/stories", tags=["stories"])

StoryId = Annotated[int, Path(ge=1, le=2**31 - 1)]
StoryState = Literal["emerging", "spreading", "addressed", "debunked", "closed"]
assert set(StoryState.__args__) == set(STATES)  # type: ignore[attr-defined]


class StorySummary(BaseModel):
    id: int
    claim: str
    state: StoryState
    severity: str
    volume: int
    reach: int = Field(description="Follower counts the posts carry, else their engagement.")
    languages: list[str]
    platforms: list[str]
    case_id: int | None = Field(description="The case the story's team works.")
    answer_url: str | None
    first_post_id: str
    last_post_id: str
    first_at: datetime
    last_at: datetime
    spread_at: datetime | None = Field(description="When it crossed the brand's threshold.")


class StoryPostPublic(BaseModel):
    post_id: str
    platform: str
    lang: str
    created_at: datetime
    reach: int
    similarity: float
    shared: list[str] = Field(description="The claim terms it shares with the story: why it joined.")
    author_handle: str | None
    text: str | None = Field(description="None once the post is no longer kept (retention).")
    url: str | None
    case_id: int | None


class VolumePoint(BaseModel):
    hour: datetime
    posts: int


class StoryDetail(StorySummary):
    terms: list[str] = Field(description="The claim's heaviest terms (topics start with '=').")
    history: list[dict[str, Any]]
    volume_by_hour: list[VolumePoint]
    posts: list[StoryPostPublic]


class StoryStateChange(_Request):
    state: Literal["addressed", "debunked", "closed", "emerging", "spreading"]
    answer_url: WebUrl | None = Field(
        default=None, description="The official answer; required for 'addressed'."
    )

    @model_validator(mode="after")
    def _answer_for_addressed(self) -> StoryStateChange:
        if self.state == "addressed" and not self.answer_url:
            raise ValueError("an addressed story needs answer_url, the link to the official answer")
        return self


def _editor(principal: CurrentPrincipal) -> Principal:
    """Agents and above (checked before the story is looked up)."""
    principal.require(Role.agent, "changing a story")
    return principal


@router.get("", response_model=list[StorySummary])
def list_stories(
    principal: CurrentPrincipal,
    session: SessionDep,
    state: Annotated[list[StoryState] | None, Query(description="Default: every state.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[StorySummary]:
    """Stories, the latest activity first."""
    query = select(Story).order_by(col(Story.last_at).desc(), col(Story.id).desc()).limit(limit)
    if state:
        query = query.where(col(Story.state).in_(state))
    return [_summary(s) for s in session.exec(query)]


@router.get("/{story_id}", response_model=StoryDetail)
def read_story(story_id: StoryId, principal: CurrentPrincipal, session: SessionDep) -> StoryDetail:
    """One story: its claim terms, state history, volume per hour and posts."""
    return _detail(session, _story(session, story_id))


@router.post("/{story_id}/state", response_model=StoryDetail)
def set_state(
    story_id: StoryId,
    change: Annotated[StoryStateChange, Body()],
    principal: Annotated[Principal, Depends(_editor)],
    session: SessionDep,
) -> StoryDetail:
    """Mark a story addressed (with the official answer's link), debunked or closed (agents of
    the story's case teams; admins any). A closed story gathers no more posts."""
    lock_stories(session)
    story = _story(session, story_id)
    _require_scope(session, principal, story)
    change_state(story, change.state, actor=principal.username, now=utcnow(),
                 answer_url=change.answer_url)
    session.add(story)
    session.commit()
    session.refresh(story)
    return _detail(session, story)


def _story(session: Session, story_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise NotFound(f"no story {story_id}")
    return story


def _require_scope(session: Session, principal: Principal, story: Story) -> None:
    if principal.is_admin or story.case_id is None:
        return
    teams = set(session.exec(select(CaseTeam.team).where(col(CaseTeam.case_id) == story.case_id)))
    if not teams & principal.teams:
        scope = ", ".join(sorted(principal.teams)) or "none"
        raise Forbidden(f"story {story.id} belongs to {', '.join(sorted(teams))} ({scope} is yours)")


def _summary(story: Story) -> StorySummary:
    fields = StorySummary.model_fields
    return StorySummary(**{name: getattr(story, name) for name in fields})


def _detail(session: Session, story: Story) -> StoryDetail:
    members = list(session.exec(
        select(StoryPost, PostRecord)
        .join(PostRecord, col(PostRecord.id) == col(StoryPost.post_id), isouter=True)
        .where(col(StoryPost.story_id) == story.id)
        .order_by(col(StoryPost.created_at), col(StoryPost.post_id))
    ))
    hours = Counter(m.created_at.replace(minute=0, second=0, microsecond=0) for m, _ in members)
    posts = [
        StoryPostPublic(
            post_id=m.post_id, platform=m.platform, lang=m.lang, created_at=m.created_at,
            reach=m.reach, similarity=m.similarity, shared=list(m.shared),
            author_handle=p.author_handle if p else None, text=p.text if p else None,
            url=p.url if p else None, case_id=p.case_id if p else None,
        )
        for m, p in members
    ]
    terms = sorted(story.terms, key=lambda t: (-story.terms[t], t))[:12]
    return StoryDetail(
        **_summary(story).model_dump(),
        terms=terms,
        history=list(story.history),
        volume_by_hour=[VolumePoint(hour=h, posts=n) for h, n in sorted(hours.items())],
        posts=posts,
    )
