"""The workflow service's side of replies: publish queued replies to vigie.replies, and write
ingest's outcomes (vigie.reply_outcomes) back on the cases. Two threads beside the verdicts
consumer; both stop with it."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine
from sqlmodel import Session

from events.errors import TransientError
from events.kafka_io import Delivery, EventProducer, Rejection, consume
from events.schemas import ReplyOutcome, utcnow
from events.settings import Settings
from workflow.db import transient_errors
from workflow.outbox import ReplyRelay
from workflow.replies import apply_outcome

__all__ = ["OutcomeHandler", "start_reply_threads"]

log = logging.getLogger(__name__)


class OutcomeHandler:
    """Applies a batch of outcomes in one transaction (re-applying one changes nothing)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, batch: list[Delivery[ReplyOutcome]]) -> list[Rejection]:
        with transient_errors("recording reply outcomes"), Session(self.engine) as session:
            for delivery in batch:
                apply_outcome(session, delivery.event, utcnow())
            session.commit()
        return []


def start_reply_threads(
    engine: Engine,
    settings: Settings,
    producer: EventProducer,
    servers: str,
    stop: threading.Event,
    interval: float,
) -> list[threading.Thread]:
    relay = ReplyRelay(engine, producer, settings.topics.replies)

    def publish() -> None:
        while not stop.is_set():
            try:
                relay.publish_pending()
            except TransientError as exc:
                log.warning("replies not published yet, will retry: %s", exc)
            stop.wait(interval)

    def outcomes() -> None:
        consume(
            settings.topics.reply_outcomes,
            OutcomeHandler(engine),
            bootstrap_servers=servers,
            group_id=settings.group("workflow-replies"),
            producer=producer,
            stop=stop,
        )

    threads = [
        threading.Thread(target=publish, name="reply-relay", daemon=True),
        threading.Thread(target=outcomes, name="reply-outcomes", daemon=True),
    ]
    for thread in threads:
        thread.start()
    return threads
