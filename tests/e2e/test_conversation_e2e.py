"""A conversation on X, end to end: real processes (api, ingest, classify, workflow) on the real
broker and both databases, ingest polling a local X server and the workflow mailing a local SMTP
server.

In one thread: a customer's complaint, the brand account's reply (written on X, collected by
ingest's brand-replies feed), the customer's untagged follow-up, a journalist's question, and a
reply written from the case that leaves after a second person approves it. Every post reaches
the workflow the way production posts do: polled from X, classified by the bundled model.

Checked: one case with two tasks (customer care, spokespersons); every post on the case in
order, the reply sent from the case included once collected back; the brand's reply meets the
first response; the follow-up starts the next-response clock; an escalation step mails the
spokesperson holding the late press task; the reply reaches X exactly once although the
workflow is killed (SIGKILL) while X holds its answer and, after the restart, publishes the
request to ingest again (its `published_at` is cleared, as if it had died before recording it).
"""

from __future__ import annotations

import email
import json
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import yaml
from alerts.conftest import Mailbox, mailbox  # noqa: F401 - the local SMTP server
from helpers import read_topic
from processes import Services, wait_until

from events.settings import BUNDLED_BRAND_CONFIG, Settings

sys.path.insert(0, str(Path(__file__).parents[1] / "ingest"))
from platform_servers import XServer  # noqa: E402

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery-conv"
BRAND = "LaurentiaAide"  # the brand account whose user token writes on the X server
CUSTOMER = "jf_lavoie"
PRESS = {  # a late press question: its assignee is mailed within seconds
    "name": "press",
    "labels": ["press_inquiry"],
    "first_response": "1m",
    "resolution": "4h",
    "calendar": "always",
    "at_risk_ratio": 0.1,
    "escalation": ["notify_assignee"],
}


def _brand_file(path: Path, smtp_port: int) -> Path:
    """The bundled configuration on the X server's brand account, with members' e-mails going
    to the local SMTP server, a quick press deadline, and every agent's reply approved."""
    raw = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    raw["brand"]["accounts"] = {"x": [BRAND]}
    raw["brand"].pop("read_caps", None)
    for section in ("staff", "staff_policy", "highlights"):  # no mail but the escalation's
        raw.pop(section, None)
    for team in raw["teams"]:
        for member in team["members"]:
            member["email"] = f"{member['id']}@laurentia.example"
    raw["sla_policies"] = [PRESS] + [p for p in raw["sla_policies"] if p["name"] != "press"]
    raw["alerts"]["channels"] = [
        {
            "name": "people-email",
            "type": "email",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_starttls": False,
            "sender": "vigie@laurentia.example",
            "recipients": ["garde-comms@laurentia.example"],
            "kinds": ["critical"],
            "min_severity": "critical",
        }
    ]
    raw["alerts"]["people_email"] = "people-email"
    raw["replies"]["approval_roles"] = ["agent"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def x_server() -> Iterator[XServer]:
    with XServer() as server:
        server.limit = server.remaining = 1_000_000  # polling every second: no rate limit here
        server.add_user(BRAND)
        yield server


class Client:
    def __init__(self, services: Services) -> None:
        self.api = services.api
        self.tokens = {"admin": services.token()}

    def add_agent(self, username: str, team: str) -> None:
        user = {
            "username": username,
            "password": PASSWORD,
            "role": "agent",
            "teams": [team],
            "member_id": username,
        }
        self.call("admin", "POST", "/api/users", json=user).raise_for_status()
        answer = httpx.post(
            f"{self.api}/api/auth/token",
            data={"username": username, "password": PASSWORD},
            timeout=30,
        )
        answer.raise_for_status()
        self.tokens[username] = answer.json()["access_token"]

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, f"{self.api}{path}", headers=headers, timeout=30, **kwargs)

    def cases(self) -> list[dict[str, Any]]:
        return list(self.call("admin", "GET", "/api/cases", params={"limit": 50}).json()["items"])

    def case(self, case_id: int) -> dict[str, Any]:
        answer = self.call("admin", "GET", f"/api/cases/{case_id}")
        answer.raise_for_status()
        return dict(answer.json())


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _deadlines(case: dict[str, Any], team: str) -> dict[str, dict[str, Any]]:
    task = next(t for t in case["tasks"] if t["team"] == team)
    return {d["milestone"]: d for d in task["deadlines"]}


def _added_at(case: dict[str, Any], action: str, post_id: str) -> datetime:
    """When the workflow recorded `action` (post_added, brand_reply) for the post."""
    return next(
        _at(a["at"])
        for a in case["audit"]
        if a["action"] == action and a["after"].get("post_id") == post_id
    )


def test_a_conversation_on_x_is_one_case_answered_once_from_the_queue(
    services: Services,
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    x_server: XServer,
    mailbox: Mailbox,  # noqa: F811
) -> None:
    services.env |= {
        "VIGIE_BRAND_CONFIG": str(_brand_file(tmp_path / "brand.yaml", mailbox.port)),
        "VIGIE_X_API_BASE_URL": x_server.url,
        "VIGIE_X_BEARER_TOKEN": x_server.token,
        "VIGIE_X_USER_ACCESS_TOKEN": x_server.user_token,
        "VIGIE_POLL_INTERVAL_SECONDS": "1",
        "VIGIE_SLA_CLOCK_SECONDS": "1",
    }
    services.start("api")
    services.wait_api()  # the API migrates the database first
    for name in ("classify", "workflow", "ingest"):
        services.start(name)
    client = Client(services)
    client.add_agent("emilie", "customer_care")
    client.add_agent("priya", "customer_care")
    logs = lambda: "".join(services.log(n) for n in ("ingest", "classify", "workflow"))  # noqa: E731
    found: dict[str, Any] = {}

    def posts_on_case(count: int) -> bool:
        cases = client.cases()
        if not cases:
            return False
        found["case"] = client.case(cases[0]["id"])
        return len(found["case"]["posts"]) >= count

    def said(n: int, author: str, text: str, parent: dict[str, Any] | None) -> dict[str, Any]:
        """Post on X, in the thread, and wait until the post is on the case."""
        thread = {}
        if parent is not None:
            thread = {
                "conversation_id": parent["conversation_id"],
                "in_reply_to_user_id": parent["author_id"],
                "referenced_tweets": [{"type": "replied_to", "id": parent["id"]}],
            }
        tweet = x_server.add_tweet(author, text, **thread)
        wait_until(lambda: posts_on_case(n), 90, logs)
        return tweet

    # 1-4: the conversation, each post collected by ingest and classified.
    complaint = said(
        1,
        CUSTOMER,
        f"@{BRAND} facturé deux fois ce mois-ci et personne ne répond au téléphone, service pourri",
        None,
    )
    answer = said(
        2,
        BRAND,
        f"@{CUSTOMER} Désolés pour ce pépin! Écrivez-nous en privé avec votre numéro de dossier, "
        "on corrige ça.",
        complaint,
    )
    follow_up = said(3, CUSTOMER, f"@{BRAND} je vous ai envoyé mes détails en DM", answer)
    question = said(
        4,
        "journaliste_lp",
        f"@{CUSTOMER} @{BRAND} Je suis journaliste à La Presse et je prépare un article sur la "
        "double facturation. Pouvez-vous commenter? Demande d'entrevue.",
        follow_up,
    )
    wait_until(lambda: posts_on_case(4) and len(found["case"]["tasks"]) == 2, 60, logs)
    case = found["case"]
    case_id = case["id"]
    ids = [f"x:{t['id']}" for t in (complaint, answer, follow_up, question)]

    # One case, two tasks; the brand's reply met the first response, the follow-up (no label)
    # started the next-response clock.
    assert [c["id"] for c in client.cases()] == [case_id]
    assert {t["team"]: t["labels"] for t in case["tasks"]} == {
        "customer_care": ["complaint"],
        "pr": ["press_inquiry"],
    }
    posts = case["posts"]
    assert [(p["id"], p["source"]) for p in posts] == list(
        zip(ids, ["mention", "brand", "mention", "mention"], strict=True)
    )
    assert [p["labels"] for p in posts[1:3]] == [[], []]
    care = _deadlines(case, "customer_care")
    assert _at(care["first_response"]["met_at"]) == _added_at(case, "brand_reply", ids[1])
    assert _at(care["next_response"]["started_at"]) == _added_at(case, "post_added", ids[2])
    assert care["next_response"]["met_at"] is None
    assert _deadlines(case, "pr")["first_response"]["met_at"] is None

    # Nobody answers the journalist: the escalation step mails the press task's assignee.
    press = next(t for t in case["tasks"] if t["team"] == "pr")
    assert press["assignee"]
    address = f"{press['assignee']}@laurentia.example"

    def mailed() -> list[Any]:
        return [m for m in mailbox.messages if m.rcpt_tos == [address]]

    wait_until(mailed, 90, lambda: services.log("workflow"))
    body = email.message_from_bytes(mailed()[0].content).get_payload(decode=True).decode()
    assert f"Escalade / Escalation #{case_id}" in body and f"/cases/{case_id}" in body

    # 5: Émilie answers the follow-up; it leaves only once Priya approves. X makes the tweet but
    # holds its answer, and the workflow dies meanwhile.
    made = client.call(
        "emilie",
        "POST",
        f"/api/cases/{case_id}/replies",
        json={
            "post_id": ids[2],
            "text": f"@{CUSTOMER} Bien reçu, merci! Le remboursement part aujourd'hui.",
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "pending_approval"
    reply_id = made.json()["id"]
    x_server.hold_writes = threading.Event()
    approved = client.call(
        "priya",
        "POST",
        f"/api/cases/{case_id}/replies/decisions",
        json={"reply_id": reply_id, "decision": "approve"},
    )
    assert approved.status_code == 200, approved.text
    wait_until(lambda: len(x_server.created) == 1, 60, logs)
    services.kill("workflow")
    engine = sa.create_engine(database_url)
    with engine.begin() as db:  # as if it died before recording that it published the request
        db.execute(
            sa.text("UPDATE replies SET published_at = NULL WHERE id = :id"), {"id": reply_id}
        )
    engine.dispose()
    services.start("workflow")
    x_server.hold_writes.set()
    x_server.hold_writes = None

    def sent() -> bool:
        replies = client.call("emilie", "GET", f"/api/cases/{case_id}/replies").json()["replies"]
        return bool(replies[0]["state"] == "sent")

    wait_until(sent, 90, logs)
    requests = read_topic(
        str(settings.kafka_bootstrap_servers), settings.topics.replies.name, count=2
    )
    assert len({json.loads(r.value)["reply_id"] for r in requests}) == 1  # delivered twice
    # The reply comes back from X in the thread, as the brand's: the next response is met.
    wait_until(lambda: posts_on_case(5), 90, logs)
    case = found["case"]
    [tweet] = x_server.created
    writes = [r for r in x_server.requests if r.method == "POST" and r.path == "/2/tweets"]
    assert len(writes) == 1
    assert tweet["referenced_tweets"] == [{"type": "replied_to", "id": follow_up["id"]}]
    assert [(p["id"], p["source"]) for p in case["posts"]] == list(
        zip(
            [*ids, f"x:{tweet['id']}"],
            ["mention", "brand", "mention", "mention", "brand"],
            strict=True,
        )
    )
    care = _deadlines(case, "customer_care")
    assert _at(care["next_response"]["met_at"]) == _added_at(
        case, "brand_reply", f"x:{tweet['id']}"
    )
    actions = [(a["action"], a["actor"]) for a in case["audit"]]
    assert actions.count(("reply_reply", "emilie")) == 1
    assert actions.count(("reply_approve", "priya")) == 1
    assert [a for a, _ in actions].count("reply_sent") == 1
    assert [c["id"] for c in client.cases()] == [case_id]
    assert len(mailed()) == 1
