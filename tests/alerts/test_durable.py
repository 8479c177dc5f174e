"""The alerts service as real processes on the real broker and both databases: a digest held
when the service is killed (SIGKILL) goes out after the restart, and two replicas in the same
consumer group send each alert exactly once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from helpers import brand_with_alerts, case_event
from kafka.partitioner.default import murmur2
from processes import Services, wait_until

from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import CaseEventType, Severity, utcnow
from events.settings import Settings
from workflow.db import create_db_engine

PARTITIONS = 3


@pytest.fixture
def services(
    settings: Settings, database_url: str, tmp_path: Path, receiver: Any
) -> Iterator[Services]:
    prepare_topics(settings)
    running = Services(settings, database_url, tmp_path)
    running.env["T_SLACK"] = receiver.url
    try:
        yield running
    finally:
        running.stop_all()


def configure(services: Services, tmp_path: Path, **alerts: Any) -> None:
    channel = {"name": "comms", "type": "slack", "url_env": "T_SLACK", "min_severity": "normal"}
    services.env["VIGIE_BRAND_CONFIG"] = str(
        brand_with_alerts(tmp_path, {"channels": [channel], **alerts})
    )


def send(settings: Settings, *events: Any) -> None:
    producer = EventProducer(settings.kafka_bootstrap_servers or "", service="test")
    for event in events:
        producer.send(settings.topics.cases, event)
    producer.flush()
    producer.close()


def breach(case_id: int) -> Any:
    details = {"milestone": "first_response", "due_at": utcnow().isoformat(), "rung": 1}
    return case_event(
        CaseEventType.sla_breached,
        case_id,
        task_id=case_id,
        team="customer_care",
        severity=Severity.normal,
        details=details,
    )


def cases_in(requests: list[Any]) -> list[int]:
    """The case numbers each received Slack message links to, one entry per mention."""
    text = " ".join(block["text"]["text"] for r in requests for block in r.json()["blocks"][1:])
    return [int(n) for n in re.findall(r"/cases/(\d+)\|", text)]


def test_a_digest_held_when_the_service_is_killed_goes_out_after_the_restart(
    services: Services, settings: Settings, tmp_path: Path, receiver: Any, database_url: str
) -> None:
    configure(services, tmp_path, group_interval="0.25m")
    services.start("alerts")
    send(settings, breach(1))
    receiver.wait_for(1, timeout=60)  # the group's first alert goes at once
    send(settings, breach(2), breach(3))  # follow-ups: held for the digest, 15 s later

    engine = create_db_engine(database_url)
    held = sa.text("SELECT count(*) FROM alert_queue WHERE held AND claimed_at IS NULL")
    try:
        wait_until(lambda: _scalar(engine, held) == 2, 60, lambda: services.log("alerts"))
        services.kill("alerts")
        assert cases_in(receiver.requests) == [1]
        services.start("alerts")
        digest = receiver.wait_for(2, timeout=90)[1]
        assert sorted(cases_in([digest])) == [2, 3]
        wait_until(lambda: _scalar(engine, sa.text("SELECT count(*) FROM alert_queue")) == 0, 30)
    finally:
        engine.dispose()
    assert sorted(cases_in(receiver.requests)) == [1, 2, 3]


def _scalar(engine: sa.Engine, query: sa.TextClause) -> Any:
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


def _thread_on(partition: int, name: str) -> str:
    """A thread id whose records land on this partition (Kafka's default partitioner)."""
    for n in range(1000):
        thread = f"x:{name}-{n}"
        if (murmur2(thread.encode()) & 0x7FFFFFFF) % PARTITIONS == partition:
            return thread
    raise AssertionError("no thread id found")


def critical_pair(case_id: int) -> list[Any]:
    """A critical case opened, and a critical post joining it, on two partitions: whichever
    replicas read them race for the same incident."""
    fields = {"severity": Severity.critical, "team": "comms"}
    return [
        case_event(
            CaseEventType.opened,
            case_id,
            thread_id=_thread_on(case_id % 3, f"a{case_id}"),
            **fields,
        ),
        case_event(
            CaseEventType.post_added,
            case_id,
            thread_id=_thread_on((case_id + 1) % 3, f"b{case_id}"),
            **fields,
        ),
    ]


def test_two_replicas_in_one_group_send_each_alert_once(
    services: Services, settings: Settings, tmp_path: Path, receiver: Any
) -> None:
    configure(services, tmp_path)
    services.start("alerts", instance="alerts-a")
    services.start("alerts", instance="alerts-b")

    # Waves of cases until both replicas have delivered some (both joined the group).
    case_id = 0
    for _ in range(30):
        wave = range(case_id + 1, case_id + 7)
        case_id = wave[-1]
        send(settings, *[e for n in wave for e in critical_pair(n)])
        receiver.wait_for(case_id, timeout=60)
        if all(" alert " in services.log(r) for r in ("alerts-a", "alerts-b")):
            break
    else:
        pytest.fail("one replica never delivered:\n" + services.log("alerts-b")[-2000:])

    # One last case per partition: once all three are in, every record before them was read.
    last = [case_id + 1 + p for p in range(PARTITIONS)]
    send(
        settings,
        *[
            case_event(
                CaseEventType.opened,
                n,
                thread_id=_thread_on(p, f"last{n}"),
                severity=Severity.critical,
                team="comms",
            )
            for p, n in enumerate(last)
        ],
    )
    wait_until(
        lambda: set(last) <= set(cases_in(receiver.requests)),
        60,
        lambda: services.log("alerts-a")[-2000:],
    )
    counts = Counter(cases_in(receiver.requests))
    assert sorted(counts) == list(range(1, last[-1] + 1))
    assert set(counts.values()) == {1}, f"sent more than once: {counts.most_common(3)}"
