"""The rumour wave replayed through the whole pipeline as real processes (ingest replay ->
classify -> workflow -> alerts), on the real broker and both databases: every post the classifier
tags as a rumour joins one story, whose case alerts once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from helpers import read_topic
from processes import Services, wait_until
from stories.rumour_wave import OTHERS, WAVE

from events.kafka_io import EventProducer
from events.schemas import CaseEvent, CaseEventType, Severity
from events.settings import BUNDLED_BRAND_CONFIG, Settings

pytestmark = pytest.mark.slow


def _replay_file(path: Path) -> Path:
    lines = []
    for i, (platform, conversation, _, text) in enumerate(WAVE + OTHERS):
        lines.append(json.dumps({
            "platform": platform, "platform_post_id": f"w{i}", "url": None,
            "author": {"id": f"a{i % 11}", "handle": f"voisin{i % 11}"},
            "source": "mention", "text": text, "lang": None,
            "created_at": f"2026-11-20T14:{i:02d}:00Z", "conversation_id": conversation,
            "metrics": {"likes": i % 4, "reposts": 1},
        }, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _brand(path: Path) -> Path:
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["alerts"] = {"group_interval": "0.02m", "channels": [
        {"name": "comms", "type": "slack", "url_env": "T_SLACK", "min_severity": "normal"}]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_replayed_rumour_wave_is_one_story_and_one_alert(
    services: Services, settings: Settings, database_url: str, receiver: Any, tmp_path: Path
) -> None:
    services.env |= {"VIGIE_BRAND_CONFIG": str(_brand(tmp_path / "brand.yaml")),
                     "T_SLACK": receiver.url}
    for name in ("classify", "workflow", "alerts"):
        services.start(name)
    ingest = services.start("ingest", "--replay", str(_replay_file(tmp_path / "wave.jsonl")))
    assert ingest.wait(60) == 0, services.log("ingest")

    total = len(WAVE) + len(OTHERS)
    bootstrap = str(settings.kafka_bootstrap_servers)
    verdicts = [json.loads(r.value) for r in
                read_topic(bootstrap, settings.topics.verdicts.name, count=total, timeout=90)]
    tagged = {f"{v['post']['platform']}:{v['post']['platform_post_id']}" for v in verdicts
              if any(lv["label"] == "rumour" for lv in v["labels"])}
    wave_tagged = {p for p in tagged if int(p.split(":w")[1]) < len(WAVE)}
    assert len(wave_tagged) >= 10, "the classifier tags too few of the wave to spread"

    engine = sa.create_engine(database_url)

    def query(sql: str) -> list[Any]:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))

    def stored() -> int:
        try:
            return int(query("SELECT count(*) FROM posts")[0][0])
        except sa.exc.DBAPIError:
            return 0

    wait_until(lambda: stored() == total, 90, lambda: services.log("workflow"))
    (story,) = [s for s in query("SELECT id, volume, state, case_id FROM stories")
                if s.volume > 1]
    members = {r[0] for r in query(f"SELECT post_id FROM story_posts WHERE story_id = {story.id}")}
    assert members == wave_tagged  # every tagged post of the wave, and nothing else
    assert story.state == "spreading"
    ids = ", ".join(repr(p) for p in sorted(wave_tagged))
    rumour_cases = query("SELECT DISTINCT c.id FROM cases c JOIN posts p ON p.case_id = c.id "
                         f"WHERE p.id IN ({ids}) AND c.concern = 'rumour'")
    assert [c.id for c in rumour_cases] == [story.case_id]  # one case for the whole wave

    alerts = receiver.wait_for(1, timeout=60)
    assert f"/cases/{story.case_id}" in alerts[0].body.decode()
    wait_until(lambda: query("SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0] == 0, 60)
    thread = query(f"SELECT thread_id FROM cases WHERE id = {story.case_id}")[0][0]
    producer = EventProducer(bootstrap, service="test")
    producer.send(settings.topics.cases, CaseEvent(
        type=CaseEventType.opened, case_id=999_999, thread_id=thread,
        severity=Severity.critical, details={"teams": ["comms"]}))
    producer.flush()
    producer.close()
    wait_until(lambda: any("/cases/999999" in r.body.decode() for r in receiver.requests), 60)
    bodies = [r.body.decode() for r in receiver.requests]
    assert sum(f"/cases/{story.case_id}|" in b for b in bodies) == 1, bodies
    engine.dispose()
