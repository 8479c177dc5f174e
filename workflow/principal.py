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

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def require(self, role: Role, what: str) -> None:
        if not self.role.at_least(role):
            raise Forbidden(f"{what} needs the {role.value} role (you are {self.role.value})")

    def can_see(self, *, restricted: bool, teams: Iterable[tuple[str, str]]) -> bool:
        """Visible to owners' teams; copy teams too unless the case is restricted (legal)."""
        if self.is_admin:
            return True
        return any(
            team in self.teams and (role == "owner" or not restricted) for team, role in teams
        )

    def require_team(self, team: str, what: str) -> None:
        if not self.is_admin and team not in self.teams:
            scope = ", ".join(sorted(self.teams)) or "none"
            raise Forbidden(f"{what}: team {team!r} is outside your scope ({scope})")

    def is_self(self, member_id: str) -> bool:
        return member_id in {self.member_id, self.username}
