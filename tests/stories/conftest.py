"""Fixtures the rumour-story tests share with others: the alerting tests' local Slack receiver
and the end-to-end tests' services as real processes."""

from alerts.conftest import receiver  # noqa: F401
from e2e.conftest import services  # noqa: F401
