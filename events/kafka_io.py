"""Kafka I/O with kafka-python: typed producing, and a consumer loop that commits on purpose.

The loop reads a batch, validates every record against the topic's schema, hands the valid ones
to the service's handler and commits only after the handler (and any dead-letter write)
succeeded. Three outcomes are kept apart:
- poison (undecodable, invalid, or rejected by the handler): written to `<topic>.dlq` with the
  original bytes and the reason in headers, then committed; the stream goes on;
- transient (the handler raised TransientError): partitions paused, the same batch retried with
  backoff, never dead-lettered;
- success: committed.
Nothing is committed before every record it covers is acknowledged: `EventProducer.flush` fails
(TransientError) when any send of the calling thread was not acknowledged, so the batch is
retried, and a producer that failed is rebuilt rather than left dropping records. Handlers must
be idempotent: a crash between the database commit and the offset commit replays the batch.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError, TopicAlreadyExistsError
from kafka.producer.future import FutureRecordMetadata
from kafka.structs import OffsetAndMetadata, TopicPartition
from pydantic import BaseModel
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from events import metrics
from events.codec import Headers, decode, encode, header, make_headers
from events.errors import BrokerError, SchemaError, TransientError
from events.health import HEALTH
from events.topics import Topic

__all__ = [
    "CONSUMER_DEFAULTS",
    "Backoff",
    "Delivery",
    "EventProducer",
    "Rejection",
    "consume",
    "ensure_topics",
    "wait_for_broker",
]

log = logging.getLogger(__name__)

E = TypeVar("E", bound=BaseModel)

CONSUMER_DEFAULTS = {
    # A group join waits about half the session timeout on the embedded broker: keep it short.
    "session_timeout_ms": 6000,
    "heartbeat_interval_ms": 1000,
    "enable_auto_commit": False,
    "auto_offset_reset": "earliest",
    "max_poll_records": 500,
}


@dataclass(frozen=True)
class Delivery(Generic[E]):
    """One valid record: the typed event plus where it came from."""

    event: E
    record: ConsumerRecord

    @property
    def correlation_id(self) -> str | None:
        return header(self.record.headers, "correlation-id")


@dataclass(frozen=True)
class Rejection:
    """A record the handler refuses as poison, with the reason for the dead-letter topic."""

    record: ConsumerRecord
    reason: str


BatchHandler = Callable[[list[Delivery[E]]], Iterable[Rejection] | None]


DEFAULT_MAX_REQUEST_SIZE = 1048576  # kafka-python's default max_request_size
REBUILD_BOOTSTRAP_MS = 3000


class EventProducer:
    """Validated, keyed, headed writes that count only once acknowledged.

    Sends are remembered per thread (ingest's sources share one producer) until that thread's
    `flush()`, which raises TransientError unless the broker acknowledged every one of them. A
    producer that lost a send is closed and rebuilt: after a broker restart kafka-python's
    producer can stay in a state where every later send fails, and a service that keeps running
    with it would look healthy while dropping everything.
    """

    def __init__(self, bootstrap_servers: str, *, service: str, **config: object) -> None:
        self.service = service
        self._bootstrap_servers = bootstrap_servers
        self._config = config
        self._max_record = int(config.get("max_request_size", DEFAULT_MAX_REQUEST_SIZE)) - 4096
        self._local = threading.local()
        self._swap = threading.Lock()
        self._producer = self._connect()

    def _connect(self, **overrides: object) -> KafkaProducer:
        try:
            return KafkaProducer(
                bootstrap_servers=self._bootstrap_servers,
                client_id=f"vigie-{self.service}",
                acks="all",
                linger_ms=5,
                retries=5,
                # Not idempotent: with durable storage the embedded broker answers producers
                # writing one partition at once with OutOfOrderSequenceNumber, then
                # UnknownProducerId, which kafka-python retries in a loop, with no fault at all.
                # Consumers de-duplicate anyway (every handler is idempotent); one request in
                # flight keeps a retried batch from overtaking the next one.
                enable_idempotence=False,
                max_in_flight_requests_per_connection=1,
                **{**self._config, **overrides},
            )
        except KafkaError as exc:
            raise BrokerError(
                f"cannot connect producer to {self._bootstrap_servers}: {exc}"
            ) from exc

    @property
    def _pending(self) -> list[FutureRecordMetadata]:
        if not hasattr(self._local, "pending"):
            self._local.pending = []
        return self._local.pending

    def send(self, topic: Topic[E], event: E, *, correlation_id: str | None = None) -> object:
        """Queue one event; it counts as written only once flush() returned."""
        if not isinstance(event, topic.model):
            raise TypeError(f"{topic.name} carries {topic.model.__name__}, not {type(event).__name__}")
        metrics.RECORDS_PRODUCED.labels(self.service, topic.name).inc()
        return self._send_raw(
            topic.name,
            value=encode(event),
            key=topic.key(event).encode("utf-8"),
            headers=make_headers(event, correlation_id),
        )

    def dead_letter(self, record: ConsumerRecord, reason: str, *, dlq: str) -> object:
        """Keep the original bytes, key and headers; add where it came from and why.

        Anything a consumer can receive is accepted: header values that are null become empty,
        and a record with neither key nor value, or too large to copy, is kept as a stub (an
        empty value) whose headers say so; the coordinates still point at the original.
        """
        headers: Headers = [
            (name, value if value is not None else b"")
            for name, value in (record.headers or [])
            if not name.startswith("dlq-")
        ]
        value, key = record.value, record.key
        size = len(value or b"") + len(key or b"") + sum(len(n) + len(v) for n, v in headers)
        if size > self._max_record:
            headers = [("dlq-stub", f"original record of {size} bytes is too large to copy".encode())]
            value, key = b"", key if key is not None and len(key) < 1024 else None
        elif value is None and key is None:
            headers.append(("dlq-stub", b"original record had neither key nor value"))
            value = b""
        headers += [
            ("dlq-reason", reason[:2000].encode("utf-8", errors="replace")),
            ("dlq-topic", record.topic.encode()),
            ("dlq-partition", str(record.partition).encode()),
            ("dlq-offset", str(record.offset).encode()),
            ("dlq-service", self.service.encode()),
        ]
        metrics.RECORDS_PRODUCED.labels(self.service, dlq).inc()
        return self._send_raw(dlq, value=value, key=key, headers=headers)

    def _send_raw(self, topic: str, *, value: bytes | None, key: bytes | None, headers: Headers) -> object:
        try:
            future = self._producer.send(topic, value=value, key=key, headers=headers)
        except KafkaError as exc:
            self._rebuild(f"send to {topic} failed: {exc}")
            raise TransientError(f"cannot produce to {topic}: {exc}") from exc
        self._pending.append(future)
        return future

    def flush(self, timeout: float | None = 30) -> None:
        """Wait for this thread's sends; TransientError unless every one was acknowledged."""
        pending, self._local.pending = self._pending, []
        try:
            self._producer.flush(timeout=timeout)
        except KafkaError as exc:
            self._rebuild(f"flush failed: {exc}")
            raise TransientError(f"flush failed: {exc}") from exc
        failed = [f for f in pending if not f.is_done or f.failed()]
        if failed:
            first = failed[0].exception if failed[0].is_done else "no answer"
            message = f"{len(failed)} of {len(pending)} sends not acknowledged: {first}"
            self._rebuild(message)
            raise TransientError(message)

    def _rebuild(self, why: str) -> None:
        """Replace the client, so a fatal state (e.g. a lost sequence after a broker restart)
        cannot outlive the batch that met it. Unacknowledged sends of other threads fail with
        the old client and are retried by their own flush()."""
        with self._swap:
            old = self._producer
            log.warning("%s: rebuilding the Kafka producer (%s)", self.service, why)
            metrics.PRODUCER_REBUILDS.labels(self.service).inc()
            try:
                # Short bootstrap: during an outage the batch's own retry comes back here soon.
                self._producer = self._connect(bootstrap_timeout_ms=REBUILD_BOOTSTRAP_MS)
            except BrokerError as exc:
                log.warning("%s: producer not rebuilt yet: %s", self.service, exc)
                return
            self._discard(old, timeout=0)

    def _discard(self, producer: KafkaProducer, *, timeout: float) -> None:
        """Close a client, aborting what it could not send within `timeout`."""
        try:
            producer.close(timeout=timeout)
        except KafkaError:
            # close() flushes first and gives up while sends are unresolved; abort them (their
            # callers' flush() fails and retries) so the client's thread ends now. That thread
            # aborts them on its way out: only then can close() find nothing pending.
            sender = producer._sender  # noqa: SLF001 - no public way to abort a client
            sender.force_close()
            sender.join(REBUILD_BOOTSTRAP_MS / 1000)
            try:
                producer.close(timeout=0)
            except KafkaError as exc:
                log.warning("%s: the Kafka producer did not close: %s", self.service, exc)

    def close(self, timeout: float = 10) -> None:
        """Close, giving unsent records `timeout` seconds (then they are dropped: their batch
        was never acknowledged, so its offsets were never committed)."""
        self._discard(self._producer, timeout=timeout)


@retry(
    retry=retry_if_exception_type(OSError),
    wait=wait_exponential(multiplier=0.05, max=1),
    stop=stop_after_delay(30),
    reraise=True,
)
def _reachable(bootstrap_servers: str) -> None:
    """Some bootstrap address accepts TCP (fast to retry, unlike a client's 30 s bootstrap)."""
    errors = []
    for address in bootstrap_servers.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=2).close()
            return
        except (OSError, ValueError) as exc:
            errors.append(f"{address}: {exc}")
    raise OSError("; ".join(errors))


def _admin(bootstrap_servers: str) -> KafkaAdminClient:
    try:
        _reachable(bootstrap_servers)
        return KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="vigie-admin")
    except (KafkaError, OSError) as exc:
        raise BrokerError(f"no Kafka broker answers at {bootstrap_servers}: {exc}") from exc


def wait_for_broker(bootstrap_servers: str) -> None:
    """Block until the broker answers a metadata request (30 s at most)."""
    _admin(bootstrap_servers).close()


def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    *,
    partitions: int,
    replication: int = 1,
    configs: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Create the topics that do not exist yet, each with its `configs` (e.g. retention.ms);
    existing ones are left as they are (their settings are the cluster operator's)."""
    admin = _admin(bootstrap_servers)
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        for name in missing:
            topic_configs = dict((configs or {}).get(name, {}))
            try:
                admin.create_topics(
                    [NewTopic(name, partitions, replication, topic_configs=topic_configs)]
                )
            except TopicAlreadyExistsError:
                pass  # another service created it meanwhile
        if missing:
            log.info("created topics %s (%d partitions)", ", ".join(missing), partitions)
    except KafkaError as exc:
        raise BrokerError(f"cannot create topics on {bootstrap_servers}: {exc}") from exc
    finally:
        admin.close()


@dataclass
class Backoff:
    """Exponential backoff with jitter for transient failures (capped at `cap` seconds)."""

    base: float = 0.2
    cap: float = 30.0
    attempt: int = field(default=0)

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * 2**self.attempt)
        self.attempt += 1
        return delay * random.uniform(0.5, 1.0)


def consume(
    topic: Topic[E],
    handler: BatchHandler[E],
    *,
    bootstrap_servers: str,
    group_id: str,
    producer: EventProducer,
    stop: threading.Event,
    poll_timeout_ms: int = 500,
    **consumer_config: object,
) -> None:
    """Run the consume-handle-commit loop until `stop` is set, then finish the batch and commit."""
    service = producer.service
    config = {**CONSUMER_DEFAULTS, **consumer_config}
    try:
        consumer = KafkaConsumer(
            topic.name,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=f"vigie-{service}",
            **config,
        )
    except KafkaError as exc:
        raise BrokerError(f"cannot subscribe to {topic.name}: {exc}") from exc
    log.info("%s consuming %s as group %s", service, topic.name, group_id)
    for status in ("ok", "dead_letter"):
        # Create the series at 0, so that rate() and increase() see the first dead letter.
        metrics.RECORDS_CONSUMED.labels(service, topic.name, status)
    backoff = Backoff()
    loop = f"{service}:{topic.name}"
    HEALTH.recovered(loop)
    try:
        while not stop.is_set():
            try:
                polled = consumer.poll(timeout_ms=poll_timeout_ms)
            except KafkaError as exc:
                # A broker restart or a network cut: wait and poll again; the consumer resumes
                # from its last committed offset, so nothing is skipped.
                delay = backoff.next_delay()
                metrics.KAFKA_ERRORS.labels(service, topic.name, "poll").inc()
                HEALTH.trouble(loop, f"broker: {exc}")
                log.warning("poll of %s failed, retrying in %.1fs: %s", topic.name, delay, exc)
                stop.wait(delay)
                continue
            backoff.attempt = 0
            records = [r for batch in polled.values() for r in batch]
            if records:
                _process(consumer, topic, handler, records, producer, stop, loop)
            HEALTH.recovered(loop)
            _report_lag(consumer, topic, service)
    finally:
        HEALTH.done(loop)
        consumer.close()


def _process(
    consumer: KafkaConsumer,
    topic: Topic[E],
    handler: BatchHandler[E],
    records: list[ConsumerRecord],
    producer: EventProducer,
    stop: threading.Event,
    loop: str,
) -> None:
    service = producer.service
    valid: list[Delivery[E]] = []
    poison: list[Rejection] = []
    for record in records:
        try:
            valid.append(Delivery(decode(topic.model, record.value), record))
        except SchemaError as exc:
            poison.append(Rejection(record, str(exc)))

    backoff = Backoff()
    while True:
        started = time.perf_counter()
        try:
            rejected = list(handler(valid) or []) if valid else []
            for rejection in poison + rejected:
                producer.dead_letter(rejection.record, rejection.reason, dlq=topic.dlq)
            producer.flush()
            break
        except TransientError as exc:
            if stop.is_set():
                log.warning("stopping with an unhandled batch (it will be replayed): %s", exc)
                return
            delay = backoff.next_delay()
            metrics.RETRIES.labels(service, topic.name).inc()
            HEALTH.trouble(loop, str(exc)[:200])
            log.warning("transient failure on %s, retrying in %.1fs: %s", topic.name, delay, exc)
            _pause_for(consumer, delay, loop)
        finally:
            metrics.HANDLER_SECONDS.labels(service, topic.name).observe(time.perf_counter() - started)

    rejected_offsets = {(r.record.topic, r.record.partition, r.record.offset) for r in poison + rejected}
    dead = len(rejected_offsets)
    metrics.RECORDS_CONSUMED.labels(service, topic.name, "ok").inc(len(records) - dead)
    if dead:
        metrics.RECORDS_CONSUMED.labels(service, topic.name, "dead_letter").inc(dead)
        log.warning("%d record(s) of %s dead-lettered", dead, topic.name)
    _commit(consumer, records, service, stop)


def _pause_for(consumer: KafkaConsumer, seconds: float, loop: str) -> None:
    """Wait while staying in the group: paused partitions return nothing but poll keeps us alive."""
    assigned = list(consumer.assignment())
    consumer.pause(*assigned)
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            HEALTH.beat(loop)  # waiting on purpose is alive
            unexpected = consumer.poll(timeout_ms=int(min(left, 1.0) * 1000))
            # Partitions assigned by a rebalance meanwhile are not paused: rewind what they
            # returned, so those records are read again after the retry instead of skipped.
            for tp, records in unexpected.items():
                consumer.seek(tp, records[0].offset)
    finally:
        consumer.resume(*[tp for tp in assigned if tp in consumer.assignment()])


def _commit(
    consumer: KafkaConsumer, records: list[ConsumerRecord], service: str, stop: threading.Event
) -> None:
    """Commit the batch's offsets, retrying Kafka errors with backoff for up to about a minute.

    Giving up is safe: the records are read again and the handlers are idempotent. What must not
    happen is the process dying on a connection error during a commit (one exit under
    `vigie up` stops everything).
    """
    offsets: dict[TopicPartition, OffsetAndMetadata] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        if tp not in offsets or offsets[tp].offset <= record.offset:
            offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
    topic = records[0].topic
    backoff = Backoff(cap=10.0)
    deadline = time.monotonic() + 60
    while True:
        try:
            consumer.commit(offsets)
            return
        except CommitFailedError as exc:
            # The group rebalanced while we worked: the new owner replays these records, and the
            # handlers are idempotent, so nothing is lost or doubled.
            log.warning("commit refused after a rebalance, records will be replayed: %s", exc)
            return
        except KafkaError as exc:
            metrics.KAFKA_ERRORS.labels(service, topic, "commit").inc()
            if stop.is_set() or time.monotonic() > deadline:
                log.warning("commit of %s failed, records will be replayed: %s", topic, exc)
                return
            delay = backoff.next_delay()
            log.warning("commit of %s failed, retrying in %.1fs: %s", topic, delay, exc)
            stop.wait(delay)


def _report_lag(consumer: KafkaConsumer, topic: Topic[E], service: str) -> None:
    """Lag from highwater() (end_offsets() is unreliable on the embedded broker)."""
    lag = 0
    for tp in consumer.assignment():
        high = consumer.highwater(tp)
        if high is not None:
            lag += max(0, high - consumer.position(tp))
    metrics.CONSUMER_LAG.labels(service, topic.name).set(lag)
