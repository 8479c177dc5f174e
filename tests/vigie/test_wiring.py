"""The composed API: workflow routes, queue pages, webhook receiver and the draft check together."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from events.settings import Settings
from vigie.wiring import build_api

PASSWORD = "wiring-test-password"


@pytest.fixture
def client(settings: Settings, database_url: str) -> TestClient:
    composed = settings.model_copy(
        update={"database_url": database_url, "admin_password": SecretStr(PASSWORD)}
    )
    return TestClient(build_api(composed))


def _token(client: TestClient) -> str:
    response = client.post("/api/auth/token", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_draft_check_flags_a_leak_and_explains_why(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {_token(client)}"}
    draft = "Voici le courriel du client: julie.roy@example.com, projet confidentiel, interne seulement"
    response = client.post("/api/draft-check", json={"text": draft}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["lang"] == "fr"
    leak = next(lv for lv in body["labels"] if lv["label"] == "risky_disclosure")
    spans = [e for e in leak["evidence"] if e["kind"] == "span"]
    assert any(draft[e["start"]:e["end"]] == "julie.roy@example.com" for e in spans), spans
    harmless = client.post("/api/draft-check", json={"text": "Fier de notre équipe au lancement de Laval!"},
                           headers=headers).json()
    assert harmless["labels"] == []


def test_draft_check_needs_a_login_and_valid_input(client: TestClient) -> None:
    assert client.post("/api/draft-check", json={"text": "hello"}).status_code == 401
    headers = {"Authorization": f"Bearer {_token(client)}"}
    empty = client.post("/api/draft-check", json={"text": ""}, headers=headers)
    assert empty.status_code == 422 and "text" in empty.text
    surrogate = client.post(
        "/api/draft-check",
        content=b'{"text": "mot de passe \\ud800"}',
        headers=headers | {"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422 and "surrogate" in surrogate.json()["detail"]


def test_pages_and_webhooks_are_mounted(client: TestClient) -> None:
    assert client.get("/queue").status_code == 200
    assert client.get("/draft-check").status_code == 200
    unsigned = client.post("/ingest/webhooks/meta", content=b"{}")
    assert 400 <= unsigned.status_code < 500


def test_draft_check_opens_to_an_employee_with_a_signed_link(client: TestClient) -> None:
    admin = {"Authorization": f"Bearer {_token(client)}"}
    issued = client.post("/api/draft-links", json={"staff_id": "s-003", "days": 2}, headers=admin)
    assert issued.status_code == 201, issued.text
    link = {"X-Vigie-Draft-Link": issued.json()["token"]}
    draft = "Voici le courriel du client: julie.roy@example.com"
    checked = client.post("/api/draft-check", json={"text": draft}, headers=link)
    assert checked.status_code == 200, checked.text
    assert any(lv["label"] == "risky_disclosure" for lv in checked.json()["labels"])
    forged = {"X-Vigie-Draft-Link": issued.json()["token"] + "x"}
    assert client.post("/api/draft-check", json={"text": draft}, headers=forged).status_code == 401
    assert client.get("/api/cases", headers=link).status_code == 401  # the draft check only
