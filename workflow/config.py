"""The workflow's own settings (VIGIE_ prefix), beside the shared infrastructure settings."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from events.schemas import Label

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
    purge_minutes: float = Field(
        default=60.0,
        gt=0,
        le=7 * 24 * 60,
        description="How often the workflow service purges what the retention policy lets go.",
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="Lifetime of a login token."
    )
    legal_hold_teams: str = Field(
        default="legal",
        description="Comma-separated teams whose leads may set or lift a legal hold (and admins).",
    )
    review_labels: str = Field(
        default="risky_disclosure,investor_sensitive",
        description="Comma-separated labels whose cases close only after a second person's "
        "review (empty: none).",
    )

    @field_validator("review_labels")
    @classmethod
    def _known_labels(cls, value: str) -> str:
        unknown = [x for x in _split(value) if x not in Label.__members__]
        if unknown:
            raise ValueError(f"unknown labels {', '.join(unknown)} (labels: {', '.join(Label)})")
        return value

    @property
    def restricted(self) -> tuple[str, ...]:
        return _split(self.restricted_teams)

    @property
    def legal_hold(self) -> tuple[str, ...]:
        return _split(self.legal_hold_teams)

    @property
    def review(self) -> tuple[str, ...]:
        return _split(self.review_labels)


def _split(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip())
