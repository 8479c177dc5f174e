"""Who is asking, and what they may see and do (roles and team scope)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workflow.auth import Role
from workflow.errors import Forbidden

__all__ = ["Principal"]


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    teams: frozenset[str]
    member_id: str | None = None
    token_id: int | None = None
    """The token this request came with (a login session or an API token)."""
    token_kind: str = "session"
    copy_grants: frozenset[tuple[str, str]] = frozenset()
    """(restricted team, one of the caller's teams) where a routing rule of the restricted team
    names the caller's team in copy: that team reads such cases (PolicyBook.copy_grants)."""
    copy_notes: frozenset[str] = frozenset()
    """The caller's teams that may add notes to cases they are only in copy of."""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def require(self, role: Role, what: str) -> None:
        if not self.role.at_least(role):
            raise Forbidden(f"{what} needs the {role.value} role (you are {self.role.value})")

    def can_see(self, *, restricted: bool, teams: Iterable[tuple[str, str]]) -> bool:
        """Visible to owners' teams; copy teams too, unless the case is restricted (legal) and
        no routing rule of its restricted owner names them in copy."""
        if self.is_admin:
            return True
        teams = list(teams)
        if any(t in self.teams and (role == "owner" or not restricted) for t, role in teams):
            return True
        owners = {t for t, role in teams if role == "owner"}
        copies = {t for t, role in teams if role == "copy"}
        return any(r in owners and t in copies for r, t in self.copy_grants)

    def may_write(self, teams: Iterable[tuple[str, str]]) -> bool:
        """Whether the caller may add to the case (notes): an owning team of theirs, or a copy
        team of theirs that the configuration lets add notes."""
        if self.is_admin:
            return True
        return any(
            t in self.teams and (role == "owner" or t in self.copy_notes) for t, role in teams
        )

    def require_team(self, team: str, what: str) -> None:
        if not self.is_admin and team not in self.teams:
            scope = ", ".join(sorted(self.teams)) or "none"
            raise Forbidden(f"{what}: team {team!r} is outside your scope ({scope})")

    def is_self(self, member_id: str) -> bool:
        return member_id in {self.member_id, self.username}
