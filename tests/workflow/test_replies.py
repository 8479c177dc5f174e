"""Answering from a case through the API, on both databases and the real broker: templates
filled for the case, replies queued or held for a second person's approval, the outbox that
hands them to ingest once, and ingest's outcomes written back (sent with id and link, failed)."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import read_topic
from sqlmodel import Session, select

from events.codec import decode
from events.kafka_io import Delivery, EventProducer
from events.runtime import prepare_topics
from events.schemas import ReplyOutcome, ReplyRequest
from events.settings import Settings
from workflow.book import PolicyBook
from workflow.models import AuditEntry, CaseReply
from workflow.outbox import ReplyRelay
from workflow.principal import Principal
from workflow.replies import needs_approval
from workflow.reply_service import OutcomeHandler


def _case(people: Any, make_verdict: Any, text: str, label: str, severity: str, **post: Any) -> int:
    people.feed(make_verdict(text, ((label, severity),), **post))
    return next(c["id"] for c in people.cases("admin") if c["summary"].startswith(text[:20]))


@pytest.fixture
def complaint(people: Any, make_verdict: Any) -> int:
    return _case(
        people,
        make_verdict,
        "@LaurentiaAide facture doublée encore ce mois-ci",
        "complaint",
        "normal",
        author={"id": "a9", "handle": "marie_lvl"},
    )


@pytest.fixture
def leak(people: Any, make_verdict: Any) -> int:
    return _case(
        people,
        make_verdict,
        "le nouveau forfait sort le 3 mars, ne le dites à personne",
        "risky_disclosure",
        "critical",
        author={"id": "a8", "handle": "bavard_qc"},
    )


def _reply(people: Any, who: str, case_id: int, **body: Any) -> Any:
    return people.as_(who, "POST", f"/api/cases/{case_id}/replies", json=body)


def _decide(people: Any, who: str, case_id: int, reply_id: int, decision: str, **extra: Any) -> Any:
    body = {"reply_id": reply_id, "decision": decision, **extra}
    return people.as_(who, "POST", f"/api/cases/{case_id}/replies/decisions", json=body)


def _relay(people: Any, settings: Settings) -> ReplyRelay:
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="workflow")
    return ReplyRelay(people.engine, producer, settings.topics.replies)


def test_templates_are_filled_for_the_case_and_the_sender(people: Any, complaint: int) -> None:
    listed = people.as_("priya", "GET", f"/api/cases/{complaint}/replies").json()
    by_key = {(t["name"], t["lang"]): t["text"] for t in listed["templates"]}
    assert {t["label"] for t in listed["templates"]} == {"complaint", "triage"}
    fr = by_key[("private-message", "fr")]
    assert fr.startswith("Bonjour @marie_lvl, désolés")
    assert f"numéro de dossier {complaint}" in fr and fr.endswith("Priya, Laurentia Mobile")
    assert by_key[("private-message", "en")].startswith("Hi @marie_lvl, sorry")
    assert all(len(text) <= listed["max_chars"] == 280 for text in by_key.values())
    assert (
        listed["approval_required"] is False and listed["hide"] is None and listed["replies"] == []
    )


def test_a_reply_leaves_once_and_comes_back_sent_with_its_link(
    people: Any, complaint: int, settings: Settings
) -> None:
    made = _reply(
        people,
        "priya",
        complaint,
        text="Bonjour @marie_lvl, écrivez-nous en privé.",
        lang="fr",
        template="private-message",
    )
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "queued" and made.json()["approval_required"] is False
    relay = _relay(people, settings)
    assert relay.publish_pending() == 1
    assert relay.publish_pending() == 0  # published once; ingest keys its send on the reply id
    [record] = read_topic(settings.kafka_bootstrap_servers, settings.topics.replies.name, count=1)
    sent = decode(ReplyRequest, record.value)
    post_id = people.as_("priya", "GET", f"/api/cases/{complaint}").json()["posts"][0]["id"]
    assert (sent.platform, sent.in_reply_to, sent.text, sent.kind) == (
        "x",
        post_id.split(":", 1)[1],
        "Bonjour @marie_lvl, écrivez-nous en privé.",
        "reply",
    )

    outcome = ReplyOutcome(
        reply_id=sent.reply_id,
        case_id=complaint,
        status="sent",
        platform_post_id="1899",
        url="https://x.com/i/web/status/1899",
    )
    handler = OutcomeHandler(people.engine)
    handler([Delivery(outcome, None)] * 2)  # delivered twice: applied once
    [reply] = people.as_("priya", "GET", f"/api/cases/{complaint}/replies").json()["replies"]
    assert (reply["state"], reply["platform_post_id"], reply["url"]) == (
        "sent",
        "1899",
        "https://x.com/i/web/status/1899",
    )
    audit = [
        a["action"] for a in people.as_("priya", "GET", f"/api/cases/{complaint}").json()["audit"]
    ]
    assert audit.count("reply_reply") == 1 and audit.count("reply_sent") == 1
    relay.producer.close()


def test_a_high_risk_reply_waits_for_a_second_person(
    people: Any, leak: int, settings: Settings
) -> None:
    assert people.as_("sophie", "GET", f"/api/cases/{leak}/replies").json()["approval_required"]
    made = _reply(people, "sophie", leak, text="Merci de retirer ce message.")
    assert made.json()["state"] == "pending_approval"
    relay = _relay(people, settings)
    assert relay.publish_pending() == 0  # nothing leaves before the approval
    own = _decide(people, "sophie", leak, made.json()["id"], "approve")
    assert own.status_code == 422 and "second person" in own.json()["detail"]
    copy = _reply(people, "olivier", leak, text="Sécurité ici")  # security is only in copy
    assert copy.status_code in (403, 404)
    unreasoned = _decide(people, "legalead", leak, made.json()["id"], "reject")
    assert unreasoned.status_code == 422 and "reason" in unreasoned.json()["detail"]
    approved = _decide(people, "legalead", leak, made.json()["id"], "approve")
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("queued", "legalead")
    assert relay.publish_pending() == 1
    again = _decide(people, "legalead", leak, made.json()["id"], "approve")
    assert again.status_code == 422
    relay.producer.close()


def test_a_rejected_reply_never_leaves(people: Any, leak: int, settings: Settings) -> None:
    made = _reply(people, "sophie", leak, text="Oups, c'est confidentiel!")
    rejected = _decide(
        people, "legalead", leak, made.json()["id"], "reject", reason="ne confirmez rien en public"
    )
    assert (rejected.json()["state"], rejected.json()["reason"]) == (
        "rejected",
        "ne confirmez rien en public",
    )
    relay = _relay(people, settings)
    assert relay.publish_pending() == 0
    relay.producer.close()


def test_a_failed_reply_is_sent_again_as_a_new_attempt(
    people: Any, complaint: int, settings: Settings
) -> None:
    made = _reply(people, "priya", complaint, text="Bonjour!").json()
    relay = _relay(people, settings)
    relay.publish_pending()
    with Session(people.engine) as session:
        key = session.exec(select(CaseReply.reply_key).where(CaseReply.id == made["id"])).one()
    handler = OutcomeHandler(people.engine)
    handler(
        [
            Delivery(
                ReplyOutcome(
                    reply_id=key,
                    case_id=complaint,
                    status="failed",
                    reason="x reply: 503 server error",
                ),
                None,
            )
        ]
    )
    early = _decide(people, "priya", complaint, made["id"], "approve")
    assert early.status_code == 422
    retried = _decide(people, "kevin", complaint, made["id"], "retry").json()
    assert (retried["state"], retried["attempt"]) == ("queued", 2)
    assert relay.publish_pending() == 1
    # The first attempt's late outcome does not undo the second.
    handler([Delivery(ReplyOutcome(reply_id=key, case_id=complaint, status="failed"), None)])
    listed = people.as_("priya", "GET", f"/api/cases/{complaint}/replies").json()["replies"]
    assert listed[0]["state"] == "queued"
    records = read_topic(settings.kafka_bootstrap_servers, settings.topics.replies.name, count=2)
    assert sorted(decode(ReplyRequest, r.value).attempt for r in records) == [1, 2]
    relay.producer.close()


def test_hiding_and_answering_elsewhere(people: Any, make_verdict: Any, complaint: int) -> None:
    too_long = _reply(people, "priya", complaint, text="a" * 281)
    assert too_long.status_code == 422 and "280 characters" in too_long.json()["detail"]
    not_a_reply = _reply(people, "priya", complaint, kind="hide")
    assert not_a_reply.status_code == 422 and "only a reply" in not_a_reply.json()["detail"]
    toot = _case(
        people,
        make_verdict,
        "@laurentia réseau en panne à Gatineau",
        "complaint",
        "normal",
        platform="mastodon",
        conversation_id="1100",
        reply_to_id="1100",
    )
    on_mastodon = _reply(people, "priya", toot, kind="hide")
    assert on_mastodon.status_code == 422 and "Mastodon cannot hide" in on_mastodon.json()["detail"]
    elsewhere = _reply(people, "priya", complaint, kind="elsewhere", text="rappelée au téléphone")
    assert elsewhere.json()["state"] == "answered_elsewhere"
    with Session(people.engine) as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "answered_elsewhere")
        ).one()
    assert entry.actor == "priya" and entry.after["text"] == "rappelée au téléphone"


def test_roles_the_brand_names_need_approval_for_every_reply(book: PolicyBook) -> None:
    from workflow.auth import Role
    from workflow.models import Case

    replies = book.config.replies.model_copy(update={"approval_roles": ["agent"]})
    strict = PolicyBook(book.config.model_copy(update={"replies": replies}))
    case = Case(
        thread_id="x:1",
        concern="complaint",
        platform="x",
        author_id="1",
        author_handle="a",
        lang="fr",
        state="new",
        severity="normal",
        labels=["complaint"],
        summary="",
    )
    agent = Principal("priya", Role.agent, frozenset({"customer_care"}))
    lead = Principal("carelead", Role.lead, frozenset({"customer_care"}))
    assert needs_approval(case, strict, agent) and not needs_approval(case, strict, lead)
    assert not needs_approval(case, book, agent)


def test_erasing_the_author_scrubs_the_replies_and_withdraws_one_not_sent(
    people: Any, complaint: int
) -> None:
    made = _reply(people, "priya", complaint, text="Bonjour @marie_lvl, écrivez-nous.").json()
    erased = people.as_("admin", "POST", "/api/privacy/erasures", json={"author": "x:marie_lvl"})
    assert erased.status_code == 200, erased.text
    [reply] = people.as_("admin", "GET", f"/api/cases/{complaint}/replies").json()["replies"]
    assert reply["id"] == made["id"]
    assert "marie_lvl" not in reply["text"] and reply["text"].startswith("Bonjour [erased]")
    assert (reply["state"], reply["post_id"], reply["reason"]) == (
        "rejected",
        None,
        "the author was erased",
    )
