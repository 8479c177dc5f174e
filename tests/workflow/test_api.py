"""The REST API on both databases: auth and scope, queue, case page, actions, 409, reports.

`api` (an Api client of tests/workflow/conftest.py) logs people in and feeds verdicts."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session, select

from events.settings import Settings
from workflow.api import create_app
from workflow.feedback import export_feedback
from workflow.models import OutboxEvent


def complaint(make_verdict: Any, text: str = "Toujours pas reçu ma commande", **kw: Any) -> Any:
    return make_verdict(text, (("complaint", "normal"),), **kw)


def test_login_and_tokens(api: Any) -> None:
    assert api.client.get("/api/cases").status_code == 401
    bad = api.client.post(
        "/api/auth/token", data={"username": "admin", "password": "wrong-password"}
    )
    assert bad.status_code == 401 and bad.json()["detail"] == "wrong username or password"
    assert api.as_("admin", "GET", "/api/auth/me").json()["role"] == "admin"
    issued = api.as_("admin", "POST", "/api/auth/tokens", json={"name": "crm-sync"})
    assert issued.status_code == 201
    token = issued.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/cases", headers=headers).status_code == 200
    assert api.as_("admin", "DELETE", f"/api/auth/tokens/{issued.json()['id']}").status_code == 204
    assert api.client.get("/api/cases", headers=headers).status_code == 401
    assert (
        api.client.get("/api/cases", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )


def test_admin_password_follows_the_variable(api: Any, database_url: str, tmp_path: Path) -> None:
    """VIGIE_ADMIN_PASSWORD is the operator's word: set on an existing admin, it replaces the
    stored password (a restart with it always lets them in)."""
    other = Settings(
        database_url=database_url, data_dir=tmp_path, admin_password=SecretStr("another-pass-1")
    )
    app = create_app(other)
    with TestClient(app) as client:
        login = {"username": "admin", "password": "another-pass-1"}
        assert client.post("/api/auth/token", data=login).status_code == 200
        old = {"username": "admin", "password": api.admin_password}
        assert client.post("/api/auth/token", data=old).status_code == 401
    app.state.vigie.engine.dispose()


def test_roles_and_team_scope(people: Any, make_verdict: Any) -> None:
    people.feed(
        complaint(make_verdict),
        make_verdict(
            "voici le courriel du client: a@b.ca",
            (("risky_disclosure", "critical"),),
            source="staff",
            staff_member_id="s-003",
        ),
        make_verdict("Journaliste, un commentaire?", (("press_inquiry", "high"),)),
    )
    everything = people.cases("admin")
    assert len(everything) == 3
    labels = {c["labels"][0]: c["id"] for c in everything}
    assert [c["labels"] for c in people.cases("priya")] == [["complaint"]]
    assert people.as_("priya", "GET", f"/api/cases/{labels['risky_disclosure']}").status_code == 404
    assert [c["labels"] for c in people.cases("sophie")] == [["risky_disclosure"]]
    # Security is in copy of legal's disclosures by the routing rule: it reads them, read only.
    assert [c["labels"] for c in people.cases("olivier")] == [["risky_disclosure"]]
    assert [c["labels"] for c in people.cases("nadia")] == [["press_inquiry"]]  # comms in copy
    refused = people.as_(
        "nadia",
        "POST",
        f"/api/cases/{labels['press_inquiry']}/actions",
        json={"action": "note", "text": "vu", "version": 1},
    )
    assert refused.status_code == 403 and "agent role" in refused.json()["detail"]
    outside = people.as_(
        "priya",
        "POST",
        f"/api/cases/{labels['risky_disclosure']}/actions",
        json={"action": "acknowledge", "version": 1},
    )
    assert outside.status_code == 404
    assert people.as_("priya", "GET", "/api/users").status_code == 403


def test_queue_filters_sorting_and_cursor_pagination(api: Any, make_verdict: Any) -> None:
    api.feed(
        complaint(make_verdict, "colis perdu", lang="fr"),
        complaint(make_verdict, "lost parcel", lang="en"),
        make_verdict("is it true the plant closes?", (("rumour", "high"),), lang="en"),
        make_verdict(
            "phishing: verify your account here", (("security_threat", "critical"),), lang="en"
        ),
        make_verdict("@LaurentiaMobile vous ouvrez quand?", lang="fr"),
    )
    pages, cursor = [], None
    while True:
        response = api.as_(
            "admin",
            "GET",
            "/api/cases",
            params={"limit": 2} | ({"cursor": cursor} if cursor else {}),
        )
        body = response.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    dues = [c["sla_due"] for page in pages for c in page]
    assert dues == sorted(dues)
    assert pages[0][0]["labels"] == ["security_threat"]  # 15 minutes, around the clock
    assert {c["labels"][0] for c in api.cases(label="complaint")} == {"complaint"}
    assert len(api.cases(team="customer_care")) == 2
    assert len(api.cases(lang="en")) == 3
    assert len(api.cases(severity="critical")) == 1
    assert [c["summary"] for c in api.cases(q="COLIS")] == ["colis perdu"]
    assert len(api.cases(state="assigned")) == 5 and api.cases(state="resolved") == []
    assert len(api.cases(sla="ok")) == 5 and api.cases(sla="breached") == []
    assert len(api.cases(label="triage")) == 1
    assert len(api.cases(assignee="priya")) == 1
    newest = api.cases(sort="-opened")
    assert len(newest) == 5


@pytest.mark.parametrize(
    ("params", "status", "reason"),
    [
        ({"cursor": "not-a-cursor"}, 422, "invalid cursor"),
        ({"limit": 0}, 422, None),
        ({"limit": 10_000}, 422, None),
        ({"sla": "late"}, 422, None),
        ({"state": "closed"}, 422, None),
        ({"sort": "random"}, 422, None),
    ],
)
def test_bad_queue_requests_get_a_reason(
    api: Any, params: dict, status: int, reason: str | None
) -> None:
    response = api.as_("admin", "GET", "/api/cases", params=params)
    assert response.status_code == status
    assert reason is None or reason in response.json()["detail"]


def test_case_page_shows_posts_evidence_deadlines_and_audit(api: Any, make_verdict: Any) -> None:
    api.feed(
        complaint(make_verdict, conversation_id="th"),
        complaint(make_verdict, "Toujours rien", conversation_id="th"),
    )
    (case,) = api.cases()
    page = api.as_("admin", "GET", f"/api/cases/{case['id']}").json()
    assert [p["text"] for p in page["posts"]] == ["Toujours pas reçu ma commande", "Toujours rien"]
    assert page["posts"][0]["labels"][0]["evidence"][0]["detector"] == "keywords"
    (task,) = page["tasks"]
    assert task["team"] == "customer_care" and task["policy"] == "complaint"
    milestones = {d["milestone"]: d for d in task["deadlines"]}
    assert set(milestones) == {"first_response", "resolution"}
    assert milestones["first_response"]["explanation"].startswith(("due ", "paused"))
    assert "care_extended" in milestones["first_response"]["explanation"]
    assert [a["action"] for a in page["audit"]] == ["task_opened", "post_added", "post_added"]
    assert page["teams"] == {"customer_care": "owner"}
    assert api.as_("admin", "GET", "/api/cases/999999").status_code == 404
    assert api.as_("admin", "GET", "/api/cases/abc").status_code == 404  # not a case id


def test_actions_versions_and_invalid_transitions(people: Any, make_verdict: Any) -> None:
    people.feed(complaint(make_verdict))
    (case,) = people.cases("priya")
    url = f"/api/cases/{case['id']}/actions"
    ack = people.as_(
        "priya", "POST", url, json={"action": "acknowledge", "version": case["version"]}
    )
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    version = ack.json()["version"]
    assert version > case["version"]
    stale = people.as_(
        "priya", "POST", url, json={"action": "note", "text": "hop", "version": case["version"]}
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == version
    missing = people.as_("priya", "POST", url, json={"action": "note", "text": "hop"})
    assert missing.status_code == 428
    by_header = people.as_(
        "priya",
        "POST",
        url,
        json={"action": "note", "text": "appelé le client"},
        headers={"If-Match": f'"{version}"'},
    )
    assert by_header.status_code == 200
    version = by_header.json()["version"]
    not_member = people.as_(
        "carelead", "POST", url, json={"action": "assign", "assignee": "sophie", "version": version}
    )
    assert (
        not_member.status_code == 422
        and "not a member of team 'customer_care'" in not_member.json()["detail"]
    )
    agent_assigns_other = people.as_(
        "priya", "POST", url, json={"action": "assign", "assignee": "kevin", "version": version}
    )
    assert (
        agent_assigns_other.status_code == 422
        and "only to themselves" in agent_assigns_other.json()["detail"]
    )
    reassigned = people.as_(
        "carelead", "POST", url, json={"action": "assign", "assignee": "kevin", "version": version}
    )
    assert reassigned.status_code == 200 and reassigned.json()["tasks"][0]["assignee"] == "kevin"
    version = reassigned.json()["version"]
    no_reason = people.as_("kevin", "POST", url, json={"action": "dismiss", "version": version})
    assert no_reason.status_code == 422
    resolved = people.as_("kevin", "POST", url, json={"action": "resolve", "version": version})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    version = resolved.json()["version"]
    again = people.as_("kevin", "POST", url, json={"action": "acknowledge", "version": version})
    assert again.status_code == 422
    assert again.json()["detail"].startswith("cannot acknowledge a task that is resolved")
    reopened = people.as_("kevin", "POST", url, json={"action": "reopen", "version": version})
    assert reopened.status_code == 200 and reopened.json()["state"] == "reopened"
    audit = people.as_("admin", "GET", f"/api/cases/{case['id']}").json()["audit"]
    assert [a["action"] for a in audit][-5:] == [
        "acknowledge",
        "note",
        "assign",
        "resolve",
        "reopen",
    ]
    resolve_entry = audit[-2]
    assert resolve_entry["actor"] == "kevin"
    assert (resolve_entry["before"]["state"], resolve_entry["after"]["state"]) == (
        "acknowledged",
        "resolved",
    )
    with Session(people.client.app.state.vigie.engine) as session:  # type: ignore[attr-defined]
        kinds = [OutboxEvent.model_validate(e).payload for e in session.exec(select(OutboxEvent))]
    assert (
        sum('"state_changed"' in k for k in kinds) == 3
        and sum('"note_added"' in k for k in kinds) == 1
    )


def test_bulk_actions_report_each_case(people: Any, make_verdict: Any) -> None:
    people.feed(
        complaint(make_verdict, "un"),
        complaint(make_verdict, "deux"),
        complaint(make_verdict, "trois"),
    )
    cases = people.cases("carelead")
    items = [{"case_id": c["id"], "version": c["version"]} for c in cases]
    noted = people.as_(
        "priya",
        "POST",
        f"/api/cases/{cases[2]['id']}/actions",  # meanwhile
        json={"action": "note", "text": "client rappelé", "version": cases[2]["version"]},
    )
    items.append({"case_id": 424242, "version": 1})
    response = people.as_(
        "carelead",
        "POST",
        "/api/cases/bulk",
        json={"items": items, "action": {"action": "dismiss", "reason": "spam"}},
    )
    assert response.status_code == 200
    results = response.json()
    assert [r["status"] for r in results] == [200, 200, 409, 404]
    assert results[2]["version"] == noted.json()["version"]
    assert len(people.cases("carelead", state="dismissed")) == 2


def test_relabel_reroutes_and_feeds_training(
    people: Any, make_verdict: Any, database_url: str
) -> None:
    people.feed(complaint(make_verdict, "Il paraît que vous fermez l'usine de Lévis"))
    (case,) = people.cases("priya")
    response = people.as_(
        "priya",
        "POST",
        f"/api/cases/{case['id']}/actions",
        json={"action": "relabel", "labels": ["rumour"], "version": case["version"]},
    )
    assert response.status_code == 200, response.text
    tasks = {t["team"]: t for t in response.json()["tasks"]}
    assert tasks["customer_care"]["state"] == "dismissed"
    assert tasks["comms"]["state"] == "assigned" and response.json()["labels"] == ["rumour"]
    (row,) = export_feedback(database_url)
    assert row | {"id": None} == {
        "text": "Il paraît que vous fermez l'usine de Lévis",
        "labels": ["rumour"],
        "lang": "fr",
        "source": "mention",
        "id": None,
        "bio": None,
        "place": None,
    }
    assert (
        row["id"] == people.as_("admin", "GET", f"/api/cases/{case['id']}").json()["posts"][0]["id"]
    )
    bad = people.as_(
        "priya",
        "POST",
        f"/api/cases/{case['id']}/actions",
        json={"action": "relabel", "labels": ["gossip"], "version": response.json()["version"]},
    )
    assert bad.status_code == 422


def test_members_presence_capacity_and_reassignment(people: Any, make_verdict: Any) -> None:
    people.feed(complaint(make_verdict, "un"), complaint(make_verdict, "deux"))
    assert {c["tasks"][0]["assignee"] for c in people.cases()} == {"priya", "emilie"}
    refused = people.as_(
        "priya", "PATCH", "/api/teams/customer_care/members/priya", json={"capacity": 99}
    )
    assert refused.status_code == 403
    away = people.as_(
        "priya", "PATCH", "/api/teams/customer_care/members/priya", json={"presence": "away"}
    )
    assert away.status_code == 200 and away.json()["presence"] == "away"
    assignees = {c["tasks"][0]["assignee"] for c in people.cases()}
    assert "priya" not in assignees and assignees <= {"emilie", "kevin"}
    team = people.as_("priya", "GET", "/api/teams/customer_care").json()
    assert {m["id"]: m["open_tasks"] for m in team["members"]}["priya"] == 0
    added = people.as_(
        "carelead",
        "POST",
        "/api/teams/customer_care/members",
        json={"id": "lea", "name": "Léa", "languages": ["fr"], "capacity": 5},
    )
    assert added.status_code == 201
    assert (
        people.as_(
            "carelead", "POST", "/api/teams/legal/members", json={"id": "x", "name": "X"}
        ).status_code
        == 403
    )
    assert (
        people.as_(
            "carelead",
            "PATCH",
            "/api/teams/customer_care/members/lea",
            json={"presence": "sleeping"},
        ).status_code
        == 422
    )


def test_sla_report_json_and_csv(people: Any, make_verdict: Any) -> None:
    people.feed(
        complaint(make_verdict, "un"),
        complaint(make_verdict, "deux"),
        make_verdict("usine?", (("rumour", "high"),)),
    )
    report = people.as_("admin", "GET", "/api/reports/sla", params={"group_by": "team"}).json()
    assert {r["group"]: r["tasks"] for r in report} == {"comms": 1, "customer_care": 2}
    scoped = people.as_("carelead", "GET", "/api/reports/sla", params={"group_by": "label"}).json()
    assert [(r["group"], r["open"]) for r in scoped] == [("complaint", 2)]
    response = people.as_(
        "admin", "GET", "/api/reports/sla", params={"format": "csv", "period": "day"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["group"] for r in rows} == {"comms", "customer_care"} and rows[0]["period"][
        :2
    ] == "20"
    assert people.as_("priya", "GET", "/api/reports/sla").status_code == 403
    backwards = people.as_(
        "admin",
        "GET",
        "/api/reports/sla",
        params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    )
    assert backwards.status_code == 422


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("POST", "/api/cases/1/actions", "{not json"),
        ("POST", "/api/cases/1/actions", '{"action": "explode", "version": 1}'),
        ("POST", "/api/cases/1/actions", '{"action": "note", "version": "one", "text": "x"}'),
        (
            "POST",
            "/api/cases/1/actions",
            '{"action": "note", "version": 1, "text": "x", "extra": 1}',
        ),
        ("POST", "/api/cases/bulk", '{"items": [], "action": {"action": "resolve"}}'),
        ("POST", "/api/users", '{"username": "a b", "role": "agent"}'),
        ("POST", "/api/users", '{"username": "zed", "role": "root"}'),
        ("PATCH", "/api/teams/customer_care/members/priya", '{"capacity": -3}'),
        ("GET", "/api/cases/99999999999999999999999", None),
    ],
)
def test_garbage_gets_4xx_never_500(api: Any, method: str, url: str, payload: str | None) -> None:
    headers = {**api.login("admin", api.admin_password), "Content-Type": "application/json"}
    response = api.client.request(method, url, content=payload, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]


def test_health_readiness_metrics_and_docs(api: Any) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}
    # Under `vigie up`, the supervisor's state file says when a service is being restarted.
    state = api.client.app.state.vigie.settings.data_dir / "services.json"
    api.client.app.state.vigie.settings.services_state_file = state
    state.write_text('{"api": "running", "classify": "restarting"}', encoding="utf-8")
    not_ready = api.client.get("/readyz")
    assert not_ready.status_code == 503 and not_ready.json()["services"]["classify"] == "restarting"
    state.write_text('{"api": "running", "classify": "running"}', encoding="utf-8")
    assert api.client.get("/readyz").status_code == 200
    metrics = api.client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert "vigie_" in metrics.text
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/queue"
    assert api.client.get("/docs").status_code == 200
    paths = api.client.get("/openapi.json").json()["paths"]
    assert {
        "/api/auth/token",
        "/api/cases",
        "/api/cases/{case_id}/actions",
        "/api/reports/sla",
    } <= set(paths)
