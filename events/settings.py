"""Infrastructure settings shared by every service (environment variables with prefix VIGIE_).

What a comms team edits (handles, staff, teams, routing, SLAs) lives in the brand configuration
file instead (events.brand); this is only where things run.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from events.topics import Topics

__all__ = ["Settings", "BUNDLED_BRAND_CONFIG", "weak_password_reason"]

BUNDLED_BRAND_CONFIG = Path(__file__).with_name("brand.example.yaml")


def weak_password_reason(password: str) -> str | None:
    """Why a password cannot be the admin's (blank, a well-known placeholder, too short), or None.
    The queue applies a fuller strength check to the passwords people choose there."""
    secret = password.strip()
    if not secret:
        return "the admin password is blank; choose one (or unset it to have one generated)"
    if secret.lower() in {"changeme", "admin", "password"}:
        return "choose a real admin password, not a placeholder"
    if len(secret) < 12:
        return "the admin password needs at least 12 characters"
    return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIGIE_", env_file=None, extra="ignore")

    kafka_bootstrap_servers: str | None = Field(
        default=None, description="host:port[,host:port]; empty starts the embedded broker."
    )
    topic_prefix: str = Field(default="vigie", pattern=r"^[A-Za-z0-9._-]+$")
    topic_partitions: int = Field(default=3, ge=1, le=1000)
    topic_replication: int = Field(default=1, ge=1, le=10)
    group_prefix: str = Field(default="vigie", pattern=r"^[A-Za-z0-9._-]+$")
    data_dir: Path = Path("var")
    database_url: str | None = Field(default=None, description="Default: SQLite in data_dir.")
    brand_config: Path = BUNDLED_BRAND_CONFIG
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=0, le=65535)
    metrics_port: int = Field(default=0, ge=0, le=65535, description="0: no metrics server.")
    services_state_file: Path | None = Field(
        default=None,
        description="Written by `vigie up`: which of its services run or are being restarted "
        "(the API's /readyz reads it).",
    )
    admin_password: SecretStr | None = None
    model_dir: Path | None = Field(default=None, description="Default: the bundled model.")
    log_level: str = "INFO"

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _blank_is_embedded(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None

    @field_validator("admin_password")
    @classmethod
    def _no_placeholder_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (reason := weak_password_reason(value.get_secret_value())):
            raise ValueError(reason)
        return value

    @cached_property
    def topics(self) -> Topics:
        return Topics(self.topic_prefix)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vigie.db'}"

    def group(self, service: str) -> str:
        """The consumer group of a service: replicas of one service share it."""
        return f"{self.group_prefix}.{service}"
