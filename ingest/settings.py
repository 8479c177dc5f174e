"""Connector settings (VIGIE_ prefix), on top of the shared infrastructure settings.

Tokens are SecretStr: masked when printed and never logged. They come from the environment or,
when VIGIE_SECRETS_DIR names a directory, from one file per secret there (the file name is the
variable name in lower case, e.g. `vigie_x_bearer_token`), as Docker and Kubernetes mount them.
"""

from __future__ import annotations

import os

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from events.settings import Settings

__all__ = ["IngestSettings"]

_PLACEHOLDERS = {"", "changeme", "token", "secret", "xxx", "your-token-here"}


class IngestSettings(Settings):
    model_config = SettingsConfigDict(env_prefix="VIGIE_", env_file=None, extra="ignore")

    ingest_database_url: str | None = Field(
        default=None,
        description="Checkpoints, seen posts and source health; default: database_url.",
    )
    poll_interval_seconds: float = Field(default=60.0, gt=0, description="Pause between polls.")
    blind_after_seconds: float = Field(
        default=6 * 3600, gt=0, description="A source silent this long is reported blind."
    )
    blind_after: dict[str, float] = Field(
        default_factory=dict, description='Per-source expectation, e.g. {"mastodon": 86400}.'
    )
    max_backoff_seconds: float = Field(default=300.0, gt=0)
    max_rate_limit_wait_seconds: float = Field(default=900.0, gt=0)
    seen_retention_days: int = Field(default=14, ge=1, description="How long a post id dedups.")

    x_api_base_url: str = "https://api.twitter.com"
    x_bearer_token: SecretStr | None = None
    x_user_access_token: SecretStr | None = Field(
        default=None,
        description="OAuth 2.0 user-context token of the brand's X account (scopes tweet.read, "
        "tweet.write, users.read, tweet.moderate.write): replies and hidden replies from cases.",
    )
    x_search_queries: list[str] = Field(
        default_factory=list,
        description="Extra X search queries; brand keywords are searched anyway.",
    )
    x_filtered_stream: bool = Field(
        default=False, description="Use the filtered stream (tier permitting)."
    )
    x_page_size: int = Field(default=100, ge=5, le=100)

    mastodon_api_base_url: str | None = None
    mastodon_access_token: SecretStr | None = None
    mastodon_hashtags: list[str] = Field(
        default_factory=list, description="Default: the brand keywords that are hashtags."
    )
    mastodon_page_size: int = Field(default=40, ge=1, le=40)

    bluesky_base_url: str = "https://bsky.social"
    bluesky_handle: str | None = None
    bluesky_app_password: SecretStr | None = None
    bluesky_page_size: int = Field(default=50, ge=1, le=100)

    meta_app_secret: SecretStr | None = Field(
        default=None, description="Signs X-Hub-Signature-256."
    )
    meta_verify_token: SecretStr | None = Field(default=None, description="hub.verify_token.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Signs posts sent to /vigie."
    )
    reply_max_tries: int = Field(
        default=5, ge=1, le=100, description="Tries of a reply while its platform is unavailable."
    )
    webhook_max_bytes: int = Field(default=256 * 1024, ge=1024)

    @field_validator(
        "x_bearer_token",
        "x_user_access_token",
        "mastodon_access_token",
        "bluesky_app_password",
        "meta_app_secret",
        "meta_verify_token",
        "webhook_secret",
    )
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            raise ValueError(
                "a placeholder is not a credential: set the real value or leave it unset"
            )
        return value

    @classmethod
    def from_base(cls, settings: Settings) -> IngestSettings:
        """The shared settings plus the connector ones (environment and secrets directory)."""
        if isinstance(settings, cls):
            return settings
        secrets_dir = os.environ.get("VIGIE_SECRETS_DIR") or None
        return cls(_secrets_dir=secrets_dir, **settings.model_dump())  # type: ignore[call-arg]

    @property
    def resolved_ingest_database_url(self) -> str:
        return self.ingest_database_url or self.resolved_database_url

    def blind_after_for(self, source: str) -> float:
        return self.blind_after.get(source, self.blind_after_seconds)

    @property
    def x_enabled(self) -> bool:
        return self.x_bearer_token is not None

    @property
    def reply_platforms(self) -> list[str]:
        """The platforms Vigie can answer on (the brand account's write credentials are set)."""
        writable = {
            "x": self.x_user_access_token is not None,
            "mastodon": self.mastodon_enabled,
            "bluesky": self.bluesky_enabled,
        }
        return [name for name, ok in writable.items() if ok]

    @property
    def mastodon_enabled(self) -> bool:
        return self.mastodon_access_token is not None and bool(self.mastodon_api_base_url)

    @property
    def bluesky_enabled(self) -> bool:
        return bool(self.bluesky_handle) and self.bluesky_app_password is not None
