"""One incident, one alert: cooldown per incident, follow-ups gathered per group (clocked: the
caller says what time it is; the state lives in a store, workflow.alerts.store).

The first alert of a group goes out at once. Another alert of the same group (same kind, same
team) within `group_interval` waits and leaves with the others as one digest when the interval
ends, unless it is critical: a critical case is never held (its first response may be due in
15 minutes). An incident already alerted within `cooldown` is suppressed.

Delivery is at least once, and once only in normal operation. `add` claims each incident and
queues its alert in one transaction, so no incident is claimed without its alert being kept;
`take` claims the queued alerts that are due (one conditional UPDATE: two replicas never take
the same one), and `sent` deletes them once the channels have them. A crash between `take` and
`sent` leaves a claim nobody finishes: once it is older than `lease` (longer than a delivery
with all its retries), the restarted service or another replica takes it again and sends it a
second time. We chose that over the opposite (marking alerts sent before sending them), because
a comms team must never miss an alert: a rare resend after a crash, never a loss, and never a
double send by two live replicas or a replayed case event (its incident is in cooldown). The
resend carries the same delivery id (the X-Vigie-Delivery header of webhooks and e-mails), so a
receiver may recognise it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from events.schemas import Severity
from workflow.alerts.model import Alert, Notification
from workflow.alerts.store import AlertStore, GroupState, MemoryAlertStore, Queued

__all__ = ["Claimed", "Decision", "Grouper"]

Decision = Literal["send", "hold", "suppress"]

PRUNE_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Claimed:
    """A message to deliver now, and the queued alerts it carries."""

    notification: Notification
    ids: tuple[int, ...]
    reclaimed: bool
    held: bool


class Grouper:
    def __init__(
        self,
        *,
        cooldown: timedelta,
        group_interval: timedelta,
        store: AlertStore | None = None,
        lease: timedelta = timedelta(minutes=15),
        owner: str = "alerts",
    ) -> None:
        self.cooldown = cooldown
        self.group_interval = group_interval
        self.store: AlertStore = store if store is not None else MemoryAlertStore()
        self.lease = lease
        self.owner = owner
        self._pruned: datetime | None = None

    def add(self, alerts: Sequence[Alert], now: datetime) -> list[Decision]:
        """Queue each alert to go now, hold it for its group's digest, or suppress it."""
        with self.store.transaction() as state:
            return [self._decide(state, alert, now) for alert in alerts]

    def _decide(self, state: GroupState, alert: Alert, now: datetime) -> Decision:
        if not state.claim_incident(alert.incident, now, self.cooldown):
            return "suppress"
        group = alert.group
        if alert.severity is Severity.critical:
            state.mark_group(group, now)  # later follow-ups of the group still gather
            self._enqueue(state, alert, now, held=False)
            return "send"
        due = state.held_due(group)
        if due is None:
            sent = state.claim_group(group, now, self.group_interval)
            if sent is None:
                self._enqueue(state, alert, now, held=False)
                return "send"
            due = sent + self.group_interval
        self._enqueue(state, alert, due, held=True)
        return "hold"

    @staticmethod
    def _enqueue(state: GroupState, alert: Alert, due: datetime, *, held: bool) -> None:
        state.enqueue(alert, due=due, held=held, delivery_id=uuid.uuid4().hex)

    def take(self, now: datetime) -> list[Claimed]:
        """Claim what is due: alerts to send alone, and digests whose interval has ended."""
        prune = self._pruned is None or now - self._pruned >= PRUNE_EVERY
        if not prune and not self.store.anything_due(now):
            return []  # the usual answer, found without a write
        with self.store.transaction() as state:
            if prune:
                state.prune(now - self.cooldown, now - self.group_interval)
                self._pruned = now
            queued = state.claim_due(now, self.owner, self.lease)
            digests: dict[str, list[Queued]] = {}
            out = []
            for item in queued:
                if item.held:
                    digests.setdefault(item.group, []).append(item)
                else:
                    out.append(self._claimed([item], held=False))
            for group, items in digests.items():
                state.mark_group(group, now)
                out.append(self._claimed(items, held=True))
        return out

    @staticmethod
    def _claimed(items: list[Queued], *, held: bool) -> Claimed:
        notification = Notification(tuple(i.alert for i in items), items[0].delivery_id)
        return Claimed(
            notification, tuple(i.id for i in items), any(i.reclaimed for i in items), held
        )

    def sent(self, claimed: Sequence[Claimed]) -> None:
        """Delivered (or given up by every channel): out of the queue."""
        ids = [id_ for c in claimed for id_ in c.ids]
        if ids:
            with self.store.transaction() as state:
                state.delete(ids)
