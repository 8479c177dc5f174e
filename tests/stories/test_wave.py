"""A rumour wave through the real workflow and alerting services, on the real broker and both
databases: one story, one case, one alert, not 30 cases."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from helpers import make_post
from stories.rumour_wave import OTHERS, WAVE

from events.brand import load_brand_config
from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import (
    CaseEvent,
    CaseEventType,
    Evidence,
    Label,
    LabelVerdict,
    Severity,
    Verdict,
)
from events.settings import BUNDLED_BRAND_CONFIG, Settings
from workflow.alerts.channels import RetryPolicy
from workflow.alerts.service import run as run_alerts
from workflow.service import run as run_workflow

START = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def wait_for(condition: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)
    return value


def rumour(index: int, platform: str, conversation: str, lang: str, text: str) -> Verdict:
    evidence = [Evidence(kind="feature", detector="model", version="1", text="il paraît")]
    post = make_post(
        text,
        platform=platform,
        platform_post_id=f"w{index}",
        conversation_id=conversation,
        author={"id": f"a{index % 11}", "handle": f"voisin{index % 11}"},
        created_at=START + timedelta(minutes=3 * index),
        metrics={"likes": index % 4, "reposts": 1, "replies": 0, "quotes": 0},
    )
    label = LabelVerdict(label=Label.rumour, score=0.9, severity=Severity.high, evidence=evidence)
    return Verdict(post=post, lang=lang, labels=[label], model_version="t")


@pytest.fixture
def pipeline(settings: Settings, database_url: str, tmp_path: Path, receiver: Any) -> Iterator[Settings]:
    """The workflow and alerting services in threads, alerting a local Slack receiver."""
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["alerts"] = {
        "group_interval": "0.02m",
        "channels": [{"name": "comms", "type": "slack", "url_env": "T_SLACK",
                      "min_severity": "normal"}],
    }
    brand = tmp_path / "brand.yaml"
    brand.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_brand_config(brand)
    configured = settings.model_copy(
        update={"brand_config": brand, "database_url": database_url, "api_port": 8765}
    )
    prepare_topics(configured)
    stop = threading.Event()
    threads = [
        threading.Thread(target=run_workflow, args=(configured, stop), daemon=True),
        threading.Thread(
            target=run_alerts, args=(configured, stop),
            kwargs={"retry": RetryPolicy(attempts=3, initial=0.01, cap=0.1, timeout=5),
                    "environ": {"T_SLACK": receiver.url}},
            daemon=True,
        ),
    ]
    for thread in threads:
        thread.start()
    yield configured
    stop.set()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()


def test_a_rumour_wave_is_one_story_one_case_and_one_alert(
    pipeline: Settings, database_url: str, receiver: Any
) -> None:
    producer = EventProducer(pipeline.kafka_bootstrap_servers or "", service="test")
    posts = [rumour(i, *row) for i, row in enumerate(WAVE + OTHERS)]
    for verdict in posts:
        producer.send(pipeline.topics.verdicts, verdict)
    producer.flush()
    engine = sa.create_engine(database_url)

    def query(sql: str) -> list[Any]:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))

    def stored() -> int:
        try:
            return query("SELECT count(*) FROM posts")[0][0]
        except sa.exc.DBAPIError:  # the service has not created the schema yet
            return 0

    wait_for(lambda: stored() == len(posts))
    stories = query("SELECT id, volume, state, case_id, spread_at, reach, severity, history, "
                    "first_post_id, last_post_id FROM stories ORDER BY volume DESC")
    assert [s.volume for s in stories] == [30, 1, 1]
    wave = stories[0]
    assert wave.state == "spreading" and wave.spread_at is not None
    assert wave.severity == "critical"
    assert (wave.first_post_id, wave.last_post_id) == ("x:w0", "mastodon:w29")
    assert wave.reach == sum(v.post.metrics["likes"] + 1 for v in posts[:30])
    history = wave.history if isinstance(wave.history, list) else json.loads(wave.history)
    assert [h["state"] for h in history] == ["emerging", "spreading"]
    assert history[1]["volume"] >= 10  # the batch that crossed the configured spreading_at

    rumour_cases = query("SELECT id, severity FROM cases WHERE concern = 'rumour'")
    assert len(rumour_cases) == 3, rumour_cases  # the wave's one case, and one per other story
    assert (wave.case_id, "critical") in [tuple(c) for c in rumour_cases]
    outcomes = dict(query("SELECT outcome, count(*) FROM posts GROUP BY outcome"))
    assert outcomes == {"routed": 3, "story": 29}
    members = query(f"SELECT count(DISTINCT thread_id), count(DISTINCT platform), "
                    f"count(DISTINCT lang) FROM story_posts WHERE story_id = {wave.id}")[0]
    assert tuple(members) == (9, 2, 2)

    alerts = receiver.wait_for(1)
    assert f"/cases/{wave.case_id}" in alerts[0].body.decode()
    assert f"#{wave.id} · 30 publications / posts" in alerts[0].body.decode()
    # A sentinel on the same partition as the wave's case events, sent after all of them: once
    # it has alerted, the wave's events have all been judged.
    wait_for(lambda: query("SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0] == 0)
    thread = query(f"SELECT thread_id FROM cases WHERE id = {wave.case_id}")[0][0]
    producer.send(pipeline.topics.cases, CaseEvent(
        type=CaseEventType.opened, case_id=999_999, thread_id=thread,
        severity=Severity.critical, details={"teams": ["comms"]},
    ))
    producer.flush()
    producer.close()
    requests = receiver.wait_for(2)
    bodies = [r.body.decode() for r in requests]
    assert "/cases/999999" in bodies[-1]
    assert sum(f"/cases/{wave.case_id}|" in b for b in bodies) == 1, bodies
    engine.dispose()
