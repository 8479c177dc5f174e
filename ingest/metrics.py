"""Ingest metrics per source (x, mastodon, bluesky, replay, webhook:<name>), never per post/user.

Gauges keep the most recent value across processes (multiprocess mode), so /metrics of the API
under `vigie up` shows what the ingest process last reported.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

__all__ = [
    "BLIND",
    "ERRORS",
    "LAST_SUCCESS",
    "NEWEST_POST",
    "POSTS",
    "RATE_LIMIT_REMAINING",
    "READ_CAP",
    "READ_DEFERRED",
    "READ_REMAINING",
    "READ_RESETS_AT",
    "READ_RUNS_OUT_AT",
    "REPLAY_LINES",
    "REPLIES",
    "SECONDS_SINCE_NEWEST",
    "SKIPPED",
    "UP",
    "WEBHOOK_REQUESTS",
]

POSTS = Counter("vigie_ingest_posts_total", "Posts produced to the posts topic.", ["source"])
REPLIES = Counter(
    "vigie_ingest_replies_total",
    "Replies from cases carried out: sent, failed, unknown (interrupted, a person checks), "
    "retried (platform outage).",
    ["source", "outcome"],
)
SKIPPED = Counter(
    "vigie_ingest_skipped_total",
    "Posts not produced on purpose: duplicate, not_on_roster.",
    ["source", "reason"],
)
ERRORS = Counter(
    "vigie_ingest_errors_total",
    "Failed polls and bad payloads: transient, rate_limited, revoked, payload.",
    ["source", "kind"],
)
REPLAY_LINES = Counter(
    "vigie_ingest_replay_lines_total",
    "Replayed lines by outcome (ok, dead_letter, skipped).",
    ["status"],
)
WEBHOOK_REQUESTS = Counter(
    "vigie_ingest_webhook_requests_total",
    "Webhook deliveries by outcome (accepted, bad_signature, too_large, bad_payload, "
    "unknown_source, unavailable, verified, refused).",
    ["source", "status"],
)
LAST_SUCCESS = Gauge(
    "vigie_ingest_last_success_timestamp_seconds",
    "When the source last polled successfully.",
    ["source"],
    multiprocess_mode="livemostrecent",
)
NEWEST_POST = Gauge(
    "vigie_ingest_newest_post_timestamp_seconds",
    "Creation time of the newest post ingested.",
    ["source"],
    multiprocess_mode="livemostrecent",
)
SECONDS_SINCE_NEWEST = Gauge(
    "vigie_ingest_seconds_since_newest_post",
    "Silence of the source (since start if no post yet).",
    ["source"],
    multiprocess_mode="livemostrecent",
)
RATE_LIMIT_REMAINING = Gauge(
    "vigie_ingest_rate_limit_remaining",
    "Requests left in the current rate-limit window.",
    ["source"],
    multiprocess_mode="livemostrecent",
)
BLIND = Gauge(
    "vigie_ingest_source_blind",
    "1 when the source is silent longer than its expectation.",
    ["source"],
    multiprocess_mode="livemostrecent",
)
UP = Gauge(
    "vigie_ingest_source_up",
    "1 while the source polls; 0 once stopped (e.g. revoked token).",
    ["source"],
    multiprocess_mode="livemostrecent",
)

READ_CAP = Gauge(
    "vigie_ingest_read_cap_posts",
    "The access tier's monthly cap on posts read, from the brand configuration.",
    ["source"],
    multiprocess_mode="livemostrecent",
)
READ_REMAINING = Gauge(
    "vigie_ingest_read_budget_remaining_posts",
    "Posts that may still be read before the monthly cap resets.",
    ["source"],
    multiprocess_mode="livemostrecent",
)
READ_RESETS_AT = Gauge(
    "vigie_ingest_read_budget_resets_timestamp_seconds",
    "When the monthly read cap resets.",
    ["source"],
    multiprocess_mode="livemostrecent",
)
READ_RUNS_OUT_AT = Gauge(
    "vigie_ingest_read_budget_runs_out_timestamp_seconds",
    "When the read cap runs out at this month's pace (+Inf: it lasts until it resets).",
    ["source"],
    multiprocess_mode="livemostrecent",
)
READ_DEFERRED = Counter(
    "vigie_ingest_read_deferred_total",
    "Feed polls put off to keep the monthly read cap for higher-priority feeds.",
    ["source", "kind"],
)
