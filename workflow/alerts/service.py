"""The alerting service: vigie.cases and vigie.verdicts in, Slack/Teams/e-mail/webhook out.

Two consumers (case events; verdicts for volume spikes and quotes) and a timer for digests share
one Alerter, whose state lives in the workflow database (workflow.alerts.store): a case batch is
committed once its alerts are queued there, so a crash, even a kill -9 while a digest is held,
loses nothing; the restarted service (or another replica) sends what is due. Replicas may run
side by side in the same consumer groups: each incident and each queued alert is claimed by
one of them, and spike counts are shared (workflow.alerts.grouping says what a crash in the
middle of a delivery costs: a resend after the lease, never a loss).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

from events.brand import load_brand_config
from events.errors import TransientError
from events.kafka_io import EventProducer, consume
from events.runtime import bootstrap_servers, prepare_topics
from events.settings import Settings
from workflow.alerts.alerter import Alerter
from workflow.alerts.channels import RetryPolicy, build_channels
from workflow.alerts.store import DbAlertStore, DbSpikeStore
from workflow.config import WorkflowSettings, default_public_url
from workflow.service import start_database

__all__ = ["run"]

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0


def run(
    settings: Settings,
    stop: threading.Event,
    *,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Alert until `stop` is set; held digests stay queued in the database for when they are due."""
    config = load_brand_config(settings.brand_config)
    servers = bootstrap_servers(settings)
    prepare_topics(settings)
    engine = start_database(settings, stop, seed=False)
    retry = retry or RetryPolicy()
    channels = build_channels(config.alerts, os.environ if environ is None else environ, retry)
    log.info(
        "alerting to %d channel(s): %s",
        len(channels),
        ", ".join(c.name for c in channels) or "none (log only)",
    )
    store = DbAlertStore(engine)
    owner = f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"
    freed = store.release_dead_claims(owner)
    if freed:
        log.warning("%d alert(s) claimed by an earlier alerts process of this host go out now", freed)
    alerter = Alerter(
        config,
        channels,
        public_url=default_public_url(settings),
        restricted_teams=WorkflowSettings().restricted,
        store=store,
        spike_store=DbSpikeStore(engine),
        # A claim older than two of the longest deliveries belongs to a replica that died.
        lease=2 * retry.longest,
        owner=owner,
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
        engine.dispose()
    if failures:
        raise failures[0]


def _tick(alerter: Alerter, stop: threading.Event) -> None:
    while not stop.wait(TICK_SECONDS):
        try:
            alerter.tick()
        except TransientError as exc:  # the database is away: what is due waits for it
            log.warning("alert delivery pass failed, retrying: %s", exc)


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
