"""The alerting tests' local Slack receiver, for the rumour-wave test."""

from alerts.conftest import receiver  # noqa: F401
