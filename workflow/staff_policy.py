"""Who on the staff roster accepted the social-media policy, and who is due or overdue.

Each employee's due date: for a version they have not accepted, the later of its publication
and their enrolment (when the workflow first saw them on the roster) plus the grace period;
for the current version, its acceptance plus `renew_every`, or sooner when a new version comes.
They are `due` from `remind_before` that date, `overdue` after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Literal

from sqlmodel import Session, select

from events.brand import BrandConfig, StaffMember, StaffPolicy
from workflow.errors import InvalidAction, NotFound
from workflow.intake_posts import insert_ignore
from workflow.models import PolicyAcknowledgement

__all__ = [
    "Standing",
    "Status",
    "accept",
    "enrol",
    "roster_standing",
    "standing",
    "standing_of",
]

Status = Literal["current", "due", "overdue"]


@dataclass(frozen=True)
class Standing:
    """One employee's acknowledgement state as of a moment."""

    staff_id: str
    name: str
    team: str | None
    accepted_version: str | None
    accepted_at: datetime | None
    due_at: datetime
    status: Status


def _start_of(day: object) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)  # type: ignore[arg-type]


def standing(
    policy: StaffPolicy, member: StaffMember, row: PolicyAcknowledgement, now: datetime
) -> Standing:
    """The state of one employee under `policy` at `now` (pure: the tests' reference)."""
    new_version_due = max(_start_of(policy.published), row.enrolled_at) + policy.of("grace")
    if row.version == policy.version and row.accepted_at is not None:
        due_at = row.accepted_at + policy.of("renew_every")
    else:
        due_at = new_version_due
    if now >= due_at:
        status: Status = "overdue"
    elif now >= due_at - policy.of("remind_before"):
        status = "due"
    else:
        status = "current"
    return Standing(
        staff_id=member.id,
        name=member.name,
        team=member.team,
        accepted_version=row.version,
        accepted_at=row.accepted_at,
        due_at=due_at,
        status=status,
    )


def enrol(session: Session, staff_ids: Iterable[str], now: datetime) -> None:
    """Start the clock of employees the workflow sees on the roster for the first time."""
    rows = [{"staff_id": sid, "enrolled_at": now} for sid in staff_ids]
    insert_ignore(session, PolicyAcknowledgement, rows)


def roster_standing(session: Session, config: BrandConfig, now: datetime) -> list[Standing]:
    """Every employee of the roster, most urgent first; empty when no policy is configured."""
    policy = config.staff_policy
    if policy is None or not config.staff:
        return []
    enrol(session, [m.id for m in config.staff], now)
    rows = {r.staff_id: r for r in session.exec(select(PolicyAcknowledgement))}
    found = [standing(policy, m, rows[m.id], now) for m in config.staff]
    order = {"overdue": 0, "due": 1, "current": 2}
    return sorted(found, key=lambda s: (order[s.status], s.due_at, s.name))


def standing_of(
    session: Session, config: BrandConfig, staff_id: str, now: datetime
) -> Standing | None:
    """One employee's state; None without a policy or when they are not on the roster."""
    member = next((m for m in config.staff if m.id == staff_id), None)
    if config.staff_policy is None or member is None:
        return None
    enrol(session, [staff_id], now)
    row = session.get(PolicyAcknowledgement, staff_id)
    assert row is not None
    return standing(config.staff_policy, member, row, now)


def accept(
    session: Session, config: BrandConfig, staff_id: str, version: str, now: datetime
) -> Standing:
    """Record that an employee accepted the current version (the one they were shown)."""
    policy = config.staff_policy
    if policy is None:
        raise NotFound("no staff policy is configured")
    if version != policy.version:
        raise InvalidAction(
            f"version {version!r} is not the current policy ({policy.version}): reload the page"
        )
    enrol(session, [staff_id], now)
    row = session.get(PolicyAcknowledgement, staff_id)
    if row is None:
        raise NotFound(f"no employee {staff_id!r} on the roster")
    row.version, row.accepted_at = version, now
    session.add(row)
    session.flush()
    found = standing_of(session, config, staff_id, now)
    if found is None:
        raise NotFound(f"no employee {staff_id!r} on the roster")
    return found
