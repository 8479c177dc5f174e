"""The alerting core: case events and verdicts in, notifications out to every channel that wants
them. Thread-safe: the case consumer, the verdict consumer and the digest timer share it."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from events.brand import BrandConfig, parse_duration
from events.kafka_io import Delivery
from events.schemas import CaseEvent, CaseEventType, Severity, Verdict, utcnow
from workflow.alerts import render
from workflow.alerts.channels import Channel
from workflow.alerts.grouping import Grouper
from workflow.alerts.masking import excerpt
from workflow.alerts.metrics import SPIKES, SUPPRESSED
from workflow.alerts.model import Alert, AlertKind, Notification
from workflow.alerts.rules import case_alerts
from workflow.alerts.spikes import Spike, SpikeDetector

__all__ = ["Alerter"]

log = logging.getLogger(__name__)


class _Recent(OrderedDict[str, str | None]):
    """A bounded memory of recent keys (case event ids, post quotes)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def remember(self, key: str, value: str | None = None) -> bool:
        """False when the key was already there."""
        known = key in self
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return not known


class Alerter:
    def __init__(
        self,
        config: BrandConfig,
        channels: Sequence[Channel],
        *,
        public_url: str,
        restricted_teams: Sequence[str] = ("legal",),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        policy = config.alerts
        self.config = config
        self.channels = list(channels)
        self.public_url = (policy.public_url or public_url).rstrip("/")
        self.clock = clock
        self.restricted_teams = frozenset(restricted_teams)
        self.max_age = parse_duration(policy.max_event_age)[0]
        self.quote_posts = policy.excerpts
        self.grouper = Grouper(
            cooldown=parse_duration(policy.cooldown)[0],
            group_interval=parse_duration(policy.group_interval)[0],
        )
        self.spikes = SpikeDetector(policy.spike)
        self._lock = threading.Lock()
        self._seen = _Recent(50_000)
        self._quotes = _Recent(5_000)
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, len(self.channels)), thread_name_prefix="alert-send"
        )

    def on_cases(self, batch: list[Delivery[CaseEvent]]) -> None:
        """Batch handler for vigie.cases; returns once the batch's alerts were delivered."""
        now = self.clock()
        fresh = []
        with self._lock:
            for event in (d.event for d in batch):
                if event.type is CaseEventType.erased:
                    self._forget(event)
                if not self._seen.remember(event.event_id):
                    SUPPRESSED.labels(event.type.value, "duplicate").inc()
                elif now - event.at > self.max_age:
                    SUPPRESSED.labels(event.type.value, "too_old").inc()
                else:
                    fresh.append(event)
            alerts = case_alerts(fresh, public_url=self.public_url, excerpt_of=self._quotes.get)
        self._dispatch(alerts, now)

    def _forget(self, event: CaseEvent) -> None:
        """An author was erased: their posts are no longer quoted (held digests keep theirs)."""
        for post_id in event.details.get("post_ids") or []:
            quote = self._quotes.pop(post_id, None) if isinstance(post_id, str) else None
            if quote:
                self.spikes.forget(quote)

    def on_verdicts(self, batch: list[Delivery[Verdict]]) -> None:
        """Batch handler for vigie.verdicts: remember quotes, count labels, alert on spikes."""
        now = self.clock()
        with self._lock:
            for verdict in (d.event for d in batch):
                if verdict.shadow or not verdict.labels:
                    continue
                quote = excerpt(verdict.post.text) if self.quote_posts else None
                self._quotes.remember(verdict.post.post_id, quote)
                self.spikes.observe(verdict, quote)
            spikes = [s for s in self.spikes.spikes() if now - s.at <= self.max_age]
        self._dispatch([self._spike_alert(s) for s in spikes], now)

    def tick(self) -> None:
        """Send the digests whose interval has ended."""
        with self._lock:
            due = self.grouper.due(self.clock())
        self._send(due)

    def close(self) -> None:
        """Send whatever is still held, then release the channels."""
        with self._lock:
            held = self.grouper.drain()
        self._send(held)
        self._pool.shutdown(wait=True)
        for channel in self.channels:
            channel.close()

    def _dispatch(self, alerts: list[Alert], now: datetime) -> None:
        ready = []
        with self._lock:
            for alert in alerts:
                decision, notification = self.grouper.add(alert, now)
                if decision == "suppress":
                    SUPPRESSED.labels(alert.kind.value, "cooldown").inc()
                elif notification is not None:
                    ready.append(notification)
                if alert.kind is AlertKind.spike and decision != "suppress":
                    SPIKES.labels(alert.labels[0]).inc()
        self._send(ready)

    def _send(self, notifications: list[Notification]) -> None:
        """Every channel in parallel; returns when all have delivered or given up."""
        futures = []
        for notification in notifications:
            # The subject and the links only: the log is read by operators, who need not read
            # the posts; with no channel configured yet, it is where a newcomer finds the case.
            links = " ".join(dict.fromkeys(a.link for a in notification.alerts if a.link))
            log.info("alert %s: %s (%s: %s)", notification.delivery_id,
                     render.subject(notification), render.OPEN_CASE, links or "-")
            for channel in self.channels:
                accepted = tuple(
                    channel.shown(a) for a in notification.alerts if channel.accepts(a)
                )
                if accepted:
                    futures.append(self._pool.submit(channel.deliver, notification.only(accepted)))
        for future in futures:
            future.result()

    def _spike_alert(self, spike: Spike) -> Alert:
        label = spike.label
        owners = [r.team for r in self.config.routing if label in r.match.labels]
        teams = owners + [
            t for r in self.config.routing if label in r.match.labels for t in r.copy_to
        ]
        restricted = bool(self.restricted_teams & set(owners))
        minutes = round(spike.window.total_seconds() / 60, 1)
        return Alert(
            kind=AlertKind.spike,
            incident=f"spike:{label}",
            title=f"Pic de volume / Volume spike: {label}",
            link=f"{self.public_url}/queue?label={label}",
            at=spike.at,
            severity=self._label_severity(label),
            teams=tuple(dict.fromkeys(teams or [self.config.triage_team])),
            labels=(label,),
            facts=(
                ("Étiquette / Label", label),
                ("Volume", f"{spike.count} en/in {minutes:g} min"),
                ("Attendu / Expected", f"{spike.expected:g}"),
            ),
            excerpt=" | ".join(spike.samples) or None,
            # Samples may come from any case of the label: only the restricted owners read them.
            readers=tuple(t for t in dict.fromkeys(owners) if t in self.restricted_teams)
            if restricted
            else None,
        )

    def _label_severity(self, label: str) -> Severity:
        policy = next((p for name, p in self.config.labels.items() if name.value == label), None)
        return policy.severity if policy else Severity.high
