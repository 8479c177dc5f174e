"""The consume-handle-commit loop on the real embedded broker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import make_post, read_topic
from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord

from events.broker import EmbeddedBroker, free_port
from events.codec import header
from events.errors import TransientError
from events.kafka_io import Delivery, EventProducer, Rejection, consume, ensure_topics
from events.runtime import prepare_topics
from events.schemas import Post
from events.settings import Settings


def _run_until(settings: Settings, handler: Callable, done: Callable[[], bool], group: str) -> None:
    """Consume the posts topic in a thread until `done()` holds (or 30 s pass)."""
    stop = threading.Event()
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    worker = threading.Thread(
        target=consume,
        args=(settings.topics.posts, handler),
        kwargs=dict(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=group,
                    producer=producer, stop=stop, poll_timeout_ms=200),
    )
    worker.start()
    try:
        for _ in range(300):
            if done():
                break
            stop.wait(0.1)
    finally:
        stop.set()
        worker.join(30)
        producer.close()
    assert not worker.is_alive(), "the consumer did not stop after its batch"


def test_malformed_records_are_dead_lettered_and_the_stream_goes_on(settings: Settings) -> None:
    prepare_topics(settings)
    topic = settings.topics.posts
    raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    good = make_post("first")
    raw.send(topic.name, b"{not json", key=b"k")
    raw.send(topic.name, b'{"schema_version": 1, "platform": "x"}', key=b"k")
    raw.flush()
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    producer.send(topic, good)
    producer.send(topic, make_post("second"))
    producer.flush()

    seen: list[str] = []

    def handler(batch: list[Delivery[Post]]) -> None:
        seen.extend(d.event.text for d in batch)

    _run_until(settings, handler, lambda: len(seen) >= 2, settings.group("a"))
    assert sorted(seen) == ["first", "second"]
    dead = read_topic(settings.kafka_bootstrap_servers, topic.dlq, count=2)
    reasons = sorted(header(r.headers, "dlq-reason") for r in dead)
    assert any("invalid Post" in r and "Invalid JSON" in r for r in reasons), reasons
    assert any("author: Field required" in r for r in reasons), reasons
    assert {r.value for r in dead} == {b"{not json", b'{"schema_version": 1, "platform": "x"}'}
    assert all(header(r.headers, "dlq-topic") == topic.name for r in dead)


def test_handler_rejections_go_to_the_dead_letter_topic(settings: Settings) -> None:
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    producer.send(settings.topics.posts, make_post("keep"))
    producer.send(settings.topics.posts, make_post("refuse"))
    producer.flush()
    handled: list[str] = []

    def handler(batch: list[Delivery[Post]]) -> list[Rejection]:
        handled.extend(d.event.text for d in batch)
        return [Rejection(d.record, "refused by policy") for d in batch if d.event.text == "refuse"]

    _run_until(settings, handler, lambda: len(handled) >= 2, settings.group("b"))
    dead = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.dlq, count=1)
    assert header(dead[0].headers, "dlq-reason") == "refused by policy"
    assert header(dead[0].headers, "correlation-id"), "original headers are kept"


def test_transient_failures_are_retried_not_dead_lettered(settings: Settings) -> None:
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    producer.send(settings.topics.posts, make_post("flaky"))
    producer.flush()
    attempts: list[int] = []
    done: list[str] = []

    def handler(batch: list[Delivery[Post]]) -> None:
        attempts.append(len(batch))
        if len(attempts) < 3:
            raise TransientError("database is down")
        done.extend(d.event.text for d in batch)

    _run_until(settings, handler, lambda: bool(done), settings.group("c"))
    assert done == ["flaky"] and len(attempts) == 3


def test_committed_offsets_are_not_replayed_to_the_same_group(settings: Settings) -> None:
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    for i in range(5):
        producer.send(settings.topics.posts, make_post(f"post {i}"))
    producer.flush()
    first: list[str] = []
    _run_until(settings, lambda b: first.extend(d.event.text for d in b), lambda: len(first) >= 5,
               settings.group("d"))
    producer.send(settings.topics.posts, make_post("late"))
    producer.flush()
    second: list[str] = []
    _run_until(settings, lambda b: second.extend(d.event.text for d in b), lambda: bool(second),
               settings.group("d"))
    assert sorted(first) == [f"post {i}" for i in range(5)]
    assert second == ["late"]


def test_anything_a_consumer_can_receive_reaches_the_dead_letter_topic(settings: Settings) -> None:
    """A tombstone, a body that is no post and a record too large to copy: each is kept (a stub
    for the last) with its reason, and the good post after them is still handled."""
    prepare_topics(settings)
    topic = settings.topics.posts
    raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers,
                        max_request_size=4 * 1024 * 1024)
    partition = 0  # one partition, so the good post comes after the poison records
    raw.send(topic.name, value=None, key=b"tombstone", partition=partition)
    raw.send(topic.name, value=b"{}", key=b"k", partition=partition)
    raw.send(topic.name, value=b"x" * (1024 * 1024), key=b"big", partition=partition)
    raw.flush()
    seen: list[str] = []

    def handler(batch: list[Delivery[Post]]) -> None:
        seen.extend(d.event.text for d in batch)

    producer_for_flush = EventProducer(settings.kafka_bootstrap_servers, service="test")
    producer_for_flush.send(topic, make_post("after the poison"))
    producer_for_flush.flush()
    _run_until(settings, handler, lambda: bool(seen), settings.group("poison"))
    dead = read_topic(settings.kafka_bootstrap_servers, topic.dlq, count=3)
    by_key = {r.key: r for r in dead}
    assert "tombstone" in header(by_key[b"tombstone"].headers, "dlq-reason")
    assert "invalid Post" in header(by_key[b"k"].headers, "dlq-reason")
    big = by_key[b"big"]
    assert big.value == b"" and "too large" in header(big.headers, "dlq-stub")
    assert header(big.headers, "dlq-offset") is not None and header(big.headers, "dlq-reason")


def test_a_record_with_neither_key_nor_value_is_dead_lettered_as_a_stub(settings: Settings) -> None:
    """kafka-python cannot write such a record (another client can), so build it as a consumer
    would receive it, with a header whose value is null too."""
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    record = ConsumerRecord(
        topic=settings.topics.posts.name, partition=2, leader_epoch=-1, offset=41, timestamp=0,
        timestamp_type=0, key=None, value=None, headers=[("h", None)], checksum=None,
        serialized_key_size=-1, serialized_value_size=-1, serialized_header_size=-1,
    )
    producer.dead_letter(record, "empty record", dlq=settings.topics.posts.dlq)
    producer.flush()
    [dead] = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.dlq, count=1)
    assert dead.value == b"" and "neither key nor value" in header(dead.headers, "dlq-stub")
    assert header(dead.headers, "h") == "", "a null header value is kept, as empty"
    assert (header(dead.headers, "dlq-partition"), header(dead.headers, "dlq-offset")) == ("2", "41")


def test_a_send_the_broker_never_acknowledged_fails_the_flush_and_heals(tmp_path: Path) -> None:
    """Stop the broker with a send in flight: flush() must raise (so no offset is committed),
    and once a broker answers again on that address the same producer writes again."""
    port = free_port()
    broker = EmbeddedBroker(port=port, log_file=tmp_path / "tansu.log").start()
    try:
        producer = EventProducer(broker.bootstrap_servers, service="test",
                                 request_timeout_ms=1500, delivery_timeout_ms=3000,
                                 max_block_ms=3000)
        topics = Settings(kafka_bootstrap_servers=broker.bootstrap_servers, data_dir=tmp_path).topics
        ensure_topics(broker.bootstrap_servers, [topics.posts.name], partitions=1)
        producer.send(topics.posts, make_post("before"))
        producer.flush()
        broker.stop()
        with pytest.raises(TransientError):
            producer.send(topics.posts, make_post("lost?"))
            producer.flush(timeout=10)
        broker = EmbeddedBroker(port=port, log_file=tmp_path / "tansu.log").start()
        ensure_topics(broker.bootstrap_servers, [topics.posts.name], partitions=1)
        for _attempt in range(10):  # the rebuilt client may need a metadata round first
            try:
                producer.send(topics.posts, make_post("after"))
                producer.flush(timeout=10)
                break
            except TransientError:
                continue
        else:
            pytest.fail("the producer never wrote again after the broker came back")
        texts = [r.value for r in read_topic(broker.bootstrap_servers, topics.posts.name, count=1)]
        assert any(b'"after"' in v for v in texts)
        producer.close()
    finally:
        broker.stop()


def test_topics_are_created_with_the_brand_retention(settings: Settings) -> None:
    """Each topic is created with its retention.ms (the broker accepts the configuration:
    error code 0 for every topic). The embedded broker cannot describe topic configurations
    back, so what a cluster keeps is checked with its own tools (README, Privacy)."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        name = settings.topic_prefix + ".probe"
        answer = admin.create_topics([NewTopic(name, 1, 1, topic_configs={"retention.ms": "604800000"})])
        assert [t["error_code"] for t in answer["topics"]] == [0]
        prepare_topics(settings)
        assert set(settings.topics.all_names()) <= set(admin.list_topics())
    finally:
        admin.close()


def test_a_producer_whose_broker_vanished_mid_flush_fails_the_batch_without_crashing(
    tmp_path: Path,
) -> None:
    """Many sends in flight when the broker disappears: flush() reports a TransientError (the
    batch is retried), and rebuilding the client does not raise out of the old client's close()
    (it used to, killing the service with KafkaTimeoutError)."""
    broker = EmbeddedBroker(log_file=tmp_path / "tansu.log").start()
    topics = Settings(kafka_bootstrap_servers=broker.bootstrap_servers, data_dir=tmp_path).topics
    ensure_topics(broker.bootstrap_servers, [topics.posts.name], partitions=3)
    producer = EventProducer(broker.bootstrap_servers, service="test", request_timeout_ms=20000,
                             delivery_timeout_ms=40000, max_block_ms=3000)
    try:
        producer.send(topics.posts, make_post("before"))
        producer.flush()
        broker.stop()
        for i in range(300):
            producer.send(topics.posts, make_post(f"in flight {i}"))
        with pytest.raises(TransientError):
            producer.flush(timeout=1)
    finally:
        producer.close(timeout=0)
        broker.stop()
