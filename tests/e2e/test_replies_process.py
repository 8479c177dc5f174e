"""A reply from a high-risk case, as real processes (api, workflow, ingest) on the real broker and
both databases, to a local X server: it waits for a second person, then leaves exactly once even
with the workflow killed (SIGKILL) mid-send and its request published again, and with ingest
restarted and the request delivered once more; a send cut off by killing ingest is never resent
blindly."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from helpers import make_post, read_topic
from processes import Services, wait_until

from events.codec import decode
from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import Evidence, LabelVerdict, ReplyRequest, Verdict
from events.settings import Settings

sys.path.insert(0, str(Path(__file__).parents[1] / "ingest"))
from platform_servers import XServer  # noqa: E402

PASSWORD = "correct-horse-battery-e2e"


@pytest.fixture
def x_server() -> Iterator[XServer]:
    with XServer() as server:
        server.add_user("LaurentiaAide")
        yield server


def _leak(tweet: dict[str, Any]) -> Verdict:
    text = tweet["text"]
    return Verdict(
        post=make_post(
            text,
            platform="x",
            platform_post_id=tweet["id"],
            author={"id": tweet["author_id"], "handle": "bavard_qc"},
        ),
        lang="fr",
        labels=[
            LabelVerdict(
                label="risky_disclosure",
                score=0.93,
                severity="critical",
                evidence=[
                    Evidence(
                        kind="span",
                        detector="keywords",
                        version="1",
                        text=text[:12],
                        start=0,
                        end=12,
                    )
                ],
            )
        ],
        model_version="e2e",
    )


class Client:
    def __init__(self, services: Services) -> None:
        self.api = services.api
        self.tokens: dict[str, str] = {"admin": services.token()}

    def login(self, username: str) -> None:
        answer = httpx.post(
            f"{self.api}/api/auth/token",
            data={"username": username, "password": PASSWORD},
            timeout=10,
        )
        answer.raise_for_status()
        self.tokens[username] = answer.json()["access_token"]

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, f"{self.api}{path}", headers=headers, timeout=10, **kwargs)

    def replies(self, case_id: int) -> list[dict[str, Any]]:
        return list(self.call("sophie", "GET", f"/api/cases/{case_id}/replies").json()["replies"])


def test_a_reply_leaves_exactly_once_through_kills_and_restarts(
    services: Services, settings: Settings, database_url: str, x_server: XServer
) -> None:
    services.env |= {
        "VIGIE_X_API_BASE_URL": x_server.url,
        "VIGIE_X_USER_ACCESS_TOKEN": x_server.user_token,
        "VIGIE_REPLY_MAX_TRIES": "3",
    }
    services.start("api")
    services.wait_api()  # the API migrates the database first
    services.start("workflow")
    services.start("ingest")
    client = Client(services)
    for username, role, member in (("sophie", "agent", "sophie"), ("mathieu", "agent", "mathieu")):
        user = {
            "username": username,
            "password": PASSWORD,
            "role": role,
            "teams": ["legal"],
            "member_id": member,
        }
        client.call("admin", "POST", "/api/users", json=user).raise_for_status()
        client.login(username)

    tweet = x_server.add_tweet("bavard_qc", "le nouveau forfait sort le 3 mars, chut")
    prepare_topics(settings)
    producer = EventProducer(str(settings.kafka_bootstrap_servers), service="test")
    producer.send(settings.topics.verdicts, _leak(tweet))
    producer.flush()
    producer.close()
    found: list[int] = []

    def opened() -> bool:
        items = client.call("admin", "GET", "/api/cases").json()["items"]
        found[:] = [c["id"] for c in items]
        return bool(found)

    wait_until(opened, 60, lambda: services.log("workflow"))
    case_id = found[0]

    # Sophie writes; nothing leaves until Mathieu approves.
    made = client.call(
        "sophie",
        "POST",
        f"/api/cases/{case_id}/replies",
        json={"text": "Merci de retirer ce message, nous vous écrivons en privé."},
    )
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "pending_approval"
    reply_id = made.json()["id"]

    x_server.hold_writes = threading.Event()  # the tweet is made, X's answer is held
    approved = client.call(
        "mathieu",
        "POST",
        f"/api/cases/{case_id}/replies/decisions",
        json={"reply_id": reply_id, "decision": "approve"},
    )
    assert approved.status_code == 200, approved.text
    wait_until(lambda: len(x_server.created) == 1, 60, lambda: services.log("ingest"))

    # The workflow dies mid-send; its request is published again after the restart (as if it
    # had died before marking it published).
    services.kill("workflow")
    engine = sa.create_engine(database_url)
    with engine.begin() as db:
        db.execute(
            sa.text("UPDATE replies SET published_at = NULL WHERE id = :id"), {"id": reply_id}
        )
    services.start("workflow")
    x_server.hold_writes.set()
    x_server.hold_writes = None

    def sent() -> bool:
        return client.replies(case_id)[0]["state"] == "sent"

    wait_until(sent, 60, lambda: services.log("workflow") + services.log("ingest"))
    [reply] = client.replies(case_id)
    tweet_id = x_server.created[0]["id"]
    assert (reply["platform_post_id"], reply["url"]) == (
        tweet_id,
        f"https://x.com/i/web/status/{tweet_id}",
    )
    assert x_server.created[0]["referenced_tweets"] == [{"type": "replied_to", "id": tweet["id"]}]

    # Ingest restarts and the request is delivered once more: still one tweet.
    services.kill("ingest")
    bootstrap = str(settings.kafka_bootstrap_servers)
    requests = read_topic(bootstrap, settings.topics.replies.name, count=2)
    assert len({json.loads(r.value)["reply_id"] for r in requests}) == 1
    producer = EventProducer(bootstrap, service="test")
    producer.send(settings.topics.replies, decode(ReplyRequest, requests[0].value))
    producer.flush()
    producer.close()
    services.start("ingest")
    # Its outcome is published again (three times in all), from what ingest stored.
    outcomes = read_topic(bootstrap, settings.topics.reply_outcomes.name, count=3, timeout=60)
    assert {json.loads(r.value)["status"] for r in outcomes} == {"sent"}
    posts = [r for r in x_server.requests if r.method == "POST" and r.path == "/2/tweets"]
    assert len(x_server.created) == 1 and len(posts) == 1

    # A second reply: ingest is killed while X holds its answer. After the restart, X cannot
    # tell whether it went out: the reply is `unknown` for a person, not sent a second time.
    x_server.hold_writes = threading.Event()
    second = client.call(
        "sophie",
        "POST",
        f"/api/cases/{case_id}/replies",
        json={"text": "Nous vous écrivons en privé."},
    ).json()
    client.call(
        "mathieu",
        "POST",
        f"/api/cases/{case_id}/replies/decisions",
        json={"reply_id": second["id"], "decision": "approve"},
    ).raise_for_status()
    wait_until(lambda: len(x_server.created) == 2, 60, lambda: services.log("ingest"))
    services.kill("ingest")
    x_server.hold_writes.set()
    x_server.hold_writes = None
    services.start("ingest")

    def uncertain() -> bool:
        return client.replies(case_id)[1]["state"] == "unknown"

    wait_until(uncertain, 90, lambda: services.log("ingest") + services.log("workflow"))
    assert "X cannot tell" in client.replies(case_id)[1]["reason"]
    assert len(x_server.created) == 2
    audit = client.call("sophie", "GET", f"/api/cases/{case_id}").json()["audit"]
    actions = [a["action"] for a in audit]
    assert actions.count("reply_approve") == 2 and actions.count("reply_sent") == 1
    assert actions.count("reply_unknown") == 1
    engine.dispose()
