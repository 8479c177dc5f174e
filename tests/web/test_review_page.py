"""The second reviewer in Chromium: an agent asks to resolve a leak, cannot approve it herself,
her lead finds it in the queue, sends it back without a reason (refused), then approves it;
and the platform filter asks the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from events.schemas import Label, Severity

LEAK = "Capture de l'outil interne: voici le courriel du client, projet confidentiel Orion"


@pytest.fixture(scope="module")
def cases(server: Any, make_verdict: Any) -> Any:
    server.feed(
        [
            make_verdict(
                LEAK,
                Label.risky_disclosure,
                Severity.critical,
                ["projet confidentiel"],
                source="staff",
                staff_member_id="s-007",
                author={"id": "s7", "handle": "slavoie_juridique"},
            ),
            make_verdict(
                "Mon forfait a doublé sans avertissement, bravo",
                Label.complaint,
                Severity.normal,
                ["sans avertissement"],
                platform="mastodon",
                author={"id": "m1", "handle": "luc@mastodon.social"},
            ),
        ]
    )
    server.add_user("sophie", "agent", ["legal"], member_id="sophie")
    server.add_user("legalead", "lead", ["legal"], member_id=None)
    return server


def switch_user(page: Page, log_in: Any, username: str, target: str) -> None:
    page.context.clear_cookies()
    log_in(username, target)


def test_a_leak_is_closed_by_two_people(
    page: Page, log_in: Any, cases: Any, artifacts: Path
) -> None:
    case_id = cases.case_id("Capture de l'outil interne")
    log_in("sophie", f"/cases/{case_id}")
    expect(page.locator("#review")).to_contain_text("une deuxième personne doit approuver")
    task = page.locator('.task[data-team="legal"]')
    task.get_by_role("button", name="Résoudre").click()
    expect(task.locator(".state")).to_have_text("À relire")
    expect(task.locator(".review")).to_contain_text("sophie demande de résoudre cette tâche")
    expect(task.locator(".review")).to_contain_text("une autre personne doit l'approuver")
    expect(task.get_by_role("button", name="Approuver")).to_be_disabled()
    expect(task.get_by_role("button", name="Résoudre")).to_have_count(0)
    page.screenshot(path=artifacts / "review-asked-fr.png", full_page=True)

    switch_user(page, log_in, "legalead", "/queue")
    page.get_by_role("button", name="Tous mes cas").click()
    page.get_by_label("État").select_option("pending_review")
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("À relire")
    page.get_by_role("link", name=f"#{case_id}", exact=True).click()
    page.wait_for_url(f"**/cases/{case_id}")
    task = page.locator('.task[data-team="legal"]')
    task.get_by_role("button", name="Renvoyer").click()
    expect(page.locator("#notice")).to_have_text("Indiquez ce qui doit changer avant de fermer.")
    expect(task.locator(".state")).to_have_text("À relire")
    task.get_by_role("button", name="Approuver").click()
    expect(task.locator(".state")).to_have_text("Résolu")
    expect(task.locator(".review")).to_contain_text("Fermeture approuvée par legalead")
    audit = page.locator("#audit")
    expect(audit.locator('tr[data-action="resolve"]')).to_contain_text("sophie")
    expect(audit.locator('tr[data-action="resolve"]')).to_contain_text(
        "résolution demandée, en attente d'une deuxième personne. État : Assigné → À relire."
    )
    expect(audit.locator('tr[data-action="approve"]')).to_contain_text("legalead")
    page.screenshot(path=artifacts / "review-approved-fr.png", full_page=True)
    detail = cases.call("GET", f"/api/cases/{case_id}").json()
    assert detail["state"] == "resolved"
    assert [(a["action"], a["actor"]) for a in detail["audit"] if a["task_id"]][-2:] == [
        ("resolve", "sophie"),
        ("approve", "legalead"),
    ]


def test_the_platform_filter_asks_the_server(page: Page, log_in: Any, cases: Any) -> None:
    log_in("admin")
    page.get_by_role("button", name="Tous mes cas").click()
    expect(page.locator("#rows tr").first).to_be_visible()
    with page.expect_request(lambda r: "/api/cases?" in r.url and "platform=mastodon" in r.url):
        page.get_by_label("Plateforme").select_option("mastodon")
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("luc@mastodon.social · mastodon")
