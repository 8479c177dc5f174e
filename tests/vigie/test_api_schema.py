"""The OpenAPI document is the API: schemathesis, every check, over every operation of the
composed API (queue, draft check, webhooks), as each role and unauthenticated, on a seeded
database. Bounded (few examples per operation) so it stays a CI test; a longer run is the same
test with VIGIE_SCHEMATHESIS_EXAMPLES raised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import schemathesis.engine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers import make_post
from pydantic import SecretStr
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from sqlmodel import Session

from events.schemas import Evidence, LabelVerdict, Source, Verdict, utcnow
from events.settings import Settings
from vigie.wiring import build_api
from workflow.intake import ingest_verdicts

ADMIN_PASSWORD = "schema-admin-password"
PASSWORD = "schema-user-password"
EXAMPLES = int(os.environ.get("VIGIE_SCHEMATHESIS_EXAMPLES", "5"))

# (username, role, teams): one identity per role; None is the unauthenticated caller.
IDENTITIES: dict[str | None, tuple[str, list[str]] | None] = {
    None: None,
    "vera": ("viewer", ["comms"]),
    "agnes": ("agent", ["customer_care"]),
    "leo": ("lead", ["legal"]),
    "admin": ("admin", []),
}

CONFIG = {
    "generation": {"max-examples": EXAMPLES, "deterministic": True},
    "phases": {"stateful": {"enabled": True}},
    "checks": {
        # A request the schema allows may still not apply to the case as it is now (a task
        # already resolved, a version gone stale): the workflow then refuses it with a reason.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "428"]
        },
    },
}


def _verdict(text: str, label: str, severity: str, **post: Any) -> Verdict:
    evidence = Evidence(kind="span", detector="keywords", version="1", text=text[:10], start=0, end=10)
    return Verdict(
        post=make_post(text, **post),
        lang="fr",
        labels=[LabelVerdict(label=label, score=0.9, severity=severity, evidence=[evidence])],
        model_version="schema-test",
    )


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    data = tmp_path_factory.mktemp("schema")
    settings_ = Settings(
        database_url=f"sqlite:///{Path(data) / 'vigie.db'}",
        data_dir=data,
        admin_password=SecretStr(ADMIN_PASSWORD),
    )
    app = build_api(settings_)
    with TestClient(app) as client:
        admin = _login(client, "admin", ADMIN_PASSWORD)
        for username, identity in IDENTITIES.items():
            if identity is None or username == "admin":
                continue
            role, teams = identity
            created = client.post(
                "/api/users",
                json={"username": username, "password": PASSWORD, "role": role, "teams": teams},
                headers=admin,
            )
            assert created.status_code == 201, created.text
        state = app.state.vigie
        with Session(state.engine) as session:
            ingest_verdicts(
                session,
                state.book,
                [
                    _verdict("Toujours pas reçu ma commande", "complaint", "normal"),
                    _verdict("Journaliste: un commentaire?", "press_inquiry", "high"),
                    _verdict(
                        "voici le fichier interne du client",
                        "risky_disclosure",
                        "critical",
                        source=Source.staff,
                        staff_member_id="s-003",
                    ),
                ],
                now=utcnow(),
            )
            session.commit()
        yield app
    app.state.vigie.engine.dispose()


def _login(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("identity", list(IDENTITIES), ids=lambda who: who or "anonymous")
def test_the_api_answers_as_its_openapi_document_says(
    seeded_app: FastAPI, identity: str | None
) -> None:
    """Every phase (examples, coverage, fuzzing, stateful) and every check. Each identity logs
    in afresh: a run may have revoked tokens (DELETE /api/auth/tokens/{id} as an admin)."""
    app = seeded_app
    headers: dict[str, str] = {}
    if identity is not None:
        password = ADMIN_PASSWORD if identity == "admin" else PASSWORD
        headers = _login(TestClient(app), identity, password)  # the app is already started
    config = SchemathesisConfig.from_dict(CONFIG | {"headers": headers})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    problems: list[str] = []
    tested = 0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested += 1
            problems += _failed_checks(event)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"error: {getattr(event, 'label', '')} {getattr(event, 'value', event)}")
        elif isinstance(event, events.EngineFinished):
            problems += [_describe(failure) for failure in event.failures]
    assert tested > 0
    unique = list(dict.fromkeys(problems))
    assert not unique, f"{len(unique)} failure(s):\n\n" + "\n\n".join(unique[:30])


def _failed_checks(event: Any) -> list[str]:
    found = []
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.failure_info is not None:
                failure = check.failure_info.failure
                found.append(f"{event.recorder.label}: {check.name}: {failure}")
    return found


def _describe(failure: Any) -> str:
    return f"{getattr(failure, 'operation', '')}: {getattr(failure, 'title', '')}\n{failure}"
