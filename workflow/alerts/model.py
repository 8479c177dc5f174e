"""What the alerting service sends: an alert (one incident) and a notification (one message)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from events.schemas import Severity

__all__ = ["Alert", "AlertKind", "Notification"]


class AlertKind(StrEnum):
    critical = "critical"
    sla_at_risk = "sla_at_risk"
    sla_breached = "sla_breached"
    escalated = "escalated"
    review_requested = "review_requested"
    spike = "spike"


@dataclass(frozen=True)
class Alert:
    """One incident worth telling people about, already masked and linked.

    `incident` is the cooldown key (the same incident alerts once); `group` gathers follow-ups
    of the same kind for the same team into one message.
    """

    kind: AlertKind
    incident: str
    title: str
    link: str
    at: datetime
    severity: Severity = Severity.normal
    teams: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    excerpt: str | None = None
    case_id: int | None = None

    @property
    def group(self) -> str:
        return f"{self.kind.value}:{self.teams[0] if self.teams else '-'}"


@dataclass(frozen=True)
class Notification:
    """One message to the channels: a single alert, or a digest of follow-ups of one group."""

    alerts: tuple[Alert, ...]
    delivery_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def first(self) -> Alert:
        return self.alerts[0]

    @property
    def kind(self) -> AlertKind:
        return self.first.kind

    @property
    def severity(self) -> Severity:
        return min((a.severity for a in self.alerts), key=lambda s: s.rank)

    def only(self, alerts: tuple[Alert, ...]) -> Notification:
        """The same message restricted to some of its alerts (what one channel accepts)."""
        return Notification(alerts, self.delivery_id)
