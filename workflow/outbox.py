"""Publishing the outbox: case events written by the service and the API reach vigie.cases,
and queued replies reach vigie.replies.

At least once: an event is marked sent only after the broker acknowledged it, so a crash in
between publishes it again (consumers de-duplicate on `event_id`; ingest sends a reply once per
`reply_id`).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from events.kafka_io import EventProducer
from events.schemas import CaseEvent, ReplyRequest, utcnow
from events.topics import Topic
from workflow.db import transient_errors
from workflow.metrics import CASE_EVENTS
from workflow.models import Case, CaseReply, OutboxEvent
from workflow.replies import QUEUED, reply_request

__all__ = ["OutboxRelay", "ReplyRelay"]

log = logging.getLogger(__name__)

BATCH = 1000


class OutboxRelay:
    """Sends unsent outbox rows in order; one relay per process, safe across replicas."""

    def __init__(self, engine: Engine, producer: EventProducer, topic: Topic[CaseEvent]) -> None:
        self.engine = engine
        self.producer = producer
        self.topic = topic
        self._lock = threading.Lock()

    def publish_pending(self) -> int:
        """Publish everything unsent; returns how many events went out."""
        sent = 0
        with self._lock:
            while True:
                count = self._publish_batch()
                sent += count
                if count < BATCH:
                    return sent

    def _publish_batch(self) -> int:
        with transient_errors("publishing case events"), Session(self.engine) as session:
            rows = list(
                session.exec(
                    select(OutboxEvent)
                    .where(col(OutboxEvent.sent_at).is_(None))
                    .order_by(col(OutboxEvent.id))
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            if not rows:
                return 0
            for row in rows:
                event = CaseEvent.model_validate_json(row.payload)
                self.producer.send(self.topic, event, correlation_id=event.event_id)
                CASE_EVENTS.labels(event.type.value, event.team or "").inc()
            self.producer.flush()
            now = utcnow()
            for row in rows:
                row.sent_at = now
            session.commit()
            return len(rows)


class ReplyRelay:
    """Publishes queued replies not yet published (the `replies` table is their outbox)."""

    def __init__(
        self, engine: Engine, producer: EventProducer, topic: Topic[ReplyRequest]
    ) -> None:
        self.engine = engine
        self.producer = producer
        self.topic = topic
        self._lock = threading.Lock()

    def publish_pending(self) -> int:
        with self._lock, transient_errors("publishing replies"), Session(self.engine) as session:
            rows = list(
                session.exec(
                    select(CaseReply)
                    .where(CaseReply.state == QUEUED, col(CaseReply.published_at).is_(None))
                    .order_by(col(CaseReply.id))
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                case = session.get(Case, row.case_id)
                assert case is not None  # a case goes only with its replies (retention)
                request = reply_request(row, case)
                self.producer.send(self.topic, request, correlation_id=request.reply_id)
            if not rows:
                return 0
            self.producer.flush()
            now = utcnow()
            for row in rows:
                row.published_at = now
            session.commit()
            return len(rows)
