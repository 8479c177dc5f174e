"""The workflow's own settings (VIGIE_ prefix), beside the shared infrastructure settings."""

from __future__ import annotations

import os

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from events.schemas import Label
from events.settings import Settings

__all__ = ["WorkflowSettings", "default_public_url"]


def default_public_url(settings: Settings) -> str:
    """Where links in alerts and mails point when the brand config names no public URL."""
    host = settings.api_host if settings.api_host not in ("0.0.0.0", "::", "") else "localhost"
    return f"http://{host}:{settings.api_port}"


class WorkflowSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIGIE_", env_file=None, extra="ignore")

    restricted_teams: str = Field(
        default="legal",
        description="Comma-separated teams whose cases only they, admins and the copy teams "
        "their own routing rules name may see.",
    )
    sla_clock_seconds: float = Field(
        default=15.0, gt=0, le=3600, description="How often the SLA clock looks at due tasks."
    )
    staff_minutes: float = Field(
        default=15.0,
        gt=0,
        le=24 * 60,
        description="How often the workflow service looks for policy reminders and the weekly "
        "highlights digest to send (each mail goes once).",
    )
    reply_relay_seconds: float = Field(
        default=1.0, gt=0, le=60, description="How often queued replies are handed to ingest."
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
    api_token_max_days: int = Field(
        default=90, ge=1, le=3650, description="Longest lifetime of an API token."
    )
    login_account_limit: int = Field(
        default=5, ge=1, le=1000, description="Failed logins per account within the window."
    )
    login_address_limit: int = Field(
        default=30, ge=1, le=100000, description="Failed logins per client address in the window."
    )
    login_window_minutes: float = Field(
        default=15, gt=0, le=24 * 60, description="The login throttle's window."
    )
    hash_concurrency: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 1) // 4),
        ge=1,
        le=256,
        description="Password hashes one API process runs at once (default: a quarter of the "
        "cores, since one Argon2 hash already runs 4 lanes in parallel).",
    )
    hash_wait_seconds: float = Field(
        default=2.0, gt=0, le=60, description="How long a login waits for a hashing slot (503)."
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

    draft_link_secret: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="Key that signs the draft-check links given to employees (32 characters or "
        "more; every API replica needs the same). Unset: a key kept in data_dir/draft-link.key.",
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
