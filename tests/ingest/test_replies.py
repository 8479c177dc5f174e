"""Replies from cases, sent by ingest through the real client libraries to local X, Mastodon and
Bluesky servers, on the real broker: once per reply id however often it is delivered, retried
through an outage, never resent blindly after an interruption, refusals reported with reasons."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import read_all, with_settings
from platform_servers import BlueskyServer, MastodonServer, XServer

from events.codec import decode
from events.kafka_io import EventProducer, consume
from events.runtime import prepare_topics
from events.schemas import ReplyOutcome, ReplyRequest, utcnow
from ingest.replies import ReplyDesk, build_writers, record_key
from ingest.settings import IngestSettings
from ingest.store import IngestStore


@pytest.fixture
def x_server() -> Iterator[XServer]:
    with XServer() as server:
        server.add_user("LaurentiaAide")
        yield server


@pytest.fixture
def masto() -> Iterator[MastodonServer]:
    with MastodonServer() as server:
        yield server


@pytest.fixture
def sky() -> Iterator[BlueskyServer]:
    with BlueskyServer() as server:
        yield server


@pytest.fixture
def writing(
    ingest_settings: IngestSettings, x_server: XServer, masto: MastodonServer, sky: BlueskyServer
) -> IngestSettings:
    """The brand's write credentials on all three platforms."""
    prepare_topics(ingest_settings)
    return with_settings(
        ingest_settings,
        x_api_base_url=x_server.url,
        x_user_access_token=x_server.user_token,
        mastodon_api_base_url=masto.url,
        mastodon_access_token=masto.token,
        bluesky_base_url=sky.url,
        bluesky_handle=sky.handle,
        bluesky_app_password=sky.password,
    )


class Desk:
    """A ReplyDesk consuming vigie.replies in a thread, as `vigie ingest` runs it."""

    def __init__(self, settings: IngestSettings, *, max_tries: int = 5) -> None:
        self.settings = settings
        self.store = IngestStore(settings.resolved_ingest_database_url)
        self.producer = EventProducer(settings.kafka_bootstrap_servers, service="ingest")
        self.desk = ReplyDesk(
            build_writers(settings),
            self.store,
            self.producer,
            settings.topics.reply_outcomes,
            max_tries=max_tries,
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=consume,
            args=(settings.topics.replies, self.desk),
            kwargs={
                "bootstrap_servers": settings.kafka_bootstrap_servers,
                "group_id": settings.group("ingest-replies"),
                "producer": self.producer,
                "stop": self.stop,
            },
            daemon=True,
        )

    def __enter__(self) -> Desk:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        self.producer.close()
        self.store.close()


def request(
    platform: str, in_reply_to: str, text: str = "Bonjour, écrivez-nous en privé.", **extra: Any
) -> ReplyRequest:
    return ReplyRequest(
        reply_id=uuid.uuid4().hex,
        case_id=7,
        platform=platform,
        thread_id=f"{platform}:{in_reply_to}",
        in_reply_to=in_reply_to,
        text=text,
        lang="fr",
        requested_by="emilie",
        **extra,
    )


def publish(settings: IngestSettings, *requests: ReplyRequest) -> None:
    producer = EventProducer(settings.kafka_bootstrap_servers, service="workflow")
    for item in requests:
        producer.send(settings.topics.replies, item)
    producer.flush()
    producer.close()


def outcomes(settings: IngestSettings, count: int, timeout: float = 60) -> list[ReplyOutcome]:
    """Wait until the outcomes topic holds `count` records, then return them all."""
    import time

    deadline = time.monotonic() + timeout
    found: list[ReplyOutcome] = []
    while time.monotonic() < deadline:
        found = [
            decode(ReplyOutcome, r.value)
            for r in read_all(settings.kafka_bootstrap_servers, settings.topics.reply_outcomes.name)
        ]
        if len(found) >= count:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{len(found)} outcomes after {timeout}s, wanted {count}")


def test_an_x_reply_delivered_three_times_is_sent_once(writing, x_server) -> None:
    tweet = x_server.add_tweet("marie_lvl", "@LaurentiaAide ma facture est doublée")
    ask = request("x", tweet["id"])
    with Desk(writing):
        publish(writing, ask, ask, ask)
        sent = outcomes(writing, 3)
    assert len(x_server.created) == 1
    created = x_server.created[0]
    assert created["text"] == "Bonjour, écrivez-nous en privé."
    assert created["referenced_tweets"] == [{"type": "replied_to", "id": tweet["id"]}]
    assert {(o.reply_id, o.status, o.platform_post_id) for o in sent} == {
        (ask.reply_id, "sent", created["id"])
    }
    assert sent[0].url == f"https://x.com/i/web/status/{created['id']}"
    posts = [r for r in x_server.requests if r.method == "POST" and r.path == "/2/tweets"]
    assert [r.status for r in posts] == [201]


def test_x_hides_a_reply_in_the_brands_own_conversation(writing, x_server) -> None:
    root = x_server.add_tweet("LaurentiaAide", "Nouveau forfait dès lundi!")
    insult = x_server.add_tweet(
        "troll_qc", "@LaurentiaAide vous êtes des ***", conversation_id=root["id"]
    )
    elsewhere = x_server.add_tweet("troll_qc", "@LaurentiaAide encore moi")
    with Desk(writing):
        publish(
            writing,
            request("x", insult["id"], "", kind="hide"),
            request("x", elsewhere["id"], "", kind="hide"),
        )
        done = {o.platform_post_id or o.reason: o for o in outcomes(writing, 2)}
    assert x_server.hidden == {insult["id"]}
    assert done[insult["id"]].status == "sent"
    refused = next(o for o in done.values() if o.status == "failed")
    assert "not a reply in a conversation you started" in (refused.reason or "")


def test_a_refusal_is_reported_with_the_platforms_reason(writing, x_server) -> None:
    with Desk(writing):
        publish(writing, request("x", "1799999999999999999"))
        [outcome] = outcomes(writing, 1)
    assert outcome.status == "failed"
    assert "deleted or is not visible" in (outcome.reason or "")
    assert x_server.created == []


def test_an_outage_is_retried_and_the_reply_leaves_once(writing, x_server) -> None:
    tweet = x_server.add_tweet("marie_lvl", "@LaurentiaAide toujours en panne")
    x_server.fail_next(2, 503)
    with Desk(writing):
        publish(writing, request("x", tweet["id"]))
        [outcome] = outcomes(writing, 1)
    assert outcome.status == "sent"
    assert len(x_server.created) == 1
    statuses = [r.status for r in x_server.requests]
    assert statuses[:2] == [503, 503] and statuses.count(201) == 1


def test_an_outage_that_lasts_fails_the_reply_with_the_reason(writing, x_server) -> None:
    tweet = x_server.add_tweet("marie_lvl", "@LaurentiaAide toujours en panne")
    x_server.fail_next(10, 503)
    with Desk(writing, max_tries=2):
        publish(writing, request("x", tweet["id"]))
        [outcome] = outcomes(writing, 1)
    assert outcome.status == "failed"
    assert "stayed unavailable after 2 tries" in (outcome.reason or "")
    assert x_server.created == []


def test_mastodon_reply_carries_in_reply_to_and_an_idempotency_key(writing, masto) -> None:
    status = masto.add_status(
        "client@mastodon.example", "<p>@laurentia mon cell ne capte plus</p>", mention=True
    )
    ask = request("mastodon", status["id"], "@client Désolés! Écrivez-nous en privé.")
    with Desk(writing):
        publish(writing, ask, ask)
        sent = outcomes(writing, 2)
    [created] = masto.created
    assert created["in_reply_to_id"] == status["id"]
    assert created["content"] == "<p>@client Désolés! Écrivez-nous en privé.</p>"
    assert list(masto.idempotent) == [f"{ask.reply_id}-1"]
    assert {(o.status, o.platform_post_id, o.url) for o in sent} == {
        ("sent", created["id"], created["url"])
    }


def test_bluesky_reply_refers_to_its_parent_and_the_threads_root(writing, sky) -> None:
    root = sky.add_post("client.bsky.social", "Panne chez @laurentia.bsky.social?", mention=True)
    parent = sky.add_post(
        "voisin.bsky.social",
        "Pareil ici",
        reply={
            "root": {"uri": root["uri"], "cid": root["cid"]},
            "parent": {"uri": root["uri"], "cid": root["cid"]},
        },
    )
    ask = request(
        "bluesky", parent["uri"], "Nos équipes sont sur la panne, merci de votre patience."
    )
    with Desk(writing):
        publish(writing, ask)
        [outcome] = outcomes(writing, 1)
    [(rkey, created)] = sky.records.items()
    assert rkey == record_key(ask)
    reply = created["value"]["reply"]
    assert (reply["parent"]["uri"], reply["parent"]["cid"]) == (parent["uri"], parent["cid"])
    assert (reply["root"]["uri"], reply["root"]["cid"]) == (root["uri"], root["cid"])
    assert created["value"]["text"] == "Nos équipes sont sur la panne, merci de votre patience."
    assert outcome.status == "sent" and outcome.platform_post_id == created["uri"]
    assert outcome.url == f"https://bsky.app/profile/{sky.handle}/post/{rkey}"


def _interrupted(settings: IngestSettings, ask: ReplyRequest, *, went_out: bool) -> None:
    """What a kill -9 mid-send leaves: the claim `sending`, and the post made or not."""
    store = IngestStore(settings.resolved_ingest_database_url)
    assert store.claim_reply(ask.reply_id, ask.attempt, ask.platform).action == "send"
    if went_out:
        build_writers(settings)[ask.platform].send(ask)
    store.close()


def test_after_an_interruption_bluesky_is_asked_before_sending_again(writing, sky) -> None:
    post = sky.add_post("client.bsky.social", "@laurentia.bsky.social allo?", mention=True)
    made, lost = request("bluesky", post["uri"], "Oui?"), request("bluesky", post["uri"], "Bonjour")
    _interrupted(writing, made, went_out=True)
    _interrupted(writing, lost, went_out=False)
    with Desk(writing):
        publish(writing, made, lost)
        done = {o.reply_id: o for o in outcomes(writing, 2)}
    assert sorted(r["value"]["text"] for r in sky.records.values()) == ["Bonjour", "Oui?"]
    creates = [r for r in sky.requests if r.path.endswith("createRecord")]
    assert len(creates) == 2  # one before the interruption, one for the reply that never left
    assert done[made.reply_id].status == done[lost.reply_id].status == "sent"


def test_after_an_interruption_mastodon_gets_the_same_idempotency_key(writing, masto) -> None:
    status = masto.add_status("client@mastodon.example", "<p>@laurentia allo</p>", mention=True)
    ask = request("mastodon", status["id"], "@client Bonjour!")
    _interrupted(writing, ask, went_out=True)
    with Desk(writing):
        publish(writing, ask)
        [outcome] = outcomes(writing, 1)
    assert len(masto.created) == 1
    assert outcome.status == "sent" and outcome.platform_post_id == masto.created[0]["id"]


def test_after_an_interruption_x_is_not_resent_but_left_to_a_person(writing, x_server) -> None:
    tweet = x_server.add_tweet("marie_lvl", "@LaurentiaAide allo")
    ask = request("x", tweet["id"], "Bonjour!")
    _interrupted(writing, ask, went_out=True)
    with Desk(writing):
        publish(writing, ask)
        [outcome] = outcomes(writing, 1)
        assert outcome.status == "unknown"
        assert "X cannot tell" in (outcome.reason or "")
        assert len(x_server.created) == 1
        # A person looked, found nothing, and sent it again: a new attempt leaves once.
        again = ask.model_copy(update={"attempt": 2, "at": ask.at + timedelta(seconds=1)})
        publish(writing, again, again)
        later = outcomes(writing, 3)
    assert len(x_server.created) == 2
    assert [o.status for o in later if o.attempt == 2] == ["sent", "sent"]


def test_a_platform_without_credentials_fails_with_the_reason(
    ingest_settings: IngestSettings,
) -> None:
    prepare_topics(ingest_settings)
    with Desk(with_settings(ingest_settings, x_user_access_token="u-123")):
        publish(ingest_settings, request("mastodon", "1100"))
        [outcome] = outcomes(ingest_settings, 1)
    assert outcome.status == "failed"
    assert "no credentials to write on mastodon" in (outcome.reason or "")
    assert outcome.at <= utcnow()
