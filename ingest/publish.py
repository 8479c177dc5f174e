"""Producing posts: roster attribution, one event per post, and waiting for Kafka's acknowledgement.

`Publisher.send` returns only once the broker acknowledged every post (acks=all), so a caller can
then advance its checkpoint: a crash before that point replays the page, never skips it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from kafka.consumer.fetcher import ConsumerRecord

from events.codec import Headers
from events.kafka_io import EventProducer
from events.redaction import redact_card_numbers, redact_post
from events.schemas import Post
from events.topics import Topic
from ingest import metrics
from ingest.roster import RosterWatcher
from ingest.store import IngestStore

__all__ = ["Publisher"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Publisher:
    def __init__(self, producer: EventProducer, topic: Topic[Post], roster: RosterWatcher) -> None:
        self.producer = producer
        self.topic = topic
        self.roster = roster
        # Held from the seen-id check until the ids are recorded, so two sources of one process
        # holding the same post (stream and search) produce it once.
        self.lock = threading.RLock()

    def prepare(self, posts: Iterable[Post], *, source: str) -> list[Post]:
        """Posts as the roster sees them now, one per post id; the rest is counted as skipped."""
        roster = self.roster.current()
        kept: dict[str, Post] = {}
        for post in posts:
            attributed = roster.attribute(post)
            if attributed is None:
                metrics.SKIPPED.labels(source, "not_on_roster").inc()
            elif attributed.post_id in kept:
                metrics.SKIPPED.labels(source, "duplicate").inc()
            else:
                kept[attributed.post_id] = attributed
        return list(kept.values())

    def publish_new(
        self,
        posts: list[Post],
        *,
        source: str,
        store: IngestStore,
        record: Callable[[list[str]], None],
        retry: Callable[[Callable[[], T]], T],
    ) -> tuple[list[Post], int]:
        """The one publish-then-record path of every source: under the lock (another source may
        hold the same post right now), the posts no source ingested yet are attributed, produced
        and acknowledged, and only then `record(their ids)` saves them, with the caller's
        checkpoint if it has one. `retry` is the caller's policy for each step (a poller waits
        out an outage; a webhook lets the error answer 503). Returns the posts produced and how
        many were already ingested."""
        with self.lock:
            fresh_ids = retry(lambda: store.unseen(p.post_id for p in posts))
            if duplicates := len(posts) - len(fresh_ids):
                metrics.SKIPPED.labels(source, "duplicate").inc(duplicates)
            fresh = self.prepare([p for p in posts if p.post_id in fresh_ids], source=source)
            retry(lambda: self.send(fresh, source=source))
            retry(lambda: record([p.post_id for p in fresh]))
        return fresh, duplicates

    def send(self, posts: list[Post], *, source: str) -> None:
        """Produce and block until every post is acknowledged; TransientError otherwise."""
        if not posts:
            return
        # Card numbers never enter Vigie: redacted here, before the first topic.
        for post in posts:
            self.producer.send(self.topic, redact_post(post))
        self.producer.flush()  # raises TransientError unless every post was acknowledged
        metrics.POSTS.labels(source).inc(len(posts))

    def dead_letter(self, raw: bytes, reason: str, *, origin: Headers) -> None:
        """Send input that never became a post to the posts dead-letter topic, raw, with why.

        `origin` headers say where it came from (file and line, source and feed); `dlq-topic`
        is the posts topic it was meant for, so the record can be fixed and sent on.
        """
        # What could not become a post is still someone's post: no card number in it either
        # (undecodable bytes pass through unchanged).
        raw = redact_card_numbers(raw.decode("utf-8", "surrogateescape")).encode(
            "utf-8", "surrogateescape"
        )
        reason = redact_card_numbers(reason)
        log.warning("dead-lettered: %s", reason)
        record = ConsumerRecord(
            topic=self.topic.name,
            partition=-1,
            leader_epoch=-1,
            offset=-1,
            timestamp=int(time.time() * 1000),
            timestamp_type=0,
            key=None,
            value=raw,
            headers=origin,
            checksum=None,
            serialized_key_size=-1,
            serialized_value_size=len(raw),
            serialized_header_size=-1,
        )
        self.producer.dead_letter(record, reason, dlq=self.topic.dlq)
        self.producer.flush()  # the caller moves past this input only once it is kept
