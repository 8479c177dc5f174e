"""The whole pipeline as separate processes on the real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from helpers import read_topic
from processes import SAMPLE_STREAM, wait_until

from events.codec import header
from events.settings import Settings

pytestmark = pytest.mark.slow

POSTS = [
    {"text": "@LaurentiaAide still waiting for my refund after 3 weeks, worst support ever, "
             "nobody answers the phone", "handle": "angry_cust", "expect": ("complaint", "customer_care")},
    {"text": "Bonjour @LaurentiaMobile, je suis journaliste à La Presse et je prépare un article sur "
             "la panne d'hier. Pouvez-vous commenter? Demande d'entrevue.",
     "handle": "journaliste_x", "expect": ("press_inquiry", "pr")},
    {"text": "Client fâché au téléphone, voici son courriel marc.dube@example.com et son cell "
             "514-555-0142, quelqu'un peut le rappeler?",
     "handle": "priya_aide", "staff": "s-003", "expect": ("risky_disclosure", "legal")},
    {"text": "Merci @LaurentiaMobile, super service au magasin de Laval aujourd'hui!",
     "handle": "happy_cust", "expect": None},
]


def _replay_file(path: Path) -> Path:
    lines = []
    for i, post in enumerate(POSTS, 1):
        lines.append(json.dumps({
            "platform": "x", "platform_post_id": f"99{i}", "url": None,
            "author": {"id": f"a{i}", "handle": post["handle"], "display_name": post["handle"]},
            "source": "staff" if post.get("staff") else "mention",
            "staff_member_id": post.get("staff"), "text": post["text"], "lang": None,
            "created_at": "2026-11-16T15:00:00Z",
        }, ensure_ascii=False))
    lines.append('{"platform": "x", "text": 42}')  # malformed: line 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_replayed_posts_become_verdicts_and_routed_cases(
    services, settings: Settings, tmp_path: Path
) -> None:
    services.start("api")
    services.start("classify")
    services.start("workflow")
    services.wait_api()
    ingest = services.start("ingest", "--replay", str(_replay_file(tmp_path / "posts.jsonl")))
    assert ingest.wait(60) == 0, services.log("ingest")

    bootstrap = str(settings.kafka_bootstrap_servers)
    verdicts = read_topic(bootstrap, settings.topics.verdicts.name, count=len(POSTS), timeout=60)
    assert len({json.loads(r.value)["post"]["platform_post_id"] for r in verdicts}) == len(POSTS)
    dead = read_topic(bootstrap, settings.topics.posts.dlq, count=1)
    assert (header(dead[0].headers, "dlq-reason") or "").startswith("posts.jsonl:5: "), dead[0].headers
    assert header(dead[0].headers, "replay-line") == "5"

    token = services.token()
    expected = {p["handle"]: p["expect"] for p in POSTS}
    cases: dict[str, dict] = {}

    def routed() -> bool:
        page = httpx.get(f"{services.api}/api/cases", headers={"Authorization": f"Bearer {token}"},
                         params={"limit": 50}, timeout=10).json()
        cases.update({c["author_handle"]: c for c in page["items"]})
        return all(handle in cases for handle, want in expected.items() if want)

    wait_until(routed, 60, lambda: services.log("workflow"))
    for handle, want in expected.items():
        if want is None:
            assert handle not in cases, f"praise opened a case: {cases.get(handle)}"
            continue
        label, team = want
        case = cases[handle]
        assert label in case["labels"], case
        task = next(t for t in case["tasks"] if t["team"] == team)
        assert task["assignee"], case
        assert task["sla_due"], case
    assert cases["priya_aide"]["severity"] == "critical"


def test_sigkill_mid_stream_loses_no_post_and_duplicates_no_case(
    services, settings: Settings, database_url: str
) -> None:
    services.start("api")
    services.start("classify")
    services.start("workflow")
    services.wait_api()
    engine = sa.create_engine(database_url)

    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM posts")).scalar_one())

    ingest = services.start("ingest", "--replay", str(SAMPLE_STREAM), "--rate", "60")
    wait_until(lambda: stored() >= 40, 90, lambda: services.log("workflow"))
    services.kill("classify")
    services.start("classify")
    wait_until(lambda: stored() >= 120, 90, lambda: services.log("classify"))
    services.kill("workflow")
    services.start("workflow")
    assert ingest.wait(120) == 0, services.log("ingest")

    published = read_topic(str(settings.kafka_bootstrap_servers), settings.topics.posts.name,
                           count=1, timeout=10)
    published_ids = _all_post_ids(settings)
    assert published and len(published_ids) > 300
    wait_until(lambda: stored() >= len(published_ids), 180, lambda: services.log("workflow"))
    with engine.connect() as conn:
        ids = {row[0] for row in conn.execute(sa.text("SELECT id FROM posts"))}
        duplicates = conn.execute(sa.text(
            "SELECT thread_id, concern, count(*) FROM cases GROUP BY thread_id, concern "
            "HAVING count(*) > 1")).all()
        orphans = conn.execute(sa.text(
            "SELECT count(*) FROM posts WHERE outcome = 'case' AND case_id IS NULL")).scalar_one()
    engine.dispose()
    assert ids == published_ids, f"missing: {sorted(published_ids - ids)[:5]}"
    assert duplicates == [], duplicates
    assert orphans == 0


def _all_post_ids(settings: Settings) -> set[str]:
    """Every post id ingest published (the topic may hold each once; read until it stops growing)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        tps = [TopicPartition(settings.topics.posts.name, p)
               for p in consumer.partitions_for_topic(settings.topics.posts.name) or ()]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ids: set[str] = set()
        empty_polls = 0
        while empty_polls < 4:
            batch = consumer.poll(timeout_ms=500)
            empty_polls = 0 if batch else empty_polls + 1
            for records in batch.values():
                for record in records:
                    post = json.loads(record.value)
                    ids.add(f"{post['platform']}:{post['platform_post_id']}")
        return ids
    finally:
        consumer.close()
