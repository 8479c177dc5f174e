"""Connector settings: tokens from the environment or a secrets directory, masked, real."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from events.settings import Settings
from ingest.settings import IngestSettings


def test_tokens_come_from_a_secrets_directory_and_stay_masked(tmp_path, monkeypatch) -> None:
    (tmp_path / "vigie_x_bearer_token").write_text("AAAAreal-looking-token\n")
    monkeypatch.setenv("VIGIE_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("VIGIE_MASTODON_API_BASE_URL", "https://mastodon.example")
    settings = IngestSettings.from_base(Settings(topic_prefix="secret-test"))
    assert settings.x_bearer_token.get_secret_value() == "AAAAreal-looking-token"
    assert settings.topic_prefix == "secret-test", "the shared settings are kept"
    assert settings.x_enabled and not settings.mastodon_enabled
    assert "AAAAreal" not in repr(settings) and "AAAAreal" not in str(settings.model_dump())


def test_the_environment_wins_over_the_secrets_directory(tmp_path, monkeypatch) -> None:
    (tmp_path / "vigie_x_bearer_token").write_text("from-file")
    monkeypatch.setenv("VIGIE_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("VIGIE_X_BEARER_TOKEN", "from-env")
    assert IngestSettings.from_base(Settings()).x_bearer_token.get_secret_value() == "from-env"


@pytest.mark.parametrize("value", ["changeme", "", "  TOKEN "])
def test_placeholders_are_refused(value) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        IngestSettings(x_bearer_token=value)


def test_blind_expectation_per_source(monkeypatch) -> None:
    monkeypatch.setenv("VIGIE_BLIND_AFTER", '{"mastodon": 86400}')
    settings = IngestSettings(blind_after_seconds=600)
    assert settings.blind_after_for("mastodon") == 86400 and settings.blind_after_for("x") == 600
