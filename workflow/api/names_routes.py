"""The page's words for teams and labels, in French and English, from the brand configuration.

Public (names only, no data): the draft check opened from a signed link has no queue login and
names labels too.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from events.brand import DisplayName, team_display_name
from workflow.api.deps import StateDep

router = APIRouter(prefix="/api", tags=["names"])


class NamesPublic(BaseModel):
    teams: dict[str, DisplayName]
    labels: dict[str, DisplayName]


@router.get("/names", response_model=NamesPublic)
def names(state: StateDep) -> NamesPublic:
    """Team names (every team) and the labels the configuration renames, per language."""
    config = state.book.config
    return NamesPublic(
        teams={team.id: team_display_name(team, config.names) for team in config.teams},
        labels={str(label): name for label, name in config.names.labels.items()},
    )
