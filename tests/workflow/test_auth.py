"""Sessions, API tokens, passwords, users, the security event log and the login throttle (both
databases)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

import workflow.auth
from events.settings import Settings
from workflow.api import create_app

STRONG = "lavender-kayak-orbit-73"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def log_in(api: Any, username: str, password: str) -> Any:
    return api.client.post("/api/auth/token", data={"username": username, "password": password})


def test_logout_and_session_list(people: Any) -> None:
    first = log_in(people, "priya", "correct-horse-battery").json()["access_token"]
    second = log_in(people, "priya", "correct-horse-battery").json()["access_token"]
    sessions = people.client.get("/api/auth/sessions", headers=bearer(first)).json()
    assert len(sessions) == 2 and [s["current"] for s in sessions] == [True, False]
    other = sessions[1]["id"]
    assert (
        people.client.delete(f"/api/auth/sessions/{other}", headers=bearer(first)).status_code
        == 204
    )
    assert people.client.get("/api/cases", headers=bearer(second)).status_code == 401
    # Someone else's session is not found, whoever asks.
    mine = people.client.get("/api/auth/sessions", headers=bearer(first)).json()[0]["id"]
    assert people.as_("kevin", "DELETE", f"/api/auth/sessions/{mine}").status_code == 404
    assert people.client.post("/api/auth/logout", headers=bearer(first)).status_code == 204
    assert people.client.get("/api/cases", headers=bearer(first)).status_code == 401


def test_api_tokens_expire_come_from_sessions_only_and_not_for_others(people: Any) -> None:
    issued = people.as_("priya", "POST", "/api/auth/tokens", json={"name": "crm"})
    assert issued.status_code == 201, issued.text
    body = issued.json()
    lifetime = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(
        body["created_at"]
    )
    assert lifetime == timedelta(days=90)
    short = people.as_(
        "priya", "POST", "/api/auth/tokens", json={"name": "x", "expires_in_days": 7}
    )
    assert short.status_code == 201
    too_long = people.as_(
        "priya", "POST", "/api/auth/tokens", json={"name": "x", "expires_in_days": 91}
    )
    assert too_long.status_code == 422 and "at most 90 days" in too_long.json()["detail"]
    from_token = people.client.post(
        "/api/auth/tokens", headers=bearer(body["token"]), json={"name": "more"}
    )
    assert (
        from_token.status_code == 403 and "cannot create API tokens" in from_token.json()["detail"]
    )
    assert people.as_("nadia", "POST", "/api/auth/tokens", json={"name": "x"}).status_code == 403
    for_other = people.as_(
        "admin", "POST", "/api/auth/tokens", json={"name": "x", "username": "priya"}
    )
    assert for_other.status_code == 403
    names = [t["name"] for t in people.as_("priya", "GET", "/api/auth/tokens").json()]
    assert names == ["crm", "x"]


def test_password_change_needs_the_current_one_a_strong_one_and_revokes_the_rest(
    people: Any,
) -> None:
    other_session = log_in(people, "priya", "correct-horse-battery").json()["access_token"]
    api_token = people.as_("priya", "POST", "/api/auth/tokens", json={"name": "crm"}).json()[
        "token"
    ]
    wrong = people.as_(
        "priya",
        "POST",
        "/api/auth/password",
        json={"current_password": "not-it", "new_password": STRONG},
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.json()["detail"]
    for weak, reason in [
        ("short-pw", "at least 12"),
        ("priya", "at least 12"),
        ("password1234", "stronger password"),
        ("aaaaaaaaaaaaaaaa", "stronger password"),
    ]:
        refused = people.as_(
            "priya",
            "POST",
            "/api/auth/password",
            json={"current_password": "correct-horse-battery", "new_password": weak},
        )
        assert refused.status_code == 422 and reason in refused.json()["detail"], refused.text
        assert weak not in refused.text
    changed = people.as_(
        "priya",
        "POST",
        "/api/auth/password",
        json={"current_password": "correct-horse-battery", "new_password": STRONG},
    )
    assert changed.status_code == 204, changed.text
    assert people.as_("priya", "GET", "/api/auth/me").status_code == 200  # this session stays
    assert people.client.get("/api/cases", headers=bearer(other_session)).status_code == 401
    assert people.client.get("/api/cases", headers=bearer(api_token)).status_code == 401
    assert log_in(people, "priya", "correct-horse-battery").status_code == 401
    assert log_in(people, "priya", STRONG).status_code == 200


def test_an_admin_reset_or_deactivation_ends_every_session(people: Any) -> None:
    session = log_in(people, "kevin", "correct-horse-battery").json()["access_token"]
    weak = people.as_("admin", "PATCH", "/api/users/kevin", json={"password": "kevin1234567"})
    assert weak.status_code == 422
    reset = people.as_("admin", "PATCH", "/api/users/kevin", json={"password": STRONG})
    assert reset.status_code == 200
    assert people.client.get("/api/cases", headers=bearer(session)).status_code == 401
    session = log_in(people, "kevin", STRONG).json()["access_token"]
    assert (
        people.as_("admin", "PATCH", "/api/users/kevin", json={"active": False}).status_code == 200
    )
    assert people.client.get("/api/cases", headers=bearer(session)).status_code == 401
    people.as_("admin", "PATCH", "/api/users/kevin", json={"active": True})
    assert people.client.get("/api/cases", headers=bearer(session)).status_code == 401


def test_the_last_admin_stays_and_member_ids_are_checked(people: Any) -> None:
    demote = people.as_("admin", "PATCH", "/api/users/admin", json={"role": "lead"})
    assert demote.status_code == 422 and "last active admin" in demote.json()["detail"]
    off = people.as_("admin", "PATCH", "/api/users/admin", json={"active": False})
    assert off.status_code == 422
    people.add_user("root2", "admin", [])
    assert (
        people.as_("admin", "PATCH", "/api/users/root2", json={"role": "lead"}).status_code == 200
    )
    stolen = people.as_("admin", "PATCH", "/api/users/kevin", json={"member_id": "sophie"})
    assert (
        stolen.status_code == 422 and "not a member of the user's teams" in stolen.json()["detail"]
    )
    unknown = people.as_(
        "admin",
        "POST",
        "/api/users",
        json={"username": "zed", "role": "agent", "teams": ["comms"], "member_id": "nobody"},
    )
    assert unknown.status_code == 422
    moved = people.as_("admin", "PATCH", "/api/users/kevin", json={"teams": ["comms"]})
    assert moved.status_code == 422  # kevin's member is in customer_care
    fine = people.as_(
        "admin", "PATCH", "/api/users/kevin", json={"teams": ["comms"], "member_id": "nadia"}
    )
    assert fine.status_code == 200 and fine.json()["member_id"] == "nadia"


def test_the_security_log_records_and_admins_read_it(people: Any) -> None:
    assert log_in(people, "priya", "wrong-password-1").status_code == 401
    people.as_("priya", "POST", "/api/auth/tokens", json={"name": "crm"})
    people.as_("admin", "PATCH", "/api/users/kevin", json={"role": "lead"})
    assert people.as_("priya", "GET", "/api/security-events").status_code == 403
    page = people.as_("admin", "GET", "/api/security-events", params={"username": "priya"}).json()
    kinds = [e["kind"] for e in page["items"]]
    assert kinds[:3] == ["token_created", "login", "login_failed"]
    assert "wrong-password-1" not in str(page)
    (change,) = people.as_(
        "admin", "GET", "/api/security-events", params={"kind": "user_changed"}
    ).json()["items"]
    assert (change["username"], change["actor"]) == ("kevin", "admin")
    assert change["details"]["before"] == {"role": "agent"}
    assert change["details"]["after"] == {"role": "lead"}
    first = people.as_("admin", "GET", "/api/security-events", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_before"] == first["items"][-1]["id"]
    older = people.as_(
        "admin",
        "GET",
        "/api/security-events",
        params={"limit": 2, "before": first["next_before"]},
    ).json()
    assert older["items"][0]["id"] < first["items"][-1]["id"]
    late = people.as_(
        "admin", "GET", "/api/security-events", params={"since": "2099-01-01T00:00:00Z"}
    ).json()
    assert late["items"] == []
    naive = people.as_(
        "admin", "GET", "/api/security-events", params={"since": "2026-01-01T00:00:00"}
    )
    assert naive.status_code == 422
    assert (
        people.as_("admin", "GET", "/api/security-events", params={"kind": "x"}).status_code == 422
    )


@pytest.fixture
def strict(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An app with a per-address limit of 8 failed logins."""
    monkeypatch.setenv("VIGIE_LOGIN_ADDRESS_LIMIT", "8")
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, admin_password=SecretStr(STRONG)
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.vigie.engine.dispose()


def test_logins_are_throttled_per_account_then_per_address(strict: TestClient) -> None:
    def attempt(username: str, password: str) -> Any:
        return strict.post("/api/auth/token", data={"username": username, "password": password})

    for _ in range(5):
        assert attempt("admin", "guess-guess-guess").status_code == 401
    locked = attempt("admin", STRONG)  # the right password, too late
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "this account" in locked.json()["detail"]
    for n in range(3):
        assert attempt(f"ghost{n}", "guess-guess-guess").status_code == 401
    crowded = attempt("someone", "guess-guess-guess")
    assert crowded.status_code == 429 and "this address" in crowded.json()["detail"]
    admin = _admin_token_bypassing_throttle(strict)
    events = strict.get(
        "/api/security-events", params={"kind": "login_throttled"}, headers=bearer(admin)
    ).json()["items"]
    assert {e["username"] for e in events} == {"admin", "someone"}


def _admin_token_bypassing_throttle(client: TestClient) -> str:
    from sqlmodel import Session, select

    from events.schemas import utcnow
    from workflow.auth import issue_token
    from workflow.models import User

    with Session(client.app.state.vigie.engine) as session:  # type: ignore[attr-defined]
        user = session.exec(select(User).where(User.username == "admin")).one()
        token, _ = issue_token(session, user, kind="session", now=utcnow(), ttl=timedelta(hours=1))
        session.commit()
    return token


def test_a_busy_hasher_answers_503_instead_of_queueing_forever(api: Any) -> None:
    workflow.auth.limit_hashing(1, 0.05)
    slots = workflow.auth._slots
    assert slots.acquire(timeout=1)
    try:
        busy = api.client.post("/api/auth/token", data={"username": "admin", "password": "x"})
    finally:
        slots.release()
    assert busy.status_code == 503 and busy.headers["Retry-After"]
    assert log_in(api, "admin", api.admin_password).status_code == 200


def test_the_web_session_cookie_needs_a_csrf_header_for_changes(people: Any) -> None:
    client = people.client
    response = client.post(
        "/api/auth/session", data={"username": "priya", "password": "correct-horse-battery"}
    )
    assert response.status_code == 204
    cookie = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookie if c.startswith("vigie_session="))
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
    assert "access_token" not in response.text
    assert client.get("/api/auth/me").json()["username"] == "priya"
    no_csrf = client.post("/api/auth/tokens", json={"name": "x"})
    assert no_csrf.status_code == 403 and "X-CSRF-Token" in no_csrf.json()["detail"]
    csrf = client.cookies["vigie_csrf"]
    wrong = client.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "no"})
    assert wrong.status_code == 403
    ok = client.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/auth/me").status_code == 401
    elsewhere = client.post(
        "/api/auth/session",
        data={"username": "priya", "password": "correct-horse-battery"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert elsewhere.status_code == 403 and "vigie_session" not in elsewhere.headers.get(
        "set-cookie", ""
    )


@pytest.mark.parametrize("value", [" ", "   changeme ", "short-pw"])
def test_a_blank_or_short_admin_password_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="admin password|placeholder"):
        Settings(admin_password=SecretStr(value))


def test_the_upgrade_gives_old_api_tokens_a_lifetime_and_old_leaks_their_gate(
    database_url: str,
) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from workflow.db import MIGRATIONS, create_db_engine, init_db

    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            sa.text(
                "INSERT INTO users (username, role, teams, active, created_at) "
                "VALUES ('bot', 'agent', '[]', TRUE, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO auth_tokens (user_id, kind, name, token_hash, created_at, revoked) "
                "SELECT id, 'api', 'old', 'h', CURRENT_TIMESTAMP, FALSE FROM users"
            )
        )
        connection.commit()
    engine.dispose()
    engine = init_db(database_url)
    with engine.connect() as connection:
        (expires,) = connection.execute(sa.text("SELECT expires_at FROM auth_tokens")).one()
    assert expires is not None
    engine.dispose()


def test_a_full_hashing_queue_refuses_at_once_rather_than_holding_a_worker() -> None:
    import threading

    workflow.auth.limit_hashing(1, 600)  # a waiter would wait ten minutes
    slots = workflow.auth._slots
    assert slots.acquire(timeout=1)
    outcome: list[BaseException] = []

    def login() -> None:
        try:
            workflow.auth.verify_password("guess", None)
        except workflow.auth.HashingBusy as exc:
            outcome.append(exc)

    workflow.auth._waiting = workflow.auth._queue_limit  # as if four logins were waiting
    try:
        caller = threading.Thread(target=login, daemon=True)
        caller.start()
        caller.join(60)
        assert not caller.is_alive() and len(outcome) == 1
    finally:
        workflow.auth._waiting = 0
        slots.release()
        workflow.auth.limit_hashing(1, 2.0)


def test_over_https_the_session_cookies_are_secure(people: Any) -> None:
    client = TestClient(people.client.app, base_url="https://vigie.example")
    response = client.post(
        "/api/auth/session", data={"username": "priya", "password": "correct-horse-battery"}
    )
    assert response.status_code == 204
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 2 and all("Secure" in c and "SameSite=strict" in c for c in cookies)
    plain = people.client.post(
        "/api/auth/session", data={"username": "priya", "password": "correct-horse-battery"}
    )
    assert not any("Secure" in c for c in plain.headers.get_list("set-cookie"))
