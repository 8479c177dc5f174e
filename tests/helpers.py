"""Test helpers importable from any test module: event factories, a topic reader, a brand
configuration with given alert settings, and the workflow service in a thread."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import yaml
from kafka import KafkaConsumer, TopicPartition

from events.brand import load_brand_config
from events.schemas import Author, CaseEvent, CaseEventType, Post, Source
from events.settings import BUNDLED_BRAND_CONFIG, Settings

_ids = itertools.count(1)


def make_post(text: str = "Bonjour @LaurentiaMobile", **overrides: Any) -> Post:
    """A valid post; override any field (author as a dict or an Author)."""
    n = next(_ids)
    fields: dict[str, Any] = {
        "platform": "x",
        "platform_post_id": f"{time.time_ns()}{n}",
        "url": None,
        "author": Author(id=f"u{n}", handle=f"user{n}", display_name=f"User {n}"),
        "source": Source.mention,
        "text": text,
        "lang": None,
        "created_at": datetime.now(UTC),
        "collected_by": "test",
    }
    fields.update(overrides)
    if isinstance(fields["author"], dict):
        fields["author"] = Author(**fields["author"])
    return Post(**fields)


def read_topic(bootstrap: str, topic: str, *, count: int, timeout: float = 30) -> list[Any]:
    """Read `count` records of a topic from the beginning (no group), or fail after `timeout`."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout
        partitions: set[int] | None = None
        # None (unknown) or empty (being created by the service under test): ask again.
        while not partitions and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                time.sleep(0.2)
        assert partitions, f"topic {topic} does not exist"
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[Any] = []
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        assert len(records) >= count, f"{topic}: {len(records)} records after {timeout}s, wanted {count}"
        return records
    finally:
        consumer.close()


def brand_with_alerts(folder: Path, alerts: dict[str, Any]) -> Path:
    """The bundled brand configuration with this `alerts` section, written in `folder`."""
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["alerts"] = alerts
    path = folder / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_brand_config(path)
    return path


def case_event(kind: CaseEventType, case_id: int, **fields: Any) -> CaseEvent:
    """A case event for a case, in thread x:thread-1 unless said."""
    return CaseEvent(**({"type": kind, "case_id": case_id, "thread_id": "x:thread-1"} | fields))


# Headless Chromium (the Debian package) as the browser tests drive it through Playwright.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def count(url: str, model: type) -> int:
    """Rows of a table in the workflow database at `url`."""
    from workflow.db import create_db_engine  # the workflow's stack only for tests that use it

    engine = create_db_engine(url)
    from sqlmodel import Session, func, select

    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(model)).one()
    finally:
        engine.dispose()


class WorkflowService:
    """The workflow service in a thread, stopped like SIGTERM does (stop event, finish the
    batch). Several in one test are replicas of one consumer group."""

    def __init__(self, settings: Settings) -> None:
        from workflow.service import run

        self.stop = threading.Event()
        self.thread = threading.Thread(target=run, args=(settings, self.stop), daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the service did not stop"
