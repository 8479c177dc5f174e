"""A French-only and an English-only walk through the queue, a story, a case, a review and the
settings: any visible word of the other language fails the walk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from web.language import assert_only

from events.schemas import Label, Severity

PASSWORD = "correct-horse-battery"
WORDS = {
    "fr": {
        "user": "Nom d'utilisateur",
        "password": "Mot de passe",
        "submit": "Se connecter",
        "queue": "File des cas",
        "all": "Tous mes cas",
        "resolve": "Résoudre",
        "pending": "À relire",
        "settings": "Réglages",
        "draft": "Réfléchissez avant de poster",
        "check": "Vérifier",
        "text": "Brouillon",
    },
    "en": {
        "user": "Username",
        "password": "Password",
        "submit": "Sign in",
        "queue": "Case queue",
        "all": "All my cases",
        "resolve": "Resolve",
        "pending": "Pending review",
        "settings": "Settings",
        "draft": "Think before you post",
        "check": "Check",
        "text": "Draft",
    },
}


@pytest.fixture(scope="module")
def seeded(server: Any, make_verdict: Any) -> Any:
    server.feed(
        [
            make_verdict(
                "Document interne: projet confidentiel Orion, lancement le 3 mars",
                Label.risky_disclosure,
                Severity.critical,
                ["projet confidentiel"],
                features=("lancement", "de", "yet", "$TICKER"),
                source="staff",
                staff_member_id="s-007",
                author={"id": "s7", "handle": "slavoie_juridique"},
            )
        ]
    )
    return server


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_one_language_from_queue_to_settings(
    browser: Browser, seeded: Any, lang: str, artifacts: Path
) -> None:
    words = WORDS[lang]
    context = browser.new_context(locale=f"{lang}-CA", viewport={"width": 1366, "height": 900})
    page: Page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{seeded.url}/queue")
        page.wait_for_url("**/login**")
        assert_only(page, lang, "login")
        page.get_by_label(words["user"]).fill("admin")
        page.get_by_label(words["password"]).fill(PASSWORD)
        page.get_by_role("button", name=words["submit"]).click()
        expect(page.get_by_role("heading", name=words["queue"])).to_be_visible()
        expect(page.locator("#rows tr").first).to_be_visible()
        expect(page.locator(".tab[aria-pressed=true]")).to_have_text(words["all"])  # has work
        assert_only(page, lang, "queue")

        page.locator("#story-rows a").first.click()
        expect(page.locator("#story-posts li").first).to_be_visible()
        assert_only(page, lang, "story")

        case_id = seeded.case_id("Document interne")
        page.goto(f"{seeded.url}/cases/{case_id}")
        expect(page.locator("mark.ev-span")).to_have_text("projet confidentiel")
        expect(page.locator(".deadlines .why").first).not_to_be_empty()
        assert_only(page, lang, "case")

        task = page.locator('.task[data-team="legal"]')
        if task.locator(".state").inner_text() != words["pending"]:
            task.get_by_role("button", name=words["resolve"]).click()
        expect(task.locator(".state")).to_have_text(words["pending"])
        expect(page.locator('#audit tr[data-action="resolve"]')).to_be_visible()
        assert_only(page, lang, "review")
        page.screenshot(path=artifacts / f"walk-review-{lang}.png", full_page=True)

        page.get_by_role("link", name=words["settings"]).click()
        expect(page.locator("#users tr[data-user='admin']")).to_be_visible()
        expect(page.locator("#teams section").first).to_be_visible()
        assert_only(page, lang, "settings")

        page.get_by_role("link", name=words["draft"]).click()
        page.get_by_label(words["text"], exact=True).fill(
            "Voici le courriel du client: marc.tremblay@exemple.qc.ca"
        )
        page.get_by_role("button", name=words["check"]).click()
        expect(page.locator("#draft-result")).to_be_visible()
        assert_only(page, lang, "draft check")
    finally:
        context.close()


def test_the_check_finds_words_of_the_other_language(page: Page, log_in: Any, server: Any) -> None:
    """The walk's check is not blind: an English sentence on a French page is caught."""
    from web.language import foreign_words

    log_in("admin")
    expect(page.locator("#rows tr").first).to_be_visible()
    assert foreign_words(page, "fr") == []
    page.evaluate("document.querySelector('h1').textContent = 'Case queue: nothing assigned yet'")
    found = foreign_words(page, "fr")
    assert any(w.startswith("queue in") for w in found), found


def test_a_refusal_is_worded_in_the_reader_language(page: Page, log_in: Any, seeded: Any) -> None:
    seeded.add_user("lecteur", "viewer", ["legal"], member_id=None)
    case_id = seeded.case_id("Document interne")
    log_in("lecteur", f"/cases/{case_id}")
    task = page.locator('.task[data-team="legal"]')
    task.get_by_role("button", name="Assigner", exact=True).click()
    expect(page.locator("#notice")).to_have_text(
        "Votre rôle ou vos équipes ne permettent pas cette action."
    )
