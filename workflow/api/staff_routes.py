"""The staff programme: who accepted the social-media policy (admins and leads), the
acknowledgement an employee makes from a signed link (header X-Vigie-Policy-Link, no queue
account), and the highlights gathered for the comms lead."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status
from pydantic import BaseModel, Field

from events.schemas import ValidatedInput, utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep, StateDep
from workflow.api.draft_link_routes import LinkCreate, LinkIssued, link_key
from workflow.api.errors import errors
from workflow.auth import Role
from workflow.draft_links import DraftLink, sign, verify
from workflow.errors import NotFound
from workflow.highlights import shown_highlights
from workflow.staff_policy import Standing, accept, roster_standing, standing_of

__all__ = ["router"]

router = APIRouter(tags=["staff programme"])
PolicyLinkHeader = Annotated[str | None, Header(alias="X-Vigie-Policy-Link")]


class PolicyPublic(BaseModel):
    version: str
    url: str
    published: date


class StandingPublic(BaseModel):
    staff_id: str
    name: str
    team: str | None
    accepted_version: str | None
    accepted_at: datetime | None
    due_at: datetime
    status: Literal["current", "due", "overdue"]


class RosterStanding(BaseModel):
    policy: PolicyPublic | None = Field(description="Null when the brand file names no policy.")
    counts: dict[str, int] = Field(description="current, due, overdue -> employees.")
    staff: list[StandingPublic] = Field(description="Most urgent first.")


class PolicyForHolder(BaseModel):
    policy: PolicyPublic
    standing: StandingPublic


class Acknowledgement(ValidatedInput):
    version: str = Field(min_length=1, max_length=40, description="The version the page showed.")


class HighlightPublic(BaseModel):
    id: int
    kind: Literal["helpful_answer", "customer_story", "well_received"]
    staff_id: str
    name: str
    team: str | None
    account_use: str
    posted_at: datetime
    url: str | None
    text: str | None = Field(description="The post's text while the post is kept.")
    evidence: list[dict[str, Any]] = Field(
        description="Why, one item each: `why` (reply_to, help_cue, customer, good_outcome, "
        "engagement) and what it found (handle, labels, text, reactions, ratio, usual, posts)."
    )


def _public(found: Standing) -> StandingPublic:
    return StandingPublic(**found.__dict__)


def _policy(state: StateDep) -> PolicyPublic:
    policy = state.book.config.staff_policy
    if policy is None:
        raise NotFound("no staff policy is configured in the brand file")
    return PolicyPublic(version=policy.version, url=policy.url, published=policy.published)


@router.get("/api/staff-policy", response_model=RosterStanding)
def roster(principal: CurrentPrincipal, session: SessionDep, state: StateDep) -> RosterStanding:
    """Who on the staff roster is current, due or overdue with the policy (admins and leads)."""
    principal.require(Role.lead, "reading the policy roster")
    config = state.book.config
    found = roster_standing(session, config, utcnow())
    session.commit()  # newcomers' enrolment
    counts = {name: 0 for name in ("current", "due", "overdue")}
    for item in found:
        counts[item.status] += 1
    return RosterStanding(
        policy=_policy(state) if config.staff_policy else None,
        counts=counts,
        staff=[_public(s) for s in found],
    )


@router.post(
    "/api/staff-policy/links", response_model=LinkIssued, status_code=201, responses=errors(404)
)
def create_policy_link(
    body: LinkCreate, principal: CurrentPrincipal, state: StateDep
) -> LinkIssued:
    """A link that opens the acknowledgement page to one employee (the reminders carry one too)."""
    principal.require(Role.admin, "creating policy links")
    member = next((m for m in state.book.config.staff if m.id == body.staff_id), None)
    if member is None:
        raise NotFound(f"no employee {body.staff_id!r} in the staff roster of the brand file")
    expires_at = (utcnow() + timedelta(days=body.days)).replace(microsecond=0)
    token = sign(link_key(state), DraftLink(member.id, expires_at, "policy"))
    return LinkIssued(
        staff_id=member.id,
        name=member.name,
        expires_at=expires_at,
        token=token,
        url=f"/acknowledge?link={token}",
    )


def policy_holder(state: StateDep, link: PolicyLinkHeader = None) -> str:
    """The roster id a valid policy link names; 401 without one, or for a bad or expired one."""
    found = verify(link_key(state), link, now=utcnow(), purpose="policy") if link else None
    if found is None or found.staff_id not in {m.id for m in state.book.config.staff}:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="this policy link is invalid or expired: the next reminder brings a new one, "
            "or ask an administrator",
        )
    return found.staff_id


HolderDep = Annotated[str, Depends(policy_holder)]


@router.get("/api/staff-policy/me", response_model=PolicyForHolder, responses=errors(401, 404))
def my_policy(staff_id: HolderDep, session: SessionDep, state: StateDep) -> PolicyForHolder:
    """The policy to accept and where the link's holder stands."""
    policy = _policy(state)
    found = standing_of(session, state.book.config, staff_id, utcnow())
    session.commit()
    if found is None:
        raise NotFound("no staff policy is configured in the brand file")
    return PolicyForHolder(policy=policy, standing=_public(found))


@router.post(
    "/api/staff-policy/acknowledgements",
    response_model=StandingPublic,
    responses=errors(401, 404),
)
def acknowledge(
    body: Acknowledgement, staff_id: HolderDep, session: SessionDep, state: StateDep
) -> StandingPublic:
    """The link's holder accepts the version the page showed them (refused if it changed)."""
    found = accept(session, state.book.config, staff_id, body.version, utcnow())
    session.commit()
    return _public(found)


@router.get("/api/highlights", response_model=list[HighlightPublic])
def highlights(
    principal: CurrentPrincipal,
    session: SessionDep,
    state: StateDep,
    days: Annotated[int, Query(ge=1, le=366, description="The last N days.")] = 30,
    kind: Annotated[Literal["helpful_answer", "customer_story", "well_received"] | None, Query()] = None,
) -> list[HighlightPublic]:
    """Staff posts that do what the policy encourages, newest first, with why (admins, leads)."""
    principal.require(Role.lead, "reading highlights")
    now = utcnow()
    views = shown_highlights(  # until tomorrow: a platform's clock may run a little ahead
        session, state.book.config, since=now - timedelta(days=days), until=now + timedelta(days=1),
        kind=kind,
    )
    return [HighlightPublic(**v.__dict__) for v in views]
