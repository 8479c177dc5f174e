"""The page routes without a browser: shells, security headers, assets and bad paths."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from events.settings import Settings
from workflow.web import create_router


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(create_router(Settings()))
    return TestClient(app)


@pytest.mark.parametrize(
    ("path", "script"),
    [
        ("/queue", "queue.js"),
        ("/cases/42", "case.js"),
        ("/draft-check", "draft.js"),
        ("/settings", "settings.js"),
        ("/login", "login.js"),
    ],
)
def test_pages_are_served_with_a_strict_policy(client: TestClient, path: str, script: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert f'src="/assets/vigie/{script}"' in response.text
    assert (
        "script-src" not in response.headers["content-security-policy"]
    )  # default-src 'self' only
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_home_goes_to_the_queue(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/queue"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("app.css", "text/css"),
        ("queue.js", "text/javascript"),
        ("guidance.json", "application/json"),
    ],
)
def test_assets_have_their_type(client: TestClient, name: str, kind: str) -> None:
    response = client.get(f"/assets/vigie/{name}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(kind)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/assets/vigie/nothing.js", 404),
        ("/assets/vigie/__init__.py", 422),
        ("/assets/vigie/..%2Frouter.py", 404),
        ("/assets/vigie/queue.html", 422),
        ("/cases/0", 422),
        ("/cases/abc", 422),
    ],
)
def test_bad_paths_get_a_4xx(client: TestClient, path: str, status: int) -> None:
    assert client.get(path).status_code == status


def test_guidance_covers_every_label(client: TestClient) -> None:
    from events.schemas import Label

    guidance = client.get("/assets/vigie/guidance.json").json()
    assert set(guidance) == {label.value for label in Label}
    assert all(entry["fr"] and entry["en"] for entry in guidance.values())
