"""Probes that reflect the consume loop: not ready while it waits out a failure, live unless stuck."""

from __future__ import annotations

import threading
import time

import httpx
from helpers import make_post

from events.broker import free_port
from events.errors import TransientError
from events.health import LoopHealth
from events.kafka_io import Delivery, EventProducer, consume
from events.metrics import serve_metrics
from events.runtime import prepare_topics
from events.schemas import Post
from events.settings import Settings


def _wait_for_status(url: str, status: int, timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(url, timeout=5)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def test_readiness_follows_an_outage_of_the_handlers_dependency(settings: Settings) -> None:
    prepare_topics(settings)
    port = free_port()
    serve_metrics(port, host="127.0.0.1")
    base = f"http://127.0.0.1:{port}"
    producer = EventProducer(settings.kafka_bootstrap_servers, service="probe-test")
    producer.send(settings.topics.posts, make_post("during the outage"))
    producer.flush()
    outage, handled, stop = threading.Event(), [], threading.Event()
    outage.set()

    def handler(batch: list[Delivery[Post]]) -> None:
        if outage.is_set():
            raise TransientError("database unavailable")
        handled.extend(d.event.text for d in batch)

    worker = threading.Thread(target=consume, args=(settings.topics.posts, handler), kwargs=dict(
        bootstrap_servers=settings.kafka_bootstrap_servers, group_id=settings.group("probe"),
        producer=producer, stop=stop, poll_timeout_ms=200))
    worker.start()
    try:
        not_ready = _wait_for_status(f"{base}/readyz", 503)
        assert not_ready.status_code == 503, not_ready.text
        assert "database unavailable" in not_ready.text
        assert httpx.get(f"{base}/livez").status_code == 200, "waiting out an outage is alive"
        outage.clear()
        ready = _wait_for_status(f"{base}/readyz", 200)
        assert ready.status_code == 200, ready.text
        assert handled == ["during the outage"]
        assert "vigie_loop_ready" in httpx.get(f"{base}/metrics").text
    finally:
        stop.set()
        worker.join(30)
        producer.close()


def test_a_loop_that_stops_beating_is_not_live() -> None:
    health = LoopHealth(stale_after=0.2)
    health.beat("consumer")
    assert health.live()[0]
    time.sleep(0.3)
    alive, loops = health.live()
    assert not alive and loops == {"consumer": "stuck"}
    health.beat("consumer")
    assert health.live()[0]
    health.trouble("consumer", "broker down")
    assert health.live()[0] and health.ready() == (False, {"consumer": "broker down"})
    health.recovered("consumer")
    assert health.ready() == (True, {"consumer": "ok"})
