"""Who can take a task right now: team rosters with presence, shifts, capacity and current load."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session, col, func, select

from workflow.book import PolicyBook
from workflow.models import Member, Task, Team
from workflow.routing import Candidate, choose_assignee
from workflow.transitions import OPEN_STATE_VALUES

__all__ = ["Roster"]


class Roster:
    """A snapshot of teams, members and open-task counts, kept current as tasks are assigned.

    With a policy book and a time, a member off shift at that time (workflow.book.on_shift) is
    not available, whatever their presence says."""

    def __init__(
        self, session: Session, book: PolicyBook | None = None, now: datetime | None = None
    ) -> None:
        self.book, self.now = book, now
        self.teams = {t.id: t for t in session.exec(select(Team))}
        self.members: dict[str, list[Member]] = {}
        for member in session.exec(select(Member).order_by(col(Member.position), col(Member.id))):
            self.members.setdefault(member.team_id, []).append(member)
        rows = session.exec(
            select(Task.assignee, func.count())
            .where(col(Task.state).in_(OPEN_STATE_VALUES))
            .where(col(Task.assignee).is_not(None))
            .group_by(col(Task.assignee))
        )
        self.load: Counter[str] = Counter({assignee: count for assignee, count in rows})

    def pick(self, team_id: str, *, lang: str | None, exclude: str | None = None) -> str | None:
        """Choose and count an assignee for a new task of `team_id` (None: nobody can take it)."""
        team = self.teams.get(team_id)
        members = self.members.get(team_id, [])
        if team is None or not members:
            return None
        candidates = [
            Candidate(m.id, tuple(m.languages), m.capacity, self.load[m.id], self._works(m))
            for m in members
        ]
        chosen = choose_assignee(
            candidates, lang=lang, strategy=team.assignment, last=team.rr_last, exclude=exclude
        )
        if chosen:
            self.load[chosen] += 1
            team.rr_last = chosen
        return chosen

    def _works(self, member: Member) -> bool:
        if member.presence != "available":
            return False
        if self.book is None or self.now is None:
            return True
        return self.book.on_shift(member.team_id, member.id, self.now)

    def release(self, member_id: str | None) -> None:
        if member_id and self.load[member_id] > 0:
            self.load[member_id] -= 1

    def lead_of(self, team_id: str) -> str | None:
        return next((m.id for m in self.members.get(team_id, []) if m.lead), None)
