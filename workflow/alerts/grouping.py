"""One incident, one alert: cooldown per incident, follow-ups gathered per group (pure, clocked).

The first alert of a group goes out at once. Another alert of the same group (same kind, same
team) within `group_interval` waits and leaves with the others as one digest when the interval
ends, unless it is critical: a critical case is never held (its first response may be due in
15 minutes). An incident already alerted within `cooldown` is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from events.schemas import Severity
from workflow.alerts.model import Alert, Notification

__all__ = ["Decision", "Grouper"]

Decision = tuple[Literal["send", "hold", "suppress"], Notification | None]


@dataclass
class _Pending:
    due: datetime
    alerts: list[Alert] = field(default_factory=list)


class Grouper:
    def __init__(self, *, cooldown: timedelta, group_interval: timedelta) -> None:
        self.cooldown = cooldown
        self.group_interval = group_interval
        self._incidents: dict[str, datetime] = {}
        self._groups: dict[str, datetime] = {}
        self._pending: dict[str, _Pending] = {}

    def add(self, alert: Alert, now: datetime) -> Decision:
        """Send now (with the notification), hold for a digest, or suppress (cooldown)."""
        last = self._incidents.get(alert.incident)
        if last is not None and now - last < self.cooldown:
            return "suppress", None
        self._incidents[alert.incident] = now
        group = alert.group
        if alert.severity is Severity.critical:
            self._groups[group] = now  # later follow-ups of the group still gather in a digest
            return "send", Notification((alert,))
        if group in self._pending:
            self._pending[group].alerts.append(alert)
            return "hold", None
        sent = self._groups.get(group)
        if sent is not None and now - sent < self.group_interval:
            self._pending[group] = _Pending(sent + self.group_interval, [alert])
            return "hold", None
        self._groups[group] = now
        return "send", Notification((alert,))

    def due(self, now: datetime) -> list[Notification]:
        """Digests whose interval has ended."""
        ready = [g for g, p in self._pending.items() if p.due <= now]
        out = [Notification(tuple(self._pending.pop(g).alerts)) for g in ready]
        for group in ready:
            self._groups[group] = now
        self._forget(now)
        return out

    def drain(self) -> list[Notification]:
        """Everything still held (at shutdown: better early than never)."""
        out = [Notification(tuple(p.alerts)) for p in self._pending.values()]
        self._pending.clear()
        return out

    def _forget(self, now: datetime) -> None:
        horizon = max(self.cooldown, self.group_interval)
        for table in (self._incidents, self._groups):
            for key in [k for k, at in table.items() if now - at >= horizon]:
                del table[key]
