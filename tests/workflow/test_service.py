"""The workflow service on the real embedded broker and both databases."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import WorkflowService as Service
from helpers import count, read_topic, wait_for
from kafka import KafkaProducer
from prometheus_client import REGISTRY
from sqlmodel import Session, select

from events.codec import decode, header
from events.errors import TransientError
from events.kafka_io import Delivery, EventProducer
from events.runtime import prepare_topics
from events.schemas import CaseEvent
from events.settings import Settings
from workflow.book import PolicyBook
from workflow.db import create_db_engine, init_db
from workflow.models import Case, PostRecord, ShadowVerdict, Task
from workflow.service import VerdictHandler


def duplicates() -> float:
    return (
        REGISTRY.get_sample_value("vigie_workflow_verdicts_total", {"outcome": "duplicate"}) or 0.0
    )


def test_verdicts_become_cases_and_events_and_a_replay_adds_nothing(
    settings: Settings, database_url: str, make_verdict: Any
) -> None:
    settings = settings.model_copy(update={"database_url": database_url})
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    verdicts = [
        make_verdict(
            "Toujours pas reçu ma commande", (("complaint", "normal"),), conversation_id="a"
        ),
        make_verdict("Et toujours rien ce matin", (("complaint", "normal"),), conversation_id="a"),
        make_verdict("Journaliste au Devoir: pouvez-vous commenter?", (("press_inquiry", "high"),)),
        make_verdict("@LaurentiaMobile vous ouvrez à quelle heure?"),
        make_verdict("Belle journée"),
        make_verdict("Service nul", (("complaint", "normal"),), shadow=True),
    ]
    for verdict in verdicts:
        producer.send(settings.topics.verdicts, verdict)
    raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    raw.send(settings.topics.verdicts.name, b'{"schema_version": 1, "lang": "fr"}', key=b"k")
    raw.flush()
    producer.flush()

    url = settings.resolved_database_url
    init_db(url).dispose()  # so the test can count rows before the service is up
    with Service(settings):
        wait_for(lambda: count(url, PostRecord) == 5 and count(url, ShadowVerdict) == 1)
        # opened x3 (complaint thread, press, triage), post_added x1, assigned x3
        events = [
            decode(CaseEvent, r.value)
            for r in read_topic(
                settings.kafka_bootstrap_servers, settings.topics.cases.name, count=7
            )
        ]
    assert sorted(e.type.value for e in events) == sorted(
        ["opened"] * 3 + ["assigned"] * 3 + ["post_added"]
    )
    assert {e.team for e in events if e.type.value == "assigned"} == {
        "customer_care",
        "pr",
        "triage",
    }
    assert (count(url, Case), count(url, Task)) == (3, 3)
    (dead,) = read_topic(settings.kafka_bootstrap_servers, settings.topics.verdicts.dlq, count=1)
    assert "post: Field required" in (header(dead.headers, "dlq-reason") or "")

    # A crash between the database commit and the offset commit replays the batch: here a new
    # consumer group reads every verdict again from the start.
    before = duplicates()
    replay = settings.model_copy(update={"group_prefix": settings.group_prefix + "r"})
    with Service(replay):
        wait_for(lambda: duplicates() - before >= 5)
    assert (count(url, PostRecord), count(url, Case), count(url, Task)) == (5, 3, 3)
    producer.close()


def test_database_outage_is_transient(brand: Any, make_verdict: Any) -> None:
    engine = create_db_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
    handler = VerdictHandler(engine, PolicyBook(brand))
    with pytest.raises(TransientError, match="database unavailable"):
        handler([Delivery(make_verdict("Service nul", (("complaint", "normal"),)), record=None)])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_verdict_the_database_refuses_is_dead_lettered_alone(
    database_url: str, engine: Any, brand: Any, make_verdict: Any
) -> None:
    handler = VerdictHandler(engine, PolicyBook(brand))
    good = Delivery(make_verdict("Service nul", (("complaint", "normal"),)), record="good")
    # The schema refuses NUL now; model_copy skips validation, as a record from a producer with
    # older rules would: the database still refuses it, and only it.
    valid = make_verdict("octet nul ici", (("complaint", "normal"),))
    nul = valid.model_copy(update={"post": valid.post.model_copy(update={"text": "octet nul \x00 ici"})})
    bad = Delivery(nul, record="bad")
    rejections = handler([good, bad])
    assert [r.record for r in rejections] == ["bad"]
    assert "cannot store this verdict" in rejections[0].reason
    assert count(database_url, PostRecord) == 1


def test_the_service_purges_expired_records_on_its_schedule(
    settings: Settings, database_url: str, make_verdict: Any
) -> None:
    """Posts that opened no case go after `retention.unrouted_posts` (30 days in the bundled
    configuration): the service's first purge, at start, removes an old one and keeps a new one."""
    from datetime import timedelta

    from events.schemas import utcnow
    from workflow.intake_posts import insert_shadows, post_record

    settings = settings.model_copy(update={"database_url": database_url})
    engine = init_db(database_url)
    old, new = make_verdict("vieux message"), make_verdict("message récent")
    with Session(engine) as session:
        for verdict, age in ((old, 40), (new, 1)):
            row = post_record(verdict, outcome="recorded", now=utcnow() - timedelta(days=age))
            session.add(PostRecord(**row))
        insert_shadows(session, [old.model_copy(update={"classified_at": utcnow() - timedelta(days=31)})])
        session.commit()
    engine.dispose()
    with Service(settings):
        wait_for(lambda: count(database_url, PostRecord) == 1 and count(database_url, ShadowVerdict) == 0)
    engine = create_db_engine(database_url)
    with Session(engine) as session:
        assert [p.id for p in session.exec(select(PostRecord))] == [new.post.post_id]
    engine.dispose()
