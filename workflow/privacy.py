"""Legal hold on a case: who may set or lift it, and the audit of it.

A hold keeps a case, its posts, notes, audit and feedback whatever the retention says (a dispute,
a regulator's inquiry). Admins, and leads of the legal teams (VIGIE_LEGAL_HOLD_TEAMS), set and
lift it, with a reason the audit keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from workflow.actions import load_case
from workflow.auth import Role
from workflow.errors import Forbidden
from workflow.models import Case
from workflow.principal import Principal
from workflow.records import audit

__all__ = ["set_legal_hold"]


def set_legal_hold(
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    hold: bool,
    reason: str,
    legal_teams: Iterable[str],
    now: datetime,
) -> Case:
    """Set or lift the hold (idempotent; each call is audited); the caller commits."""
    teams = set(legal_teams)
    if not principal.is_admin and not (principal.role.at_least(Role.lead) and principal.teams & teams):
        raise Forbidden(
            "a legal hold is set by an admin or a lead of a legal team "
            f"({', '.join(sorted(teams)) or 'none configured'})"
        )
    case = load_case(session, case_id, principal).case
    before = {"legal_hold": case.legal_hold}
    case.legal_hold = hold
    case.updated_at = now
    session.add(case)
    audit(
        session,
        case=case,
        action="legal_hold_set" if hold else "legal_hold_lifted",
        actor=principal.username,
        at=now,
        before=before,
        after={"legal_hold": hold, "reason": reason},
    )
    return case
