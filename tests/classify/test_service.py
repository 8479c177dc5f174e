"""The classify service on the real embedded broker: posts in, verdicts out, poison dead-lettered."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import make_post, read_topic
from kafka import KafkaProducer

from classify.service import run
from classify.settings import ClassifySettings
from events.codec import header
from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import Source, Verdict
from events.settings import Settings


@pytest.fixture
def service(
    settings: Settings, small_model, request: pytest.FixtureRequest
) -> Iterator[ClassifySettings]:  # type: ignore[no-untyped-def]
    """The service running in a thread with the small model (and a shadow model when asked)."""
    shadow: Path | None = small_model[0] if getattr(request, "param", False) else None
    own = ClassifySettings(
        **{**settings.model_dump(), "model_dir": small_model[0], "shadow_model_dir": shadow}
    )
    prepare_topics(own)
    stop = threading.Event()
    worker = threading.Thread(target=run, args=(own, stop), daemon=True)
    worker.start()
    yield own
    stop.set()
    worker.join(30)
    assert not worker.is_alive(), "the classify service did not stop"


def _verdicts(settings: Settings, count: int) -> list[Verdict]:
    records = read_topic(
        settings.kafka_bootstrap_servers, settings.topics.verdicts.name, count=count
    )
    return [Verdict.model_validate_json(r.value) for r in records]


def test_every_post_gets_a_verdict_and_poison_is_dead_lettered(service: ClassifySettings) -> None:
    posts = [
        make_post("Toujours pas reçu mon remboursement, service client nul", conversation_id="t1"),
        make_post("Bonne fin de semaine tout le monde!"),
        make_post(
            "Le cell de Julien c'est le 514-555-0199", source=Source.staff, staff_member_id="s-004"
        ),
    ]
    producer = EventProducer(service.kafka_bootstrap_servers, service="test")
    raw = KafkaProducer(bootstrap_servers=service.kafka_bootstrap_servers)
    raw.send(service.topics.posts.name, b'{"schema_version": 1, "text": "no author"}', key=b"k")
    raw.flush()
    for i, post in enumerate(posts):
        producer.send(service.topics.posts, post, correlation_id=f"corr-{i}")
    producer.flush()

    records = read_topic(service.kafka_bootstrap_servers, service.topics.verdicts.name, count=3)
    by_id = {Verdict.model_validate_json(r.value).post.post_id: r for r in records}
    assert set(by_id) == {p.post_id for p in posts}
    for i, post in enumerate(posts):
        record = by_id[post.post_id]
        assert header(record.headers, "correlation-id") == f"corr-{i}"
        assert record.key == post.thread_id.encode()
    verdicts = {p.post_id: Verdict.model_validate_json(by_id[p.post_id].value) for p in posts}
    assert "complaint" in [lv.label for lv in verdicts[posts[0].post_id].labels]
    assert verdicts[posts[1].post_id].labels == []  # unlabelled posts still get their verdict
    assert "risky_disclosure" in [lv.label for lv in verdicts[posts[2].post_id].labels]
    assert all(v.model_version == "test-1" and not v.shadow for v in verdicts.values())

    dead = read_topic(service.kafka_bootstrap_servers, service.topics.posts.dlq, count=1)
    assert "author: Field required" in (header(dead[0].headers, "dlq-reason") or "")
    producer.close()


@pytest.mark.parametrize("service", [True], indirect=True)
def test_a_shadow_model_adds_shadow_verdicts(service: ClassifySettings) -> None:
    producer = EventProducer(service.kafka_bootstrap_servers, service="test")
    post = make_post("Worst support ever, still waiting for my refund")
    producer.send(service.topics.posts, post)
    producer.flush()
    producer.close()
    verdicts = _verdicts(service, 2)
    assert sorted(v.shadow for v in verdicts) == [False, True]
    assert {v.post.post_id for v in verdicts} == {post.post_id}
    assert verdicts[0].labels == verdicts[1].labels  # the same model: full agreement
