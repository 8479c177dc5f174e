"""The web session in Chromium: an HttpOnly cookie every tab shares, logout that ends it, and a
login page that follows `next` only inside the site."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from events.schemas import Label, Severity

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def case_id(server: Any, make_verdict: Any) -> int:
    server.feed(
        [
            make_verdict(
                "Ma facture de novembre est fausse, encore",
                Label.complaint,
                Severity.normal,
                ["facture"],
            )
        ]
    )
    return int(server.case_id("Ma facture de novembre"))


def test_an_alert_link_opened_in_a_new_tab_lands_on_the_case(
    page: Page, log_in: Any, server: Any, case_id: int
) -> None:
    log_in("emilie", f"/cases/{case_id}")  # logged out: through the login page, then the case
    expect(page.locator("#posts")).to_contain_text("Ma facture de novembre")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["vigie_session"]["httpOnly"] and cookies["vigie_session"]["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").count("vigie_session") == 0
    tab = page.context.new_page()  # logged in: straight to the case
    tab.goto(f"{server.url}/cases/{case_id}")
    expect(tab.locator("#posts")).to_contain_text("Ma facture de novembre")
    assert tab.url.endswith(f"/cases/{case_id}")
    session = cookies["vigie_session"]["value"]
    tab.get_by_role("button", name="Se déconnecter").click()
    tab.wait_for_url("**/login")
    ended = httpx.get(
        f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {session}"}, timeout=10
    )
    assert ended.status_code == 401


@pytest.mark.parametrize(
    "target", ["/%5C127.0.0.1:8299/x", "/%09/127.0.0.1:8299/x", "//evil.example/x"]
)
def test_login_follows_next_only_inside_the_site(page: Page, server: Any, target: str) -> None:
    page.goto(f"{server.url}/login?next={target}")
    page.get_by_label("Nom d'utilisateur").fill("emilie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server.url}/queue")
    assert page.url == f"{server.url}/queue"
