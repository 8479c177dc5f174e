"""The workflow's own settings (VIGIE_ prefix), beside the shared infrastructure settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["WorkflowSettings"]


class WorkflowSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIGIE_", env_file=None, extra="ignore")

    restricted_teams: str = Field(
        default="legal",
        description="Comma-separated teams whose cases only they (and admins) see, even in copy.",
    )
    sla_clock_seconds: float = Field(
        default=15.0, gt=0, le=3600, description="How often the SLA clock looks at due tasks."
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="Lifetime of a login token."
    )

    @property
    def restricted(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.restricted_teams.split(",") if t.strip())
