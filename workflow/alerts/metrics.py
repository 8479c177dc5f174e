"""The alerting service's metrics (prefix vigie_, labels bounded by the configured channels)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = ["CHANNEL_ENABLED", "DELIVERY_SECONDS", "FAILED", "SENT", "SPIKES", "SUPPRESSED"]

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
SPIKES = Counter("vigie_volume_spikes_total", "Volume spikes detected per label.", ["label"])
