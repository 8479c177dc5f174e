"""A real API server with the web pages mounted, seeded cases, and Chromium driven by Playwright.

The server runs the workflow API (SQLite) in a thread, with the queue pages and the draft-check
route that `vigie api` mounts (built here the same way, from the classify engine). Screenshots
go to $VIGIE_TEST_ARTIFACTS/web (default: artifacts/web at the repository root).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Depends, FastAPI
from helpers import CHROMIUM, CHROMIUM_ARGS, make_post
from playwright.sync_api import Browser, Page, sync_playwright
from pydantic import BaseModel, Field
from sqlmodel import Session

from events.broker import free_port
from events.schemas import Evidence, Label, LabelVerdict, Severity, Source, Verdict, utcnow
from events.settings import Settings
from workflow.api.draft_link_routes import draft_access

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"


class Draft(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    lang: str | None = Field(default=None, pattern=r"^(fr|en)$")


def _draft_check_router(settings: Settings) -> APIRouter:
    """POST /api/draft-check: the classify engine on a draft, nothing stored, behind a login or
    a signed link (as `vigie api`)."""
    from classify.detectors import (
        DEFAULT_CONFIG,
        DetectorsConfig,
        build_detectors,
        context_from_brand,
    )
    from classify.engine import Engine
    from classify.item import Item
    from events.brand import load_brand_config

    brand = load_brand_config(settings.brand_config)
    config = DetectorsConfig.load(DEFAULT_CONFIG)
    engine = Engine(
        brand=brand,
        detectors=build_detectors(config, context_from_brand(brand, config.regions)),
        model=None,
    )
    router = APIRouter(dependencies=[Depends(draft_access)])

    @router.post("/api/draft-check")
    def draft_check(draft: Draft) -> dict[str, Any]:
        result = engine.classify_one(Item(text=draft.text, lang=draft.lang, source=Source.staff))
        return {
            "lang": result.lang,
            "labels": [lv.model_dump(mode="json") for lv in result.labels],
            "notes": result.notes,
            "model_version": engine.model_version,
            "detector_versions": engine.detector_versions,
        }

    return router


def verdict(
    text: str,
    label: Label,
    severity: Severity,
    spans: list[str],
    *,
    features: tuple[str, ...] = (),
    lang: str = "fr",
    **post: Any,
) -> Verdict:
    """A verdict whose evidence marks the given phrases of the text (and model features)."""
    evidence = [
        Evidence(
            kind="span",
            detector="keywords",
            version="2",
            text=s,
            start=text.index(s),
            end=text.index(s) + len(s),
            detail="phrase list",
        )
        for s in spans
    ]
    evidence += [
        Evidence(kind="feature", detector="model", version="lr-7", text=f, weight=0.8)
        for f in features
    ]
    return Verdict(
        post=make_post(text, lang=lang, **post),
        lang=lang,
        model_version="lr-7",
        labels=[LabelVerdict(label=label, score=0.87, severity=severity, evidence=evidence)],
    )


SEED = [
    verdict(
        "@LaurentiaAide toujours pas reçu ma commande 4521 après trois semaines, service client injoignable!",
        Label.complaint,
        Severity.normal,
        ["toujours pas reçu ma commande"],
        features=("injoignable", "de", "yet", "$TICKER"),
        url="https://x.com/marie_lvl/status/1",
        author={"id": "a1", "handle": "marie_lvl"},
    ),
    verdict(
        "@LaurentiaMobile still waiting for my refund, worst support ever",
        Label.complaint,
        Severity.normal,
        ["still waiting for my refund"],
        lang="en",
        author={"id": "a2", "handle": "tom_qc"},
    ),
    verdict(
        "Facture doublée ce mois-ci et personne ne répond au chat",
        Label.complaint,
        Severity.normal,
        ["personne ne répond"],
        author={"id": "a3", "handle": "gpaquette"},
    ),
    verdict(
        "Journaliste à La Presse : pouvez-vous commenter la panne de ce matin?",
        Label.press_inquiry,
        Severity.high,
        ["pouvez-vous commenter"],
        author={"id": "a4", "handle": "annie_renaud_eo"},
    ),
    verdict(
        "il paraît que l'usine de Lévis ferme en juin",
        Label.rumour,
        Severity.high,
        ["il paraît que"],
        author={"id": "a5", "handle": "bzz_quebec"},
    ),
]


@dataclass
class Server:
    url: str
    app: FastAPI
    settings: Settings

    def token(self, username: str, password: str = PASSWORD) -> str:
        response = httpx.post(
            f"{self.url}/api/auth/token", data={"username": username, "password": password}
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def call(
        self, method: str, path: str, username: str = "admin", **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=10, **kwargs)

    def case_id(self, text_start: str) -> int:
        items = self.call("GET", "/api/cases", params={"limit": 200}).json()["items"]
        return next(c["id"] for c in items if c["summary"].startswith(text_start))

    def feed(self, verdicts: list[Verdict]) -> None:
        _seed(self.app, verdicts)

    def add_user(self, username: str, role: str, teams: list[str], member_id: str | None) -> None:
        user = {"username": username, "password": PASSWORD, "role": role, "teams": teams}
        self.call("POST", "/api/users", json=user | {"member_id": member_id}).raise_for_status()


def _seed(app: FastAPI, verdicts: list[Verdict]) -> None:
    from workflow.intake import ingest_verdicts

    state = app.state.vigie
    with Session(state.engine) as session:
        ingest_verdicts(session, state.book, verdicts, now=utcnow())
        session.commit()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    import workflow.auth
    from workflow.api import create_app
    from workflow.web import create_router

    data = tmp_path_factory.mktemp("web")
    settings = Settings(
        data_dir=data, database_url=f"sqlite:///{data / 'vigie.db'}", admin_password=PASSWORD
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            workflow.auth, "_hasher", PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024),))
        )
        app = create_app(settings)
        app.include_router(create_router(settings))
        app.include_router(_draft_check_router(settings))
        _seed(app, SEED)
        port = free_port()
        uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=uv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not uv.started and time.monotonic() < deadline:
            time.sleep(0.05)
        running = Server(f"http://127.0.0.1:{port}", app, settings)
        running.add_user("emilie", "agent", ["customer_care"], member_id="emilie")
        yield running
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-CA", viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


@pytest.fixture(name="make_verdict", scope="session")
def make_verdict_fixture() -> Any:
    """`make_verdict(text, label, severity, spans, features=(), lang="fr", **post_fields)`."""
    return verdict


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("VIGIE_TEST_ARTIFACTS", ROOT / "artifacts")) / "web"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def log_in(page: Page, server: Server) -> Any:
    """`log_in(username, target="/queue")`: through the login page, as a person would."""

    def go(username: str, target: str = "/queue") -> None:
        page.goto(f"{server.url}{target}")
        page.wait_for_url("**/login**")
        page.get_by_label("Nom d'utilisateur").fill(username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"**{target}")

    return go
