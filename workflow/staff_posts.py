"""What the staff programme notes when staff posts arrive (called by workflow.intake, in its
transaction, after the batch's posts are stored): whether the author's policy acceptance was
overdue at that moment (shown on the post's case), and the post's highlights."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from events.brand import BrandConfig
from events.schemas import Source, Verdict
from workflow.highlights import record_highlights
from workflow.intake_posts import insert_ignore
from workflow.models import StaffPostCheck
from workflow.staff_policy import roster_standing

__all__ = ["overdue_authors", "record_staff_posts"]


def record_staff_posts(
    session: Session, config: BrandConfig, verdicts: Sequence[Verdict], now: datetime
) -> None:
    staff = [v for v in verdicts if v.post.source is Source.staff and v.post.staff_member_id]
    if not staff:
        return
    if config.staff_policy is not None:
        standing = {s.staff_id: s for s in roster_standing(session, config, now)}
        rows = [
            {
                "post_id": v.post.post_id,
                "staff_id": v.post.staff_member_id,
                "policy_status": found.status,
                "policy_due_at": found.due_at,
            }
            for v in staff
            if (found := standing.get(v.post.staff_member_id or ""))
        ]
        insert_ignore(session, StaffPostCheck, rows)
    record_highlights(session, config, staff, now)


def overdue_authors(session: Session, post_ids: Sequence[str]) -> list[StaffPostCheck]:
    """The checks of those posts whose author's policy acceptance was overdue on arrival."""
    if not post_ids:
        return []
    return list(
        session.exec(
            select(StaffPostCheck)
            .where(col(StaffPostCheck.post_id).in_(list(post_ids)))
            .where(StaffPostCheck.policy_status == "overdue")
        )
    )
