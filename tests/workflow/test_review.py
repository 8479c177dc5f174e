"""High-risk cases close only with a second person's review, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from events.schemas import CaseEvent
from workflow.config import WorkflowSettings
from workflow.models import OutboxEvent


def leak(make_verdict: Any, text: str = "voici le courriel du client: a@b.ca") -> Any:
    return make_verdict(
        text, (("risky_disclosure", "critical"),), source="staff", staff_member_id="s-003"
    )


def only_case(api: Any, username: str) -> dict:
    (case,) = api.cases(username)
    return api.as_(username, "GET", f"/api/cases/{case['id']}").json()


def test_a_resolution_waits_for_someone_else_to_approve(people: Any, make_verdict: Any) -> None:
    people.feed(leak(make_verdict))
    case = only_case(people, "sophie")
    (task,) = case["tasks"]
    assert task["review"] == {
        "required": True,
        "outcome": None,
        "requested_by": None,
        "requested_at": None,
        "reviewed_by": None,
        "reviewed_at": None,
    }
    asked = people.act("sophie", case["id"], action="resolve", reason="publication retirée")
    assert asked.status_code == 200, asked.text
    assert asked.json()["state"] == "pending_review"
    assert asked.json()["tasks"][0]["review_requested_by"] == "sophie"
    assert people.cases("sophie", state="pending_review")[0]["id"] == case["id"]

    own = people.act("sophie", case["id"], action="approve")
    assert own.status_code == 422 and "a second person must approve" in own.json()["detail"]
    again = people.act("sophie", case["id"], action="resolve")
    assert again.status_code == 422
    assert "second person must first approve or reject" in again.json()["detail"]
    assert people.act("sophie", case["id"], action="acknowledge").status_code == 422

    approved = people.act("legalead", case["id"], action="approve", reason="vérifié")
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "resolved"
    twice = people.act("sophie", case["id"], action="approve")
    assert "only a closing waiting for review can be approved" in twice.json()["detail"]
    page = people.as_("admin", "GET", f"/api/cases/{case['id']}").json()
    review = page["tasks"][0]["review"]
    assert (review["outcome"], review["requested_by"], review["reviewed_by"]) == (
        "resolve",
        "sophie",
        "legalead",
    )
    assert review["requested_at"] <= review["reviewed_at"]
    trail = [(a["action"], a["actor"]) for a in page["audit"] if a["task_id"]][-2:]
    assert trail == [("resolve", "sophie"), ("approve", "legalead")]
    resolve_entry, approve_entry = page["audit"][-2:]
    assert (resolve_entry["before"]["state"], resolve_entry["after"]["state"]) == (
        "assigned",
        "pending_review",
    )
    assert approve_entry["after"]["reviewed_by"] == "legalead"
    assert approve_entry["after"]["reason"] == "vérifié"


def test_a_rejection_needs_a_reason_and_sends_the_task_back(people: Any, make_verdict: Any) -> None:
    people.feed(leak(make_verdict))
    case_id = people.cases("sophie")[0]["id"]
    assert people.act("sophie", case_id, action="resolve").status_code == 200
    silent = people.act("legalead", case_id, action="reject")
    assert silent.status_code == 422
    blank = people.act("legalead", case_id, action="reject", reason="   ")
    assert blank.status_code == 422 and "reject needs a reason" in blank.json()["detail"]
    rejected = people.act(
        "legalead", case_id, action="reject", reason="le courriel est encore visible"
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "acknowledged"
    task = people.as_("admin", "GET", f"/api/cases/{case_id}").json()["tasks"][0]
    assert task["review"]["requested_by"] is None and task["review_requested_by"] is None
    # The rejecter may now ask for the closing: the first asker approves it.
    assert people.act("legalead", case_id, action="resolve").json()["state"] == "pending_review"
    assert people.act("sophie", case_id, action="approve").json()["state"] == "resolved"


def test_a_dismissal_is_reviewed_too_and_reopening_starts_over(
    people: Any, make_verdict: Any
) -> None:
    people.feed(leak(make_verdict, "mon badge d'employé, photo floue"))
    case_id = people.cases("sophie")[0]["id"]
    asked = people.act("sophie", case_id, action="dismiss", reason="faux positif: badge de 2019")
    assert asked.json()["state"] == "pending_review"
    task = people.as_("sophie", "GET", f"/api/cases/{case_id}").json()["tasks"][0]
    assert task["review"]["outcome"] == "dismiss" and task["closed_at"] is None
    assert people.act("admin", case_id, action="approve").json()["state"] == "dismissed"
    task = people.as_("sophie", "GET", f"/api/cases/{case_id}").json()["tasks"][0]
    assert task["dismiss_reason"] == "faux positif: badge de 2019" and task["closed_at"]
    reopened = people.act("sophie", case_id, action="reopen", reason="republié")
    assert reopened.json()["state"] == "reopened"
    review = people.as_("sophie", "GET", f"/api/cases/{case_id}").json()["tasks"][0]["review"]
    assert review["required"] and review["requested_by"] is None and review["reviewed_by"] is None
    assert people.act("sophie", case_id, action="resolve").json()["state"] == "pending_review"


def test_investor_sensitive_cases_need_review_and_ordinary_ones_do_not(
    people: Any, make_verdict: Any
) -> None:
    people.add_user("david", "agent", ["investor_relations"], member_id="david")
    people.feed(
        make_verdict(
            "Q3 numbers look great, buy now",
            (("investor_sensitive", "critical"),),
            lang="en",
            source="staff",
            staff_member_id="s-006",
        ),
        make_verdict("Toujours pas reçu ma commande", (("complaint", "normal"),)),
    )
    (investor,) = people.cases("david")
    assert people.act("david", investor["id"], action="resolve").json()["state"] == "pending_review"
    (ordinary,) = people.cases("priya")
    page = people.as_("priya", "GET", f"/api/cases/{ordinary['id']}").json()
    assert page["tasks"][0]["review"]["required"] is False
    resolved = people.act("priya", ordinary["id"], action="resolve")
    assert resolved.json()["state"] == "resolved"
    late = people.act("kevin", ordinary["id"], action="approve")
    assert late.status_code == 422
    assert "only a closing waiting for review can be approved" in late.json()["detail"]


def test_review_happens_in_scope_and_emits_events(people: Any, make_verdict: Any) -> None:
    people.feed(leak(make_verdict))
    case_id = people.cases("sophie")[0]["id"]
    people.act("sophie", case_id, action="resolve")
    outsider = people.act("priya", case_id, action="approve", version=99)
    assert outsider.status_code == 404  # a legal case stays invisible to customer care
    viewer = people.act("nadia", case_id, action="approve", version=99)
    assert viewer.status_code == 403
    bulk = people.as_(
        "legalead",
        "POST",
        "/api/cases/bulk",
        json={
            "items": [
                {
                    "case_id": case_id,
                    "version": people.as_("legalead", "GET", f"/api/cases/{case_id}").json()[
                        "version"
                    ],
                }
            ],
            "action": {"action": "approve"},
        },
    )
    assert [r["status"] for r in bulk.json()] == [200]
    with Session(people.engine) as session:
        payloads = session.exec(select(OutboxEvent.payload).order_by(col(OutboxEvent.id))).all()
    changes = [
        (e.state, e.actor, e.details.get("action"))
        for e in map(CaseEvent.model_validate_json, payloads)
        if e.type == "state_changed"
    ]
    assert changes == [("pending_review", "sophie", "resolve"), ("resolved", "legalead", "approve")]


def test_review_labels_are_configurable_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_REVIEW_LABELS", "risky_disclosure, copyright")
    assert WorkflowSettings().review == ("risky_disclosure", "copyright")
    monkeypatch.setenv("VIGIE_REVIEW_LABELS", "")
    assert WorkflowSettings().review == ()
    monkeypatch.setenv("VIGIE_REVIEW_LABELS", "risky_disclosure,gossip")
    with pytest.raises(ValidationError, match="unknown labels gossip"):
        WorkflowSettings()


def test_removing_the_high_risk_label_takes_two_people(people: Any, make_verdict: Any) -> None:
    people.feed(leak(make_verdict))
    case_id = people.cases("sophie")[0]["id"]
    asked = people.act("sophie", case_id, action="relabel", labels=[])
    assert asked.status_code == 200, asked.text
    page = people.as_("admin", "GET", f"/api/cases/{case_id}").json()
    assert page["labels"] == ["risky_disclosure"] and page["tasks"][0]["state"] == "assigned"
    assert page["audit"][-1]["action"] == "relabel_requested"
    assert page["relabel_request"]["requested_by"] == "sophie"
    assert page["relabel_request"]["labels"] == []
    again = people.act("sophie", case_id, action="relabel", labels=[])
    assert again.status_code == 422 and "a second person must confirm" in again.json()["detail"]
    confirmed = people.act("legalead", case_id, action="relabel", labels=[])
    assert confirmed.status_code == 200, confirmed.text
    page = people.as_("admin", "GET", f"/api/cases/{case_id}").json()
    (task,) = page["tasks"]
    assert page["labels"] == [] and task["state"] == "pending_review"
    assert page["relabel_request"] is None
    relabel_entry = next(a for a in page["audit"] if a["action"] == "relabel")
    assert (relabel_entry["actor"], relabel_entry["after"]["requested_by"]) == (
        "legalead",
        "sophie",
    )
    own = people.act("legalead", case_id, action="approve")
    assert own.status_code == 422 and "a second person must approve" in own.json()["detail"]
    approved = people.act("sophie", case_id, action="approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["tasks"][0]["state"] == "dismissed"


def test_relabeling_the_review_label_away_does_not_open_the_gate(
    people: Any, make_verdict: Any
) -> None:
    """acknowledge, relabel to another legal label, resolve: still needs a second person."""
    people.feed(leak(make_verdict))
    case_id = people.cases("sophie")[0]["id"]
    assert people.act("sophie", case_id, action="acknowledge").status_code == 200
    assert people.act("sophie", case_id, action="relabel", labels=["copyright"]).status_code == 200
    assert (
        people.act("legalead", case_id, action="relabel", labels=["copyright"]).status_code == 200
    )
    page = people.as_("admin", "GET", f"/api/cases/{case_id}").json()
    assert page["labels"] == ["copyright"]
    resolved = people.act("sophie", case_id, action="resolve", reason="retiré")
    assert resolved.status_code == 200 and resolved.json()["state"] == "pending_review"
    assert people.as_("sophie", "GET", f"/api/cases/{case_id}").json()["tasks"][0]["review"][
        "required"
    ]


def test_the_asker_cannot_reject_their_own_request(people: Any, make_verdict: Any) -> None:
    """resolve, reject one's own request, relabel, resolve: the reject is refused."""
    people.feed(leak(make_verdict))
    case_id = people.cases("sophie")[0]["id"]
    assert people.act("sophie", case_id, action="resolve").json()["state"] == "pending_review"
    own = people.act("sophie", case_id, action="reject", reason="je me ravise")
    assert own.status_code == 422 and "cannot reset the review" in own.json()["detail"]
    people.act("sophie", case_id, action="relabel", labels=["copyright"])
    (task,) = people.as_("admin", "GET", f"/api/cases/{case_id}").json()["tasks"]
    assert (task["state"], task["review"]["requested_by"]) == ("pending_review", "sophie")
    assert people.act("sophie", case_id, action="resolve").status_code == 422


def test_nobody_acts_in_someone_elses_name(people: Any, make_verdict: Any) -> None:
    """An admin cannot mint a token for a lead and approve as them."""
    people.feed(leak(make_verdict))
    case_id = people.cases("sophie")[0]["id"]
    people.act("sophie", case_id, action="resolve")
    minted = people.as_(
        "admin", "POST", "/api/auth/tokens", json={"name": "approve", "username": "legalead"}
    )
    assert minted.status_code == 403 and "another user" in minted.json()["detail"]
    approved = people.act("admin", case_id, action="approve")
    trail = people.as_("admin", "GET", f"/api/cases/{case_id}").json()["audit"]
    assert approved.status_code == 200 and trail[-1]["actor"] == "admin"


def test_a_relabel_leaves_a_pending_review_to_its_reviewer(people: Any, make_verdict: Any) -> None:
    people.feed(leak(make_verdict))
    case_id = people.cases("sophie")[0]["id"]
    assert people.act("sophie", case_id, action="resolve").status_code == 200
    assert people.act("sophie", case_id, action="relabel", labels=[]).status_code == 200
    (task,) = people.as_("admin", "GET", f"/api/cases/{case_id}").json()["tasks"]
    assert (task["state"], task["review"]["outcome"]) == ("pending_review", "resolve")
    assert (
        people.act("legalead", case_id, action="approve").json()["tasks"][0]["state"] == "resolved"
    )
