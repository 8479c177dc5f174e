"""Prometheus metrics shared by every service: one prefix, units in names, bounded labels.

Labels never carry a post, user or case id. Under `vigie up` every process writes to a shared
multiprocess directory (PROMETHEUS_MULTIPROC_DIR) and the API's /metrics shows them all; a
service run on its own serves its metrics on VIGIE_METRICS_PORT, with /livez and /readyz from
its loops' health (events.health).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    make_wsgi_app,
    multiprocess,
)
from prometheus_client.exposition import ThreadingWSGIServer

from events.health import HEALTH

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
    """Serve /metrics, /livez and /readyz on their own port (a service running alone); 0 means
    do not. The probes answer from the loops' beats, not from this serving thread."""
    if not port:
        return
    registry = _registry()
    metrics_app = make_wsgi_app(registry) if registry is not None else make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path not in ("/livez", "/readyz"):
            return metrics_app(environ, start_response)
        ok, loops = HEALTH.live() if path == "/livez" else HEALTH.ready()
        body = json.dumps({"status": "ok" if ok else "unavailable", "loops": loops}).encode()
        status = "200 OK" if ok else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(body)))])
        return [body]

    server = make_server(host, port, app, ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="probes", daemon=True).start()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's signature
        """Probes and scrapes every few seconds would drown the service's own log."""
