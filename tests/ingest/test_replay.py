"""Replay of JSONL/CSV files into the real broker: every line a post, bad lines dead-lettered."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest
from conftest import make_record, write_jsonl
from helpers import read_topic

from events.codec import decode, header
from events.errors import ConfigError
from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import Post, Source
from ingest.publish import Publisher
from ingest.roster import RosterWatcher
from ingest.service import run
from ingest.sources.replay import ReplayResult, replay_file


def _posts(settings, count: int) -> list[Post]:
    records = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.name, count=count)
    return [decode(Post, r.value) for r in records]


def test_every_line_becomes_one_post_keyed_by_thread(settings, tmp_path: Path) -> None:
    records = [
        make_record(f"Message {i} pour @LaurentiaMobile", conversation_id="1700000000")
        for i in range(3)
    ]
    records += [make_record(f"Another one {i}", lang="en") for i in range(7)]
    run(settings, threading.Event(), replay=write_jsonl(tmp_path / "ten.jsonl", records))

    consumed = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.name, count=10)
    posts = [decode(Post, r.value) for r in consumed]
    assert sorted(p.platform_post_id for p in posts) == sorted(
        r["platform_post_id"] for r in records
    )
    for record, post in zip(consumed, posts, strict=True):
        assert record.key.decode() == post.thread_id
        assert header(record.headers, "schema-version") == "1"
        assert post.collected_by == "replay:ten.jsonl"
    threads = {p.thread_id for p in posts if p.conversation_id == "1700000000"}
    assert threads == {"x:1700000000"}


def test_bad_lines_go_to_the_dead_letter_topic_and_the_replay_goes_on(
    settings, tmp_path: Path
) -> None:
    good_before, good_after = make_record("avant"), make_record("après")
    no_author = make_record("sans auteur")
    del no_author["author"]
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            good_before,
            b'{"platform": "x", "text": "unterminated',
            no_author,
            b"\xff\xfe not utf-8",
            "",
            good_after,
        ],
    )
    run(settings, threading.Event(), replay=path)

    posts = _posts(settings, 2)
    assert [p.text for p in posts if p.text in {"avant", "après"}] and len(posts) == 2
    dead = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.dlq, count=3)
    by_line = {header(r.headers, "replay-line"): r for r in dead}
    assert set(by_line) == {"2", "3", "4"}
    assert by_line["2"].value == b'{"platform": "x", "text": "unterminated'
    assert header(by_line["2"].headers, "dlq-reason").startswith("mixed.jsonl:2: not JSON")
    assert "author" in header(by_line["3"].headers, "dlq-reason")
    assert header(by_line["3"].headers, "dlq-reason").startswith("mixed.jsonl:3:")
    assert by_line["4"].value == b"\xff\xfe not utf-8"
    assert "UTF-8" in header(by_line["4"].headers, "dlq-reason")
    assert header(by_line["4"].headers, "dlq-topic") == settings.topics.posts.name


def test_csv_rows_replay_with_dotted_author_columns(settings, tmp_path: Path) -> None:
    path = tmp_path / "backfill.csv"
    columns = [
        "platform",
        "platform_post_id",
        "author.id",
        "author.handle",
        "source",
        "text",
        "created_at",
        "media",
        "metrics",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerow(
            [
                "x",
                "501",
                "77",
                "lectrice",
                "mention",
                "Panne, encore?\nDepuis ce matin",
                "2025-01-02T03:04:05Z",
                json.dumps([{"type": "photo", "alt_text": "écran"}]),
                json.dumps({"likes": 4}),
            ]
        )
        writer.writerow(["x", "502", "78", "lecteur", "mention", "pas de date", "", "", ""])
    run(settings, threading.Event(), replay=path)

    [post] = _posts(settings, 1)
    assert post.author.handle == "lectrice" and post.text == "Panne, encore?\nDepuis ce matin"
    assert post.media[0].alt_text == "écran" and post.metrics == {"likes": 4}
    [dead] = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.dlq, count=1)
    assert header(dead.headers, "replay-line") == "4"  # the quoted newline makes row 1 two lines
    assert b"pas de date" in dead.value
    assert "created_at" in header(dead.headers, "dlq-reason")


def test_the_roster_decides_who_is_staff(settings, tmp_path: Path) -> None:
    """camtremblay_lm is on the example roster; ex_employe is not."""
    staff_as_mention = make_record(
        "Nouveau forfait dispo!", author={"id": "5", "handle": "CamTremblay_LM"}
    )
    outsider_as_staff = make_record(
        "Journée de travail",
        author={"id": "6", "handle": "ex_employe"},
        source="staff",
        staff_member_id="s-999",
    )
    customer = make_record("Merci @LaurentiaAide")
    run(
        settings,
        threading.Event(),
        replay=write_jsonl(
            tmp_path / "roster.jsonl", [staff_as_mention, outsider_as_staff, customer]
        ),
    )

    posts = {p.platform_post_id: p for p in _posts(settings, 2)}
    assert set(posts) == {staff_as_mention["platform_post_id"], customer["platform_post_id"]}
    staff = posts[staff_as_mention["platform_post_id"]]
    assert staff.source is Source.staff and staff.staff_member_id == "s-001"
    assert posts[customer["platform_post_id"]].source is Source.mention


def test_a_post_twice_in_the_file_is_produced_once(settings, tmp_path: Path) -> None:
    twice, other = make_record("doublon"), make_record("autre")
    result = _replay(settings, write_jsonl(tmp_path / "dup.jsonl", [twice, twice, other]))
    assert (result.lines, result.produced, result.skipped) == (3, 2, 1)
    assert sorted(p.text for p in _posts(settings, 2)) == ["autre", "doublon"]


def test_a_stopped_replay_produces_nothing(settings, tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    result = _replay(settings, write_jsonl(tmp_path / "none.jsonl", [make_record()]), stop=stop)
    assert (result.lines, result.produced) == (0, 0)


def test_an_unknown_file_type_is_a_clear_error(settings, tmp_path: Path) -> None:
    path = tmp_path / "posts.xml"
    path.write_text("<posts/>")
    with pytest.raises(ConfigError, match=r"posts.xml: cannot replay a .xml file"):
        run(settings, threading.Event(), replay=path)


def _replay(settings, path: Path, stop: threading.Event | None = None) -> ReplayResult:
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="ingest")
    try:
        publisher = Publisher(producer, settings.topics.posts, RosterWatcher(settings.brand_config))
        return replay_file(path, publisher=publisher, stop=stop or threading.Event())
    finally:
        producer.close()


def test_card_numbers_are_redacted_in_posts_and_dead_letters(settings, tmp_path: Path) -> None:
    card = "4539 1488 0343 6467"
    good = make_record(f"ma carte {card} a été débitée deux fois")
    bad = make_record(f"carte {card}")
    del bad["author"]
    run(settings, threading.Event(), replay=write_jsonl(tmp_path / "cards.jsonl", [good, bad]))

    (post,) = _posts(settings, 1)
    assert post.text == "ma carte •••• •••• •••• 6467 a été débitée deux fois"
    (dead,) = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.dlq, count=1)
    assert card not in dead.value.decode() and "•••• •••• •••• 6467" in dead.value.decode()
    assert card not in header(dead.headers, "dlq-reason")
