"""Relabel changes only the caller's teams' tasks, and only legal or an admin widen who sees a
restricted case (both databases)."""

from __future__ import annotations

from typing import Any


def test_a_copy_team_cannot_relabel(people: Any, make_verdict: Any) -> None:
    people.add_user("camille", "agent", ["comms"], member_id="camille")
    people.feed(make_verdict("Une question pour votre porte-parole", (("press_inquiry", "high"),)))
    (case,) = people.cases("camille")  # comms is kept informed of press inquiries
    refused = people.act("camille", case["id"], action="relabel", labels=["complaint"])
    assert refused.status_code == 403 and "none of its tasks belongs" in refused.json()["detail"]
    page = people.as_("admin", "GET", f"/api/cases/{case['id']}").json()
    assert page["labels"] == ["press_inquiry"]
    assert [t["state"] for t in page["tasks"]] == [t["state"] for t in case["tasks"]]


def test_a_relabel_proposes_to_other_teams_rather_than_dismissing(
    people: Any, make_verdict: Any
) -> None:
    people.add_user("camille", "agent", ["comms"], member_id="camille")
    people.feed(
        make_verdict(
            "Vous fermez l'usine et ma commande n'arrive pas",
            (("complaint", "normal"), ("rumour", "high")),
        )
    )
    (case,) = people.cases("priya")
    relabeled = people.act("priya", case["id"], action="relabel", labels=["complaint"])
    tasks = {t["team"]: t for t in relabeled.json()["tasks"]}
    assert tasks["comms"]["state"] in {"new", "assigned"}
    assert tasks["customer_care"]["state"] not in {"dismissed", "resolved"}
    page = people.as_("camille", "GET", f"/api/cases/{case['id']}").json()
    proposed = [a for a in page["audit"] if a["action"] == "relabel_proposed"]
    assert [(a["actor"], a["after"]["team"]) for a in proposed] == [("priya", "comms")]
    comms_task = tasks["comms"]["id"]
    dismissed = people.act(
        "camille", case["id"], action="dismiss", task_id=comms_task, reason="relabeled"
    )
    assert dismissed.status_code == 200, dismissed.text


def test_only_legal_or_an_admin_widens_a_restricted_case(people: Any, make_verdict: Any) -> None:
    people.add_user("camille", "agent", ["comms"], member_id="camille")
    people.feed(
        make_verdict(
            "Le courriel du client est dans ma capture: a@b.ca, et ma commande n'arrive pas",
            (("risky_disclosure", "critical"), ("complaint", "normal")),
            source="staff",
            staff_member_id="s-003",
        )
    )
    (case,) = people.cases("priya")
    assert people.cases("camille") == []
    widening = ["risky_disclosure", "complaint", "rumour"]  # rumour would give comms a task
    refused = people.act("priya", case["id"], action="relabel", labels=widening)
    assert refused.status_code == 403 and "only legal or an admin" in refused.json()["detail"]
    assert people.cases("camille") == []
    allowed = people.act("sophie", case["id"], action="relabel", labels=widening)
    assert allowed.status_code == 200, allowed.text
    assert [c["id"] for c in people.cases("camille")] == [case["id"]]
