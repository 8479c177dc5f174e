"""Fixtures of the workflow tests: the bundled brand configuration, a migrated and seeded
database (on SQLite and PostgreSQL through `database_url`), verdict factories, and the queue
API with a client that logs people in (`api`, and `people` with users in several teams)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import make_post
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session

from events.brand import BrandConfig, load_brand_config
from events.schemas import Evidence, LabelVerdict, Verdict, utcnow
from events.settings import BUNDLED_BRAND_CONFIG, Settings
from workflow.api import create_app
from workflow.book import PolicyBook
from workflow.db import init_db
from workflow.intake import ingest_verdicts
from workflow.seed import seed_directory

TEST_AUTHOR_LISTS = {
    "journalists": ["journaliste_lp", "reporter_cbcmtl"],
    "vip": ["mairedemontreal"],
}


@pytest.fixture(scope="session")
def brand() -> BrandConfig:
    """The bundled configuration, with author lists of this suite's own (the file's may change)."""
    return load_brand_config(BUNDLED_BRAND_CONFIG).model_copy(
        update={"author_lists": TEST_AUTHOR_LISTS}
    )


@pytest.fixture
def book(brand: BrandConfig) -> PolicyBook:
    return PolicyBook(brand)


@pytest.fixture
def engine(database_url: str, brand: BrandConfig) -> Iterator[Engine]:
    engine = init_db(database_url)
    seed_directory(engine, brand)
    yield engine
    engine.dispose()


def build_verdict(
    text: str = "Bonjour",
    labels: tuple[tuple[str, str], ...] = (),
    *,
    lang: str = "fr",
    shadow: bool = False,
    **post: Any,
) -> Verdict:
    """A verdict; labels as (label, severity) pairs, post fields as keyword arguments."""
    evidence = [
        Evidence(
            kind="span",
            detector="keywords",
            version="1",
            text=text[:20],
            start=0,
            end=min(len(text), 20),
        )
    ]
    return Verdict(
        post=make_post(text, **post),
        lang=lang,
        labels=[
            LabelVerdict(label=label, score=0.9, severity=severity, evidence=evidence)
            for label, severity in labels
        ],
        model_version="test-model-1",
        shadow=shadow,
    )


FRIDAY_1710 = datetime(2026, 1, 9, 22, 10, tzinfo=UTC)
"""Friday 9 January 2026, 17:10 in Toronto (EST)."""


@pytest.fixture(name="make_verdict")
def make_verdict_fixture() -> Any:
    """`make_verdict(text, ((label, severity), ...), lang=..., **post_fields)`."""
    return build_verdict


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Argon2, with test-sized cost (production keeps pwdlib's recommended parameters)."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    import workflow.auth

    monkeypatch.setattr(
        workflow.auth, "_hasher", PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024),))
    )


ADMIN_PASSWORD = "admin-pass-for-tests"
PASSWORD = "correct-horse-battery"


class Api:
    """A test client that logs people in and remembers their tokens."""

    admin_password = ADMIN_PASSWORD

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    @property
    def engine(self) -> Engine:
        return self.client.app.state.vigie.engine  # type: ignore[attr-defined,no-any-return]

    def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        if username not in self.tokens:
            response = self.client.post(
                "/api/auth/token", data={"username": username, "password": password}
            )
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def as_(
        self, username: str, method: str, url: str, *, headers: dict | None = None, **kwargs: Any
    ) -> Any:
        password = ADMIN_PASSWORD if username == "admin" else PASSWORD
        return self.client.request(
            method, url, headers=self.login(username, password) | (headers or {}), **kwargs
        )

    def add_user(
        self, username: str, role: str, teams: list[str], member_id: str | None = None
    ) -> None:
        response = self.as_(
            "admin",
            "POST",
            "/api/users",
            json={
                "username": username,
                "password": PASSWORD,
                "role": role,
                "teams": teams,
                "member_id": member_id,
            },
        )
        assert response.status_code == 201, response.text

    def feed(self, *verdicts: Any) -> None:
        state = self.client.app.state.vigie  # type: ignore[attr-defined]
        with Session(state.engine) as session:
            ingest_verdicts(session, state.book, list(verdicts), now=utcnow())
            session.commit()

    def cases(self, username: str = "admin", **params: Any) -> list[dict]:
        response = self.as_(username, "GET", "/api/cases", params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def act(self, username: str, case_id: int, **action: Any) -> Any:
        """POST one action on the case's current version (read first, as a person would)."""
        if "version" not in action:
            action["version"] = self.as_(username, "GET", f"/api/cases/{case_id}").json()["version"]
        return self.as_(username, "POST", f"/api/cases/{case_id}/actions", json=action)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, admin_password=SecretStr(ADMIN_PASSWORD)
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield Api(client)
    app.state.vigie.engine.dispose()


@pytest.fixture
def people(api: Api) -> Api:
    api.add_user("priya", "agent", ["customer_care"], member_id="priya")
    api.add_user("kevin", "agent", ["customer_care"], member_id="kevin")
    api.add_user("carelead", "lead", ["customer_care"])
    api.add_user("sophie", "agent", ["legal"], member_id="sophie")
    api.add_user("legalead", "lead", ["legal"])
    api.add_user("olivier", "agent", ["security"], member_id="olivier")
    api.add_user("nadia", "viewer", ["comms"])
    return api
