"""The `alerts` section of the brand configuration: clear errors, no secret in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from events.brand import load_brand_config
from events.errors import ConfigError
from events.settings import BUNDLED_BRAND_CONFIG


def write(tmp_path: Path, alerts: dict) -> Path:
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["alerts"] = alerts
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_bundled_example_configures_every_channel_type() -> None:
    alerts = load_brand_config(BUNDLED_BRAND_CONFIG).alerts
    assert {c.type for c in alerts.channels} == {"slack", "teams", "email", "webhook"}


@pytest.mark.parametrize(
    ("channel", "field", "reason", "marker"),
    [
        (
            {"name": "c", "type": "slack", "url_env": "https://hooks.slack.com/services/T0/B0/x"},
            "alerts.channels.0.url_env",
            "never the secret itself",
            "url_env:",
        ),
        ({"name": "c", "type": "teams"}, "alerts.channels.0", "needs url_env", "name: c"),
        (
            {"name": "c", "type": "webhook", "url_env": "U"},
            "alerts.channels.0",
            "needs secret_env",
            "name: c",
        ),
        (
            {"name": "c", "type": "email", "smtp_host": "h"},
            "alerts.channels.0",
            "sender and recipients",
            "name: c",
        ),
        (
            {"name": "c", "type": "slack", "url_env": "U", "teams": ["marketing"]},
            "alerts.channels.0.teams.0",
            "unknown team 'marketing'",
            "marketing",
        ),
        (
            {"name": "c", "type": "sms", "url_env": "U"},
            "alerts.channels.0.type",
            "slack",
            "type: sms",
        ),
    ],
)
def test_a_wrong_channel_names_line_field_and_reason(
    tmp_path: Path, channel: dict, field: str, reason: str, marker: str
) -> None:
    path = write(tmp_path, {"channels": [channel]})
    with pytest.raises(ConfigError) as caught:
        load_brand_config(path)
    message = str(caught.value)
    assert f"{path}:" in message and field in message and reason in message
    line = int(message.split(f"{path}:")[1].split(":")[0])
    assert marker in path.read_text(encoding="utf-8").splitlines()[line - 1]


def test_business_days_make_no_sense_for_alert_timings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"alerts\.spike\.window: .*clock time"):
        load_brand_config(write(tmp_path, {"spike": {"window": "2bd"}}))
