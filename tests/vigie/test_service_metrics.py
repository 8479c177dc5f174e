"""A service run on its own serves its metrics on VIGIE_METRICS_PORT (compose health checks use it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
from processes import wait_until

from events.broker import free_port
from events.settings import Settings


def test_a_service_alone_serves_metrics_and_stops_on_sigterm(settings: Settings) -> None:
    port = free_port()
    env = {**os.environ, "VIGIE_KAFKA_BOOTSTRAP_SERVERS": str(settings.kafka_bootstrap_servers),
           "VIGIE_TOPIC_PREFIX": settings.topic_prefix, "VIGIE_GROUP_PREFIX": settings.group_prefix,
           "VIGIE_METRICS_PORT": str(port)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    service = subprocess.Popen([sys.executable, "-m", "vigie.cli", "classify"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    body: list[str] = []

    def scraped() -> bool:
        try:
            body.append(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text)
            return 'vigie_records_consumed_total{service="classify"' in body[-1]
        except httpx.HTTPError:
            return False

    try:
        wait_until(scraped, 60)
    finally:
        service.send_signal(signal.SIGTERM)
        output = service.communicate(timeout=30)[0].decode(errors="replace")
    assert service.returncode == 0, output[-2000:]
