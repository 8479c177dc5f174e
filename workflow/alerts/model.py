"""What the alerting service sends: an alert (one incident) and a notification (one message)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

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
    readers: tuple[str, ...] | None = None
    """Teams allowed to read what the alert quotes (a restricted case's owners); None: any."""

    def may_be_quoted_to(self, teams: Sequence[str]) -> bool:
        """Whether a channel limited to `teams` (empty: every team) may see the excerpt."""
        if self.readers is None:
            return True
        return bool(teams) and set(teams) <= set(self.readers)

    def unquoted(self) -> Alert:
        """The case link and its labels only: for a channel that may not read the case."""
        labels = (("Étiquettes / Labels", ", ".join(self.labels) or "—"),)
        return replace(self, excerpt=None, facts=labels)

    @property
    def group(self) -> str:
        return f"{self.kind.value}:{self.teams[0] if self.teams else '-'}"

    def as_record(self) -> dict[str, Any]:
        """JSON-ready, for the alert queue (`from_record` reads it back)."""
        return asdict(self) | {"at": self.at.isoformat()}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Alert:
        readers = record.get("readers")
        return cls(
            **record
            | {
                "kind": AlertKind(record["kind"]),
                "at": datetime.fromisoformat(record["at"]),
                "severity": Severity(record["severity"]),
                "teams": tuple(record["teams"]),
                "labels": tuple(record["labels"]),
                "facts": tuple((str(n), str(v)) for n, v in record["facts"]),
                "readers": None if readers is None else tuple(readers),
            }
        )


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
