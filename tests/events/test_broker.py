"""The embedded broker with durable storage keeps acknowledged records across a kill -9."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from helpers import make_post, read_topic

from events.broker import EmbeddedBroker, free_port
from events.kafka_io import EventProducer, ensure_topics
from events.settings import Settings


def _kill(broker: EmbeddedBroker) -> None:
    """SIGKILL the broker and its store, as a crash or the OOM killer would."""
    for process in (broker._process, broker._store):  # noqa: SLF001 - the test plays the crash
        assert process is not None
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    broker._process = broker._store = None  # noqa: SLF001


def test_acknowledged_records_survive_a_kill_9_of_the_broker(tmp_path: Path) -> None:
    storage, port = tmp_path / "broker", free_port()
    topics = Settings(kafka_bootstrap_servers=f"127.0.0.1:{port}", data_dir=tmp_path).topics
    broker = EmbeddedBroker(port=port, storage_dir=storage, log_file=tmp_path / "b.log").start()
    try:
        ensure_topics(broker.bootstrap_servers, [topics.posts.name], partitions=2)
        producer = EventProducer(broker.bootstrap_servers, service="test")
        for i in range(100):
            producer.send(topics.posts, make_post(f"post {i}"))
        producer.flush()  # acknowledged: from here on they must survive
        producer.close()
        _kill(broker)
        assert oct(storage.stat().st_mode & 0o777) == "0o700"
        broker = EmbeddedBroker(port=port, storage_dir=storage, log_file=tmp_path / "b.log").start()
        records = read_topic(broker.bootstrap_servers, topics.posts.name, count=100)
        texts = sorted(r.value for r in records)
        assert len(texts) == 100 and all(b'"post ' in t for t in texts)
    finally:
        broker.stop()


def test_producers_writing_one_partition_at_once_lose_nothing(tmp_path: Path) -> None:
    """Three producers writing batches at once to the durable broker (as several services do to
    a dead-letter topic, or replicas to theirs): every flush succeeds at once (an idempotent
    producer met OutOfOrderSequenceNumber here, with no fault at all, then retried in a loop)
    and every acknowledged record is there once."""
    broker = EmbeddedBroker(storage_dir=tmp_path / "broker", log_file=tmp_path / "b.log").start()
    try:
        topics = Settings(kafka_bootstrap_servers=broker.bootstrap_servers, data_dir=tmp_path).topics
        ensure_topics(broker.bootstrap_servers, [topics.posts.name], partitions=3)
        failures: list[Exception] = []

        def write(service: str) -> None:
            producer = EventProducer(broker.bootstrap_servers, service=service)
            try:
                for batch in range(8):
                    for i in range(40):
                        producer.send(topics.posts, make_post(f"{service} {batch} {i}"))
                    producer.flush()
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                producer.close()

        threads = [threading.Thread(target=write, args=(s,)) for s in ("a", "b", "c")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert failures == []
        records = read_topic(broker.bootstrap_servers, topics.posts.name, count=960)
        assert len(records) == 960 and len({r.value for r in records}) == 960
    finally:
        broker.stop()
