"""Every endpoint x identity (role and team) x case (restricted included) against
tests/workflow/authz_table.py, on both databases; the routes come from the app itself, so an
endpoint without a row in the table fails here."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlmodel import Session, select

from events.schemas import utcnow
from workflow.auth import issue_token
from workflow.models import User
from workflow.web import create_router

_spec = importlib.util.spec_from_file_location(
    "authz_table", Path(__file__).with_name("authz_table.py")
)
authz_table = sys.modules["authz_table"] = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(authz_table)  # type: ignore[union-attr]
EVERYONE, TABLE, Row = authz_table.EVERYONE, authz_table.TABLE, authz_table.Row
PASSWORD = "correct-horse-battery"  # tests/workflow/conftest.py gives it to every user

PATH_VALUES = {
    "{team_id}": "customer_care",
    "{member_id}": "priya",
    "{username}": "priya",
    "{token_id}": None,  # filled per route below
    "{name}": "app.css",
    "{source}": "generic",
}


def compose(app: Any) -> None:
    """The routers `vigie api` adds to the workflow's (vigie.wiring.build_api)."""
    from fastapi import Depends

    from classify.draft import create_router as draft_router
    from ingest.webhooks import create_router as webhook_router
    from workflow.api.deps import get_principal

    settings = app.state.vigie.settings
    app.include_router(create_router(settings))
    app.include_router(webhook_router(settings))
    app.include_router(draft_router(settings, dependencies=[Depends(get_principal)]))


def routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, included routers flattened."""
    found = set()
    for route in iter_route_contexts(app.routes):
        if (
            route.methods
            and route.path
            and not route.path.startswith(("/docs", "/openapi", "/redoc"))
        ):
            found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return found


@pytest.fixture
def world(people: Any, make_verdict: Any) -> Any:
    compose(people.client.app)
    people.feed(
        make_verdict("Toujours pas reçu ma commande", (("complaint", "normal"),)),
        make_verdict(
            "voici le courriel du client: a@b.ca",
            (("risky_disclosure", "critical"),),
            source="staff",
            staff_member_id="s-003",
        ),
    )
    cases = {c["tasks"][0]["team"]: c["id"] for c in people.cases("admin")}
    people.case_ids = {"care": cases["customer_care"], "legal": cases["legal"]}
    people.admin_token_id = people.as_(
        "admin", "POST", "/api/auth/tokens", json={"name": "setup"}
    ).json()["id"]
    return people


def fresh_token(api: Any, username: str) -> str:
    """A session of its own for each request (logout and password change end only that one)."""
    with Session(api.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        token, _ = issue_token(session, user, kind="session", now=utcnow(), ttl=timedelta(hours=1))
        session.commit()
    return token


def call(api: Any, who: str, method: str, path: str, row: Row, case: str | None) -> int:
    url = path
    for key, value in PATH_VALUES.items():
        if key == "{token_id}":
            value = api.admin_token_id if path.startswith("/api/auth/tokens") else 999_999
        url = url.replace(key, str(value))
    body = row.json(who) if row.json else None
    url = url.replace("{case_id:int}", "{case_id}")
    if case is not None:
        case_id = api.case_ids[case]
        url = url.replace("{case_id}", str(case_id))
        version = api.as_("admin", "GET", f"/api/cases/{case_id}").json()["version"]
        if path.endswith("/bulk"):
            body = body | {"items": [{"case_id": case_id, "version": version}]}
        elif body is not None:
            body = body | {"version": version}
    elif "{case_id}" in url:
        url = url.replace("{case_id}", str(api.case_ids["care"]))
    headers = {} if who == "anonymous" else {"Authorization": f"Bearer {fresh_token(api, who)}"}
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False, "params": row.params}
    if row.form:
        kwargs["data"] = {"username": "priya", "password": PASSWORD}
    elif body is not None:
        kwargs["json"] = body
    api.client.cookies.clear()  # the cookie login of a public row must not follow anyone
    response = api.client.request(method, url, **kwargs)
    if path.endswith("/bulk") and response.status_code == 200:
        return int(response.json()[0]["status"])
    return int(response.status_code)


def test_every_route_has_a_row(world: Any) -> None:
    from vigie.wiring import build_api

    served = build_api(world.client.app.state.vigie.settings)  # what `vigie api` serves
    assert routes(served) == routes(world.client.app), "compose() is out of step with wiring"
    served.state.vigie.engine.dispose()
    app_routes = routes(world.client.app)
    missing = sorted(app_routes - set(TABLE))
    assert missing == [], f"add these endpoints to authz_table.py: {missing}"
    assert sorted(set(TABLE) - app_routes) == [], "these rows name no endpoint"


def test_every_endpoint_role_and_team_gets_what_the_table_says(world: Any) -> None:
    wrong = []
    for (method, path), row in sorted(TABLE.items()):
        scopes: list[tuple[str | None, Any]] = (
            list(row.allowed.items()) if isinstance(row.allowed, dict) else [(None, row.allowed)]
        )
        for case, allowed in scopes:
            for who in ["anonymous", *sorted(EVERYONE)]:
                status = call(world, who, method, path, row, case)
                if allowed == "public":
                    ok = status not in (401, 403)
                elif allowed == "signed":
                    ok = 400 <= status < 500
                elif who == "anonymous":
                    ok = status == 401
                elif who in allowed:
                    ok = status not in (401, 403, 404) and status < 500
                else:
                    ok = status in (403, 404)
                if not ok:
                    wrong.append(f"{method} {path} [{case}] as {who}: {status}")
    assert wrong == [], "\n".join(wrong)
