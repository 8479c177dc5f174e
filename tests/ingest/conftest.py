"""Fixtures of the ingest tests: post records, topic reading, pollers wired to the real broker."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # platform_servers, shared with benchmarks/

_numbers = itertools.count(1)


def make_record(
    text: str = "Bonjour @LaurentiaMobile, ma facture est erronée.", **overrides: Any
) -> dict[str, Any]:
    """A replay record in the bundled sample-stream format."""
    n = next(_numbers)
    record: dict[str, Any] = {
        "platform": "x",
        "platform_post_id": f"17{n:08d}",
        "url": f"https://x.com/client{n}/status/17{n:08d}",
        "author": {
            "id": f"9{n}",
            "handle": f"client{n}",
            "display_name": f"Client {n}",
            "description": None,
        },
        "source": "mention",
        "staff_member_id": None,
        "text": text,
        "lang": "fr",
        "created_at": "2025-03-04T14:05:00Z",
        "conversation_id": None,
        "reply_to_id": None,
        "media": [],
        "metrics": {"likes": 1, "reposts": 0, "replies": 0, "quotes": 0},
        "place": None,
    }
    record.update(overrides)
    return record


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    """Records as JSON lines; a str or bytes line is written as it is (to write broken lines)."""
    with path.open("wb") as handle:
        for line in lines:
            if isinstance(line, bytes):
                handle.write(line + b"\n")
            elif isinstance(line, str):
                handle.write(line.encode() + b"\n")
            else:
                handle.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
    return path


@pytest.fixture
def record_factory() -> Any:
    return make_record


def read_all(bootstrap: str, topic: str, *, timeout: float = 20) -> list[Any]:
    """Every record of a topic now (all acknowledged before): read up to the high-water marks."""
    import time

    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assert partitions, f"topic {topic} does not exist"
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            highs = {tp: consumer.highwater(tp) for tp in tps}
            if all(h is not None and consumer.position(tp) >= h for tp, h in highs.items()):
                return records
        raise AssertionError(f"{topic}: could not reach the high-water marks in {timeout}s")
    finally:
        consumer.close()


@pytest.fixture
def ingest_settings(settings: Any, tmp_path: Path) -> Any:
    """The test's settings plus fast polling and backoff (rate-limit waits stay real)."""
    from ingest.settings import IngestSettings

    return IngestSettings(
        **settings.model_dump(),
        poll_interval_seconds=0.2,
        max_backoff_seconds=2.0,
        ingest_database_url=f"sqlite:///{tmp_path / 'ingest.db'}",
    )


@pytest.fixture
def rig(ingest_settings: Any) -> Any:
    """make(source, ...) -> a Poller wired to the real broker, a store and a health record."""
    import threading

    from events.kafka_io import EventProducer
    from events.runtime import prepare_topics
    from ingest.health import SourceHealth
    from ingest.poller import Poller
    from ingest.publish import Publisher
    from ingest.roster import RosterWatcher
    from ingest.store import IngestStore

    prepare_topics(ingest_settings)
    opened: list[Any] = []

    def make(
        source: Any,
        *,
        database_url: str | None = None,
        brand_config: Path | None = None,
        stop: threading.Event | None = None,
        read_budget: Any = None,
    ) -> Poller:
        producer = EventProducer(ingest_settings.kafka_bootstrap_servers, service="ingest")
        store = IngestStore(database_url or ingest_settings.resolved_ingest_database_url)
        opened.extend([producer, store])
        roster = RosterWatcher(brand_config or ingest_settings.brand_config)
        health = SourceHealth(source.name, blind_after=3600, store=store)
        return Poller(
            source,
            store=store,
            publisher=Publisher(producer, ingest_settings.topics.posts, roster),
            health=health,
            stop=stop or threading.Event(),
            interval=0.2,
            backoff_base=0.05,
            max_backoff=1.0,
            read_budget=read_budget(store, roster) if read_budget else None,
        )

    yield make
    for thing in opened:
        thing.close()


def with_settings(settings: Any, **updates: Any) -> Any:
    """A validated copy of settings with some values changed (model_copy would not validate)."""
    return type(settings)(**{**settings.model_dump(), **updates})
