"""Draft-check links (admins make them) and who may use the draft check: a queue login, or a
signed link naming an employee of the roster (header X-Vigie-Draft-Link)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from pydantic import BaseModel, Field

from events.schemas import utcnow
from workflow.api.deps import CurrentPrincipal, SessionDep, StateDep, get_principal, oauth2
from workflow.api.errors import errors
from workflow.auth import Role
from workflow.draft_links import DraftLink, load_key, sign, verify
from workflow.errors import NotFound

__all__ = ["draft_access", "link_key", "router"]

router = APIRouter(prefix="/api/draft-links", tags=["draft check"])
LinkHeader = Annotated[str | None, Header(alias="X-Vigie-Draft-Link")]


class StaffPublic(BaseModel):
    id: str
    name: str
    team: str | None


class LinkCreate(BaseModel):
    staff_id: str = Field(min_length=1, max_length=64)
    days: int = Field(default=30, ge=1, le=365, description="How long the link works.")


class LinkIssued(BaseModel):
    staff_id: str
    name: str
    expires_at: datetime
    token: str
    url: str = Field(description="Path of the draft-check page with the link; prefix the host.")


class LinkHolder(BaseModel):
    staff_id: str
    name: str
    expires_at: datetime


def link_key(state: StateDep) -> bytes:
    """The key that signs employees' links (draft check and policy acknowledgement)."""
    secret = state.options.draft_link_secret
    return load_key(secret.get_secret_value() if secret else None, state.settings.data_dir)


def _staff(state: StateDep) -> dict[str, StaffPublic]:
    return {m.id: StaffPublic(id=m.id, name=m.name, team=m.team) for m in state.book.config.staff}


@router.get("/staff", response_model=list[StaffPublic])
def list_staff(principal: CurrentPrincipal, state: StateDep) -> list[StaffPublic]:
    """The employees of the roster, who can be given a link."""
    principal.require(Role.admin, "listing the staff roster")
    return sorted(_staff(state).values(), key=lambda m: m.name)


@router.post("", response_model=LinkIssued, status_code=201)
def create_link(body: LinkCreate, principal: CurrentPrincipal, state: StateDep) -> LinkIssued:
    """A link that opens the draft check to one employee until it expires. Shown once."""
    principal.require(Role.admin, "creating draft-check links")
    member = _staff(state).get(body.staff_id)
    if member is None:
        raise NotFound(f"no employee {body.staff_id!r} in the staff roster of the brand file")
    expires_at = (utcnow() + timedelta(days=body.days)).replace(microsecond=0)
    token = sign(link_key(state), DraftLink(member.id, expires_at))
    return LinkIssued(
        staff_id=member.id,
        name=member.name,
        expires_at=expires_at,
        token=token,
        url=f"/draft-check?link={token}",
    )


def link_holder(state: StateDep, link: LinkHeader = None) -> LinkHolder | None:
    """The employee a valid link names; None without a link; 401 for a bad or expired one."""
    if not link:
        return None
    found = verify(link_key(state), link, now=utcnow())
    member = _staff(state).get(found.staff_id) if found else None
    if found is None or member is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="this draft-check link is invalid or expired: ask an administrator for a new one",
        )
    return LinkHolder(staff_id=member.id, name=member.name, expires_at=found.expires_at)


@router.get("/me", response_model=LinkHolder, responses=errors(401))
def who(holder: Annotated[LinkHolder | None, Depends(link_holder)]) -> LinkHolder:
    """Whom the link in X-Vigie-Draft-Link names, and until when it works."""
    if holder is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="no X-Vigie-Draft-Link header")
    return holder


def draft_access(
    request: Request,
    session: SessionDep,
    holder: Annotated[LinkHolder | None, Depends(link_holder)],
    bearer: Annotated[str | None, Depends(oauth2)],
) -> None:
    """Who may run the draft check: the holder of a valid link, else a logged-in queue user
    (declared as a bearer dependency, so the OpenAPI document says it may answer 401)."""
    if holder is None:
        get_principal(request, session, bearer)
