"""Rumour stories in the workflow, on both databases: posts of one claim join one story (across
languages, platforms and threads) instead of opening cases; the threshold raises the story's
case once; people set a story's state through the API; two writers open one story."""

from __future__ import annotations

import threading
from typing import Any

from sqlmodel import Session, col, select

from events.schemas import utcnow
from workflow.intake import ingest_verdicts
from workflow.models import Case, OutboxEvent, PostRecord, Story, Task
from workflow.stories import desk

OUTAGE = [
    ("fr", "x", "a", "Il paraît que la panne à Gatineau c'était une cyberattaque, pas des travaux"),
    ("en", "mastodon", "b", "heard the Gatineau outage was a ransomware attack, not maintenance"),
    ("fr", "x", "c", "La panne de Gatineau serait un piratage selon un groupe Facebook"),
    ("en", "x", "d", "so the Laurentia outage in Gatineau was hackers? anyone confirm?"),
]
OTHER = ("fr", "x", "z", "On dit que Laurentia va faire faillite avant Noël")


def rumours(make_verdict: Any, rows: list[tuple[str, str, str, str]], start: int = 0) -> list:
    return [
        make_verdict(
            text, (("rumour", "high"),), lang=lang, platform=platform, conversation_id=thread,
            platform_post_id=f"p{start + i}", metrics={"likes": 2, "reposts": 1},
        )
        for i, (lang, platform, thread, text) in enumerate(rows)
    ]


def test_one_claim_in_two_languages_is_one_story_and_one_case(
    people: Any, make_verdict: Any
) -> None:
    people.feed(*rumours(make_verdict, [*OUTAGE, OTHER]))
    stories = people.as_("nadia", "GET", "/api/stories").json()
    assert sorted(s["volume"] for s in stories) == [1, 4]
    outage = next(s for s in stories if s["volume"] == 4)
    assert outage["languages"] == ["en", "fr"] and outage["platforms"] == ["mastodon", "x"]
    assert outage["reach"] == 4 * 3 and outage["state"] == "emerging"
    rumour_cases = [c for c in people.cases() if "rumour" in c["labels"]]
    assert len(rumour_cases) == 2
    assert outage["case_id"] in {c["id"] for c in rumour_cases}

    detail = people.as_("nadia", "GET", f"/api/stories/{outage['id']}").json()
    assert [p["post_id"] for p in detail["posts"]] == ["x:p0", "mastodon:p1", "x:p2", "x:p3"]
    assert all(p["shared"] for p in detail["posts"][1:])  # why each later post joined
    assert "=outage" in detail["terms"] and "=cyberattack" in detail["terms"]
    assert sum(p["posts"] for p in detail["volume_by_hour"]) == 4
    with Session(people.engine) as session:
        joined = session.exec(select(PostRecord).where(PostRecord.outcome == "story")).all()
    assert len(joined) == 3 and all(p.case_id is None for p in joined)
    assert joined[0].reason == f"joined rumour story #{outage['id']}"


def test_state_changes_need_a_story_team_agent_and_an_answer_link(
    people: Any, make_verdict: Any
) -> None:
    people.feed(*rumours(make_verdict, OUTAGE[:2]))
    (story,) = people.as_("admin", "GET", "/api/stories").json()
    path = f"/api/stories/{story['id']}/state"
    assert people.as_("nadia", "POST", path, json={"state": "debunked"}).status_code == 403
    assert people.as_("priya", "POST", path, json={"state": "debunked"}).status_code == 403
    people.add_user("camille", "agent", ["comms"], member_id="camille")
    refused = people.as_("camille", "POST", path, json={"state": "addressed"})
    assert refused.status_code == 422 and "answer_url" in refused.json()["detail"]
    bad = people.as_("camille", "POST", path,
                     json={"state": "addressed", "answer_url": "javascript:alert(1)"})
    assert bad.status_code == 422
    answer = "https://laurentia.example/nouvelles/panne-gatineau"
    done = people.as_("camille", "POST", path, json={"state": "addressed", "answer_url": answer})
    assert done.status_code == 200, done.text
    assert done.json()["answer_url"] == answer
    assert [(h["state"], h["actor"]) for h in done.json()["history"]] == [
        ("emerging", "system"), ("addressed", "camille")]
    assert people.as_("camille", "POST", path, json={"state": "closed"}).status_code == 200

    people.feed(*rumours(make_verdict, OUTAGE[2:3], start=10))  # same claim, story closed
    stories = people.as_("admin", "GET", "/api/stories").json()
    assert sorted((s["state"], s["volume"]) for s in stories) == [("closed", 2), ("emerging", 1)]
    assert people.as_("admin", "GET", "/api/stories/999").status_code == 404


def test_a_closed_case_lets_the_next_post_open_the_story_s_next_case(
    people: Any, make_verdict: Any
) -> None:
    people.feed(*rumours(make_verdict, OUTAGE[:1]))
    (story,) = people.as_("admin", "GET", "/api/stories").json()
    first_case = story["case_id"]
    done = people.act("admin", first_case, action="dismiss", reason="déjà traité")
    assert done.status_code == 200, done.text
    people.feed(*rumours(make_verdict, OUTAGE[1:3], start=10))
    (story,) = people.as_("admin", "GET", "/api/stories").json()
    assert story["volume"] == 3
    assert story["case_id"] not in (None, first_case)
    rumour_cases = [c for c in people.cases() if "rumour" in c["labels"]]
    assert len(rumour_cases) == 2  # the dismissed one, and the one the next post opened


def test_a_story_past_the_threshold_raises_its_case_once(
    engine: Any, book: Any, make_verdict: Any
) -> None:
    wave = [OUTAGE[i % 4] for i in range(12)]
    waves = rumours(make_verdict, [(lang, p, f"t{i}", text) for i, (lang, p, _, text) in enumerate(wave)])

    def feed(verdicts: list) -> None:
        with Session(engine) as session:
            ingest_verdicts(session, book, verdicts, now=utcnow())
            session.commit()

    def escalations() -> list[OutboxEvent]:
        with Session(engine) as session:
            return [e for e in session.exec(select(OutboxEvent)) if '"escalated"' in e.payload]

    feed(waves[:9])  # spreading_at is 10 in the bundled configuration
    assert escalations() == []
    feed(waves[9:10])
    feed(waves[10:])
    with Session(engine) as session:
        (story,) = session.exec(select(Story)).all()
        case = session.get(Case, story.case_id)
        task = session.exec(select(Task).where(col(Task.case_id) == story.case_id)).one()
        assert (story.volume, story.state, story.severity) == (12, "spreading", "critical")
        assert case is not None and case.severity == "critical" and task.severity == "critical"
        assert [h["state"] for h in story.history] == ["emerging", "spreading"]
        assert story.history[1]["volume"] == 10
        assert session.exec(select(Case)).all() == [case]  # twelve posts, one case
    (event,) = escalations()
    assert f'"story_id":{story.id}' in event.payload.replace(" ", "")


def test_two_writers_at_once_open_one_story(
    engine: Any, book: Any, make_verdict: Any, monkeypatch: Any
) -> None:
    """The second writer reads the open stories only once the first has committed its new one
    (without the lock it would read none and open a second story for the same claim)."""
    first, second = rumours(make_verdict, OUTAGE[:2])
    holder = Session(engine)
    ingest_verdicts(holder, book, [first], now=utcnow())  # a story opened, not yet committed
    read = threading.Event()
    reader = desk.claim_reader

    def noting(config: Any) -> Any:  # called right after the open stories are read
        if threading.current_thread().name == "replica-2":
            read.set()
        return reader(config)

    monkeypatch.setattr(desk, "claim_reader", noting)

    def other_replica() -> None:
        with Session(engine) as session:
            ingest_verdicts(session, book, [second], now=utcnow())
            session.commit()

    thread = threading.Thread(target=other_replica, name="replica-2")
    thread.start()
    read.wait(2)  # held back by the lock: the wait ends without it
    holder.commit()
    holder.close()
    thread.join(30)
    with Session(engine) as session:
        stories = session.exec(select(Story)).all()
    assert [s.volume for s in stories] == [2]


def test_erasing_an_author_takes_their_post_and_words_out_of_the_story(
    people: Any, make_verdict: Any
) -> None:
    verdicts = rumours(make_verdict, OUTAGE[:3])
    people.feed(*verdicts)
    (story,) = people.as_("admin", "GET", "/api/stories").json()
    assert story["claim"] == OUTAGE[0][3]
    handle = verdicts[0].post.author.handle
    erased = people.as_("admin", "POST", "/api/privacy/erasures", json={"author": f"x:{handle}"})
    assert erased.status_code == 200, erased.text
    detail = people.as_("admin", "GET", f"/api/stories/{story['id']}").json()
    assert OUTAGE[0][3] not in detail["claim"]
    assert [p["post_id"] for p in detail["posts"]] == ["mastodon:p1", "x:p2"]
    assert detail["first_post_id"] == "[erased]"
    assert detail["volume"] == 3  # the count stays; the person's post does not
