"""The workflow service: vigie.verdicts -> cases in the database -> vigie.cases events.

The same thread purges, every VIGIE_PURGE_MINUTES, what the brand's retention policy lets go
(workflow.retention).

One database transaction per polled batch, committed before the Kafka offsets (a replay is a
no-op: posts are stored once). A database outage raises TransientError, so the consumer loop
pauses and retries. A verdict the database refuses on its own (e.g. a value too long for a
column) is dead-lettered with the reason while the rest of its batch is stored. A background
thread runs the SLA clock and publishes the outbox.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError, StatementError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from events.brand import load_brand_config
from events.errors import TransientError
from events.kafka_io import Delivery, EventProducer, Rejection, consume
from events.runtime import bootstrap_servers, prepare_topics
from events.schemas import Verdict, utcnow
from events.settings import Settings
from workflow.book import PolicyBook
from workflow.clock import assign_waiting_tasks, recompute_open_tasks, tick
from workflow.config import WorkflowSettings
from workflow.db import init_db, transient_errors
from workflow.intake import IntakeResult, ingest_verdicts
from workflow.metrics import INTAKE_SECONDS, VERDICTS
from workflow.outbox import OutboxRelay
from workflow.retention import purge
from workflow.seed import seed_directory
from workflow.stories.desk import settle as settle_stories

__all__ = ["VerdictHandler", "run", "start_database"]

log = logging.getLogger(__name__)

_DATA_ERRORS = (StatementError, ValueError, ValidationError)


class VerdictHandler:
    """The batch handler given to events.kafka_io.consume."""

    def __init__(self, engine: Engine, book: PolicyBook, relay: OutboxRelay | None = None) -> None:
        self.engine = engine
        self.book = book
        self.relay = relay

    def __call__(self, batch: list[Delivery[Verdict]]) -> list[Rejection]:
        started = time.perf_counter()
        rejections = self.record(batch)
        INTAKE_SECONDS.observe(time.perf_counter() - started)
        if self.relay is not None:
            self.relay.publish_pending()
        return rejections

    def record(self, batch: Sequence[Delivery[Verdict]]) -> list[Rejection]:
        verdicts = [d.event for d in batch]
        try:
            self._transaction(verdicts)
            return []
        except (IntegrityError, StaleDataError):
            log.info("a concurrent writer changed part of this batch; retrying it")
        except _DATA_ERRORS as exc:
            log.warning("batch refused by the database (%s); storing its verdicts one by one", exc)
        return self._one_by_one(batch)

    def _one_by_one(self, batch: Sequence[Delivery[Verdict]]) -> list[Rejection]:
        rejections = []
        for delivery in batch:
            try:
                self._transaction([delivery.event])
            except (IntegrityError, StaleDataError) as exc:
                raise TransientError(
                    f"concurrent writers on the same cases, retrying: {exc}"
                ) from exc
            except _DATA_ERRORS as exc:
                reason = f"workflow cannot store this verdict: {getattr(exc, 'orig', None) or exc}"
                rejections.append(Rejection(delivery.record, reason[:1000]))
                VERDICTS.labels("rejected").inc()
        return rejections

    def _transaction(self, verdicts: list[Verdict]) -> IntakeResult:
        with transient_errors("recording verdicts"), Session(self.engine) as session:
            now = utcnow()
            result = ingest_verdicts(session, self.book, verdicts, now=now)
            settle_stories(session, self.book, now)
            session.commit()
        counts = {
            "duplicate": result.duplicates,
            "shadow": result.shadow,
            "recorded": result.recorded,
            "triage": result.triage,
            "routed": result.opened + result.joined - result.triage,
        }
        for outcome, count in counts.items():
            VERDICTS.labels(outcome).inc(count)
        return result


def start_database(settings: Settings, stop: threading.Event) -> Engine:
    """Migrate (retrying while the database is unreachable) and seed teams and members."""
    delay = 0.5
    while True:
        try:
            engine = init_db(settings.resolved_database_url)
            seed_directory(engine, load_brand_config(settings.brand_config))
            return engine
        except TransientError as exc:
            if stop.is_set():
                raise
            log.warning("database not ready, retrying in %.1fs: %s", delay, exc)
            stop.wait(delay)
            delay = min(delay * 2, 15)


def run(settings: Settings, stop: threading.Event) -> None:
    """Consume verdicts until `stop` is set; the SLA clock runs beside the consumer."""
    config = load_brand_config(settings.brand_config)
    options = WorkflowSettings()
    book = PolicyBook(config, restricted_teams=options.restricted, review_labels=options.review)
    servers = bootstrap_servers(settings)
    engine = start_database(settings, stop)
    prepare_topics(settings)
    producer = EventProducer(servers, service="workflow")
    relay = OutboxRelay(engine, producer, settings.topics.cases)
    clock = threading.Thread(
        target=_clock_loop,
        name="sla-clock",
        daemon=True,
        args=(engine, book, relay, stop, options.sla_clock_seconds, options.purge_minutes * 60),
    )
    clock.start()
    try:
        consume(
            settings.topics.verdicts,
            VerdictHandler(engine, book, relay),
            bootstrap_servers=servers,
            group_id=settings.group("workflow"),
            producer=producer,
            stop=stop,
        )
    finally:
        stop.set()
        clock.join(timeout=30)
        _final_publish(relay)
        producer.close()
        engine.dispose()


def _clock_loop(
    engine: Engine,
    book: PolicyBook,
    relay: OutboxRelay,
    stop: threading.Event,
    interval: float,
    purge_every: float,
) -> None:
    """Recompute open deadlines once (the calendar may have changed), then tick on a schedule;
    purge expired records at start and every `purge_every` seconds."""
    cursor: int | None = 0
    next_purge = time.monotonic()
    while not stop.is_set():
        try:
            if cursor is not None:
                cursor = recompute_open_tasks(engine, book, utcnow(), after_id=cursor) or None
            now = utcnow()
            tick(engine, book, now)
            assign_waiting_tasks(engine, book, now)
            relay.publish_pending()
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + purge_every
                _purge(engine, book, now)
        except TransientError as exc:
            log.warning("SLA clock pass failed, will retry: %s", exc)
        if cursor is None:
            stop.wait(interval)


def _purge(engine: Engine, book: PolicyBook, now: datetime) -> None:
    """One retention pass; a refusal by the database is logged and retried at the next pass
    (the SLA clock in the same thread must go on)."""
    try:
        purged = purge(engine, book.config.retention, now)
    except SQLAlchemyError:
        log.exception("retention purge failed; retrying at the next pass")
        return
    if any(purged.values()):
        log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in purged.items() if v))


def _final_publish(relay: OutboxRelay) -> None:
    try:
        relay.publish_pending()
    except TransientError as exc:
        log.warning("case events left in the outbox for the next start: %s", exc)
