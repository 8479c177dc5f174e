"""The alerting service's metrics (prefix vigie_, labels bounded by the configured channels)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CHANNEL_ENABLED",
    "DELIVERY_SECONDS",
    "FAILED",
    "HELD",
    "RESENT",
    "SENT",
    "SPIKES",
    "SUPPRESSED",
]

SENT = Counter("vigie_alerts_sent_total", "Alert messages a channel accepted.", ["channel", "kind"])
FAILED = Counter(
    "vigie_alerts_failed_total",
    "Alert messages a channel still refused after every retry.",
    ["channel", "kind"],
)
SUPPRESSED = Counter(
    "vigie_alerts_suppressed_total",
    "Alerts not sent, by reason (cooldown: same incident; too_old: replayed history; "
    "duplicate: the same case event twice).",
    ["kind", "reason"],
)
DELIVERY_SECONDS = Histogram(
    "vigie_alert_delivery_seconds",
    "Time to deliver one alert message to one channel, retries included.",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
CHANNEL_ENABLED = Gauge(
    "vigie_alert_channel_enabled",
    "1 when a configured alert channel has its secrets and runs, 0 when it is disabled.",
    ["channel", "type"],
    multiprocess_mode="livemax",
)
HELD = Counter(
    "vigie_alerts_held_total",
    "Alerts held for their group's digest (they leave together when the group interval ends).",
    ["kind"],
)
RESENT = Counter(
    "vigie_alerts_resent_total",
    "Alert messages sent again because the delivery that claimed them never finished (the "
    "alerts service died while sending).",
    ["kind"],
)
SPIKES = Counter(
    "vigie_volume_spikes_total",
    "Volume spikes alerted per label (keyword:<keyword> for a brand keyword's volume).",
    ["label"],
)
