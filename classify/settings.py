"""The classify service's own settings, on top of the shared ones (same VIGIE_ prefix)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from classify.detectors import DEFAULT_CONFIG
from classify.item import DEFAULT_MAX_CHARS
from events.settings import Settings

__all__ = ["ClassifySettings"]


class ClassifySettings(Settings):
    shadow_model_dir: Path | None = Field(
        default=None,
        description="A candidate model run beside the live one: verdicts marked shadow.",
    )
    detectors_config: Path = Field(
        default=DEFAULT_CONFIG, description="Which detectors run (YAML)."
    )
    classify_max_chars: int = Field(default=DEFAULT_MAX_CHARS, ge=100, le=100_000)
    classify_batch_size: int = Field(default=256, ge=1, le=10_000)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClassifySettings:
        """The shared settings as given, plus this service's own from the environment."""
        if isinstance(settings, cls):
            return settings
        return cls(**settings.model_dump(exclude_unset=False))
