"""The alerting service: vigie.cases and vigie.verdicts in, Slack/Teams/e-mail/webhook out.

Two consumers (case events; verdicts for volume spikes and quotes) and a timer for digests share
one Alerter. A case batch is committed only after its alerts were delivered or given up, so a
crash re-sends rather than loses. Run one replica: spikes need every verdict in one place.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping

from events.brand import load_brand_config
from events.kafka_io import EventProducer, consume
from events.runtime import bootstrap_servers, prepare_topics
from events.settings import Settings
from workflow.alerts.alerter import Alerter
from workflow.alerts.channels import RetryPolicy, build_channels
from workflow.config import WorkflowSettings

__all__ = ["default_public_url", "run"]

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0


def default_public_url(settings: Settings) -> str:
    host = settings.api_host if settings.api_host not in ("0.0.0.0", "::", "") else "localhost"
    return f"http://{host}:{settings.api_port}"


def run(
    settings: Settings,
    stop: threading.Event,
    *,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Alert until `stop` is set; held digests are sent before returning."""
    config = load_brand_config(settings.brand_config)
    servers = bootstrap_servers(settings)
    prepare_topics(settings)
    channels = build_channels(config.alerts, os.environ if environ is None else environ, retry)
    log.info(
        "alerting to %d channel(s): %s",
        len(channels),
        ", ".join(c.name for c in channels) or "none (log only)",
    )
    alerter = Alerter(
        config,
        channels,
        public_url=default_public_url(settings),
        restricted_teams=WorkflowSettings().restricted,
    )
    producer = EventProducer(servers, service="alerts")
    failures: list[BaseException] = []
    volume = threading.Thread(
        target=_guard,
        name="alerts-verdicts",
        daemon=True,
        args=(
            failures,
            stop,
            lambda: consume(
                settings.topics.verdicts,
                alerter.on_verdicts,
                bootstrap_servers=servers,
                producer=producer,
                stop=stop,
                group_id=settings.group("alerts-volume"),
            ),
        ),
    )
    timer = threading.Thread(
        target=_guard,
        name="alerts-timer",
        daemon=True,
        args=(failures, stop, lambda: _tick(alerter, stop)),
    )
    volume.start()
    timer.start()
    try:
        _guard(
            failures,
            stop,
            lambda: consume(
                settings.topics.cases,
                alerter.on_cases,
                bootstrap_servers=servers,
                group_id=settings.group("alerts"),
                producer=producer,
                stop=stop,
            ),
        )
    finally:
        stop.set()
        volume.join(timeout=30)
        timer.join(timeout=30)
        alerter.close()
        producer.close()
    if failures:
        raise failures[0]


def _tick(alerter: Alerter, stop: threading.Event) -> None:
    while not stop.wait(TICK_SECONDS):
        alerter.tick()


def _guard(
    failures: list[BaseException], stop: threading.Event, target: Callable[[], None]
) -> None:
    """Run one loop; if it dies, stop the others so the service exits with the error."""
    try:
        target()
    except BaseException as exc:
        log.exception("alerting loop failed")
        failures.append(exc)
        stop.set()
