"""Prometheus metrics shared by every service: one prefix, units in names, bounded labels.

Labels never carry a post, user or case id. Under `vigie up` every process writes to a shared
multiprocess directory (PROMETHEUS_MULTIPROC_DIR) and the API's /metrics shows them all; a
service run on its own serves its metrics on VIGIE_METRICS_PORT.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

__all__ = [
    "CONSUMER_LAG",
    "CONTENT_TYPE_LATEST",
    "HANDLER_SECONDS",
    "KAFKA_ERRORS",
    "PRODUCER_REBUILDS",
    "RECORDS_CONSUMED",
    "RECORDS_PRODUCED",
    "RETRIES",
    "render_latest",
    "serve_metrics",
]

RECORDS_CONSUMED = Counter(
    "vigie_records_consumed_total",
    "Records read from a topic, by outcome (ok, dead_letter, skipped).",
    ["service", "topic", "status"],
)
RECORDS_PRODUCED = Counter(
    "vigie_records_produced_total", "Records written to a topic.", ["service", "topic"]
)
HANDLER_SECONDS = Histogram(
    "vigie_handler_duration_seconds",
    "Time to handle one polled batch.",
    ["service", "topic"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CONSUMER_LAG = Gauge(
    "vigie_consumer_lag_records",
    "Records behind the partition high-water mark, summed over assigned partitions.",
    ["service", "topic"],
    multiprocess_mode="livesum",
)
RETRIES = Counter(
    "vigie_transient_retries_total",
    "Batches paused and retried because a downstream dependency failed.",
    ["service", "topic"],
)

KAFKA_ERRORS = Counter(
    "vigie_kafka_errors_total",
    "Kafka errors met on poll or commit and retried (the records are read again, not lost).",
    ["service", "topic", "operation"],
)
PRODUCER_REBUILDS = Counter(
    "vigie_producer_rebuilds_total",
    "Producers closed and rebuilt because a send was not acknowledged.",
    ["service"],
)


def _registry() -> CollectorRegistry | None:
    """The registry to expose: a multiprocess view when the directory is set, else the default."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return None


def render_latest() -> bytes:
    """The exposition text for an HTTP /metrics endpoint."""
    registry = _registry()
    return generate_latest(registry) if registry is not None else generate_latest()


def serve_metrics(port: int, host: str = "0.0.0.0") -> None:
    """Serve /metrics on its own port (a service running alone); 0 means do not."""
    if port:
        registry = _registry()
        if registry is not None:
            start_http_server(port, addr=host, registry=registry)
        else:
            start_http_server(port, addr=host)
