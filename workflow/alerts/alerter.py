"""The alerting core: case events and verdicts in, notifications out to every channel that wants
them. Thread-safe: the case consumer, the verdict consumer and the digest timer share it.

Alerts are decided and queued first (workflow.alerts.grouping, in the store's transaction), then
delivered: at once by the consumer that raised them, or by the timer when a digest is due.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import quote

from events.brand import BrandConfig, parse_duration
from events.errors import TransientError
from events.kafka_io import Delivery
from events.schemas import CaseEvent, CaseEventType, Severity, Verdict, utcnow
from workflow.alerts import render
from workflow.alerts.channels import Channel
from workflow.alerts.grouping import Decision, Grouper
from workflow.alerts.masking import excerpt
from workflow.alerts.metrics import HELD, RESENT, SPIKES, SUPPRESSED
from workflow.alerts.model import Alert, AlertKind, Notification
from workflow.alerts.rules import case_alerts
from workflow.alerts.spikes import Spike, SpikeDetector
from workflow.alerts.store import AlertStore, SpikeStore

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
        store: AlertStore | None = None,
        spike_store: SpikeStore | None = None,
        lease: timedelta = timedelta(minutes=15),
        owner: str = "alerts",
    ) -> None:
        """Without stores, the state stays in memory (one process, lost with it)."""
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
            store=store,
            lease=lease,
            owner=owner,
        )
        self.spikes = SpikeDetector(policy.spike, keywords=config.brand.keywords, store=spike_store)
        self._lock = threading.Lock()
        self._delivering = threading.Lock()
        self._seen = _Recent(50_000)
        self._quotes = _Recent(5_000)
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, len(self.channels)), thread_name_prefix="alert-send"
        )

    def on_cases(self, batch: list[Delivery[CaseEvent]]) -> None:
        """Batch handler for vigie.cases; returns once the batch's alerts are queued in the store
        (then sent at once, unless a delivery pass is already running: the timer's next one)."""
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
        self._queue(alerts, now)
        self.deliver()

    def _forget(self, event: CaseEvent) -> None:
        """An author was erased: their posts are no longer quoted nor counted (alerts already
        queued keep their masked quotes: they leave within the group interval)."""
        for post_id in event.details.get("post_ids") or []:
            if isinstance(post_id, str):
                self.spikes.forget(post_id, self._quotes.pop(post_id, None))

    def on_verdicts(self, batch: list[Delivery[Verdict]]) -> None:
        """Batch handler for vigie.verdicts: remember quotes, count labels and brand keywords
        (untagged posts too), alert on spikes."""
        now = self.clock()
        with self._lock:
            watched = []
            for verdict in (d.event for d in batch):
                if verdict.shadow or not self.spikes.series_of(verdict):
                    continue
                quote = excerpt(verdict.post.text) if self.quote_posts else None
                if verdict.labels:
                    self._quotes.remember(verdict.post.post_id, quote)
                watched.append((verdict, quote))
            if not watched:
                return  # nothing counted: the spikes are as they were
            self.spikes.observe(watched)
            spikes = [s for s in self.spikes.spikes() if now - s.at <= self.max_age]
        decisions = self._queue([self._spike_alert(s) for s in spikes], now)
        for spike, decision in zip(spikes, decisions, strict=True):
            if decision != "suppress":
                SPIKES.labels(
                    spike.name if spike.kind == "label" else f"keyword:{spike.name}"
                ).inc()
        self.deliver()

    def tick(self) -> None:
        """Send what is due: digests whose interval has ended, alerts left by a crash."""
        self.deliver()

    def close(self) -> None:
        """Send what is due, then release the channels (held digests stay in the store)."""
        try:
            self.deliver(wait=True)
        except TransientError as exc:
            log.warning("alerts left queued at shutdown (the database is away): %s", exc)
        self._pool.shutdown(wait=True)
        for channel in self.channels:
            channel.close()

    def _queue(self, alerts: list[Alert], now: datetime) -> list[Decision]:
        decisions = self.grouper.add(alerts, now) if alerts else []
        for alert, decision in zip(alerts, decisions, strict=True):
            if decision == "suppress":
                SUPPRESSED.labels(alert.kind.value, "cooldown").inc()
            elif decision == "hold":
                HELD.labels(alert.kind.value).inc()
        return decisions

    def deliver(self, *, wait: bool = False) -> None:
        """Claim what is due, send it, then take it out of the queue. One pass at a time: while
        one runs (a slow channel retrying), the consumers go on; the timer's next pass sends
        what they queued meanwhile."""
        if not self._delivering.acquire(blocking=wait):
            return
        try:
            claimed = self.grouper.take(self.clock())
            for item in claimed:
                if item.reclaimed:
                    RESENT.labels(item.notification.kind.value).inc()
                    log.warning(
                        "alert %s: sent again, its previous delivery never finished",
                        item.notification.delivery_id,
                    )
            self._send([c.notification for c in claimed])
            self.grouper.sent(claimed)
        finally:
            self._delivering.release()

    def _send(self, notifications: list[Notification]) -> None:
        """Every channel in parallel; returns when all have delivered or given up."""
        futures = []
        for notification in notifications:
            # The subject and the links only: the log is read by operators, who need not read
            # the posts; with no channel configured yet, it is where a newcomer finds the case.
            links = " ".join(dict.fromkeys(a.link for a in notification.alerts if a.link))
            log.info(
                "alert %s: %s (%s: %s)",
                notification.delivery_id,
                render.subject(notification),
                render.OPEN_CASE,
                links or "-",
            )
            for channel in self.channels:
                accepted = tuple(
                    channel.shown(a) for a in notification.alerts if channel.accepts(a)
                )
                if accepted:
                    futures.append(self._pool.submit(channel.deliver, notification.only(accepted)))
        for future in futures:
            future.result()

    def _spike_alert(self, spike: Spike) -> Alert:
        if spike.kind == "keyword":
            return self._keyword_spike_alert(spike)
        label = spike.name
        owners = [r.team for r in self.config.routing if label in r.match.labels]
        teams = owners + [
            t for r in self.config.routing if label in r.match.labels for t in r.copy_to
        ]
        restricted = bool(self.restricted_teams & set(owners))
        return Alert(
            kind=AlertKind.spike,
            incident=f"spike:{label}",
            title=f"Pic de volume / Volume spike: {label}",
            link=f"{self.public_url}/queue?label={label}",
            at=spike.at,
            severity=self._label_severity(label),
            teams=tuple(dict.fromkeys(teams or [self.config.triage_team])),
            labels=(label,),
            facts=(("Étiquette / Label", label), *_volume_facts(spike)),
            excerpt=" | ".join(spike.samples) or None,
            # Samples may come from any case of the label: only the restricted owners read them.
            readers=tuple(t for t in dict.fromkeys(owners) if t in self.restricted_teams)
            if restricted
            else None,
        )

    def _keyword_spike_alert(self, spike: Spike) -> Alert:
        """Volume on a brand keyword, labelled or not: a rumour before any detector names it,
        so it goes to the teams that own rumours (the triage team when none does)."""
        keyword = spike.name
        owners = [r.team for r in self.config.routing if "rumour" in r.match.labels]
        return Alert(
            kind=AlertKind.spike,
            incident=f"spike:keyword:{keyword}",
            title=f"Pic de volume / Volume spike: « {keyword} »",
            link=f"{self.public_url}/queue?q={quote(keyword)}",
            at=spike.at,
            severity=Severity.high,
            teams=tuple(dict.fromkeys(owners or [self.config.triage_team])),
            facts=(("Mot-clé / Keyword", keyword), *_volume_facts(spike)),
            excerpt=" | ".join(spike.samples) or None,
        )

    def _label_severity(self, label: str) -> Severity:
        policy = next((p for name, p in self.config.labels.items() if name.value == label), None)
        return policy.severity if policy else Severity.high


def _volume_facts(spike: Spike) -> tuple[tuple[str, str], ...]:
    minutes = round(spike.window.total_seconds() / 60, 1)
    return (
        ("Volume", f"{spike.count} en/in {minutes:g} min"),
        ("Attendu / Expected", f"{spike.expected:g}"),
    )
