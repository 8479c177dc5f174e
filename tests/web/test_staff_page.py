"""The staff programme's pages in a browser, in French and in English: the roster's policy
standing and the highlights (/staff, leads and admins), and the acknowledgement an employee
makes from a signed link with no queue account (/acknowledge)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from web.language import assert_only

from events.schemas import Label, Severity, Source

PASSWORD = "correct-horse-battery"
LOGIN = {"fr": ("Nom d'utilisateur", "Mot de passe", "Se connecter"),
         "en": ("Username", "Password", "Sign in")}
WORDS = {
    "fr": {"staff": "Employés", "title": "Programme des employés", "kind": "Réponse utile",
           "read": "J'ai lu la politique et je l'accepte.", "accept": "Accepter", "thanks": "Merci"},
    "en": {"staff": "Staff", "title": "Staff programme", "kind": "Helpful answer",
           "read": "I have read the policy and I accept it.", "accept": "Accept",
           "thanks": "Thank you"},
}


@pytest.fixture(scope="module")
def answered(server: Any, make_verdict: Any) -> Any:
    """A customer's complaint and a staff member's helpful answer to it."""
    complaint = make_verdict(
        "@LaurentiaAide mon cellulaire ne capte plus rien depuis hier soir",
        Label.complaint, Severity.normal, ["ne capte plus rien"],
        platform_post_id="7001", conversation_id="7001",
        author={"id": "c70", "handle": "lu_veilleux"},
    )
    server.feed([complaint])
    reply = complaint.model_copy(update={"labels": [], "post": complaint.post.model_copy(update={
        "platform_post_id": "7002", "reply_to_id": "7001", "source": Source.staff,
        "staff_member_id": "s-003", "text": "@lu_veilleux Désolée! Écrivez-nous en DM avec votre adresse.",
        "author": complaint.post.author.model_copy(update={"id": "p3", "handle": "priya_aide"}),
    })})
    server.feed([reply])
    return server


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_staff_page_and_acknowledgement_in_one_language(
    browser: Browser, answered: Any, lang: str, artifacts: Path
) -> None:
    words = WORDS[lang]
    context = browser.new_context(locale=f"{lang}-CA", viewport={"width": 1366, "height": 900})
    page: Page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        user, password, submit = LOGIN[lang]
        page.goto(f"{answered.url}/queue")
        page.wait_for_url("**/login**")
        page.get_by_label(user).fill("admin")
        page.get_by_label(password).fill(PASSWORD)
        page.get_by_role("button", name=submit).click()
        page.get_by_role("link", name=words["staff"], exact=True).click()
        expect(page.get_by_role("heading", name=words["title"])).to_be_visible()
        expect(page.locator("#roster tr")).to_have_count(10)
        highlight = page.locator('#highlights article[data-kind="helpful_answer"]')
        expect(highlight).to_contain_text(words["kind"])
        expect(highlight).to_contain_text("Écrivez-nous en DM")
        assert_only(page, lang, "staff page")
        page.screenshot(path=artifacts / f"staff-{lang}.png", full_page=True)

        issued = answered.call("POST", "/api/staff-policy/links", json={"staff_id": "s-010"})
        assert issued.status_code == 201, issued.text
        employee = browser.new_context(locale=f"{lang}-CA")  # no queue login at all
        ack = employee.new_page()
        ack.set_default_timeout(10_000)
        ack.goto(f"{answered.url}{issued.json()['url']}")
        expect(ack.locator("#ack-form-box")).to_be_visible()
        assert "link=" not in ack.url  # the link leaves the address bar
        assert_only(ack, lang, "acknowledgement")
        ack.get_by_label(words["read"]).check()
        ack.get_by_role("button", name=words["accept"]).click()
        expect(ack.locator("#ack-hello")).to_contain_text(words["thanks"])
        assert_only(ack, lang, "acknowledged")
        ack.screenshot(path=artifacts / f"acknowledge-{lang}.png", full_page=True)
        employee.close()
        roster = answered.call("GET", "/api/staff-policy").json()
        kevin = next(s for s in roster["staff"] if s["staff_id"] == "s-010")
        assert kevin["accepted_version"] == roster["policy"]["version"]
    finally:
        context.close()


def test_a_bad_link_says_so_and_offers_nothing(page: Page, answered: Any) -> None:
    page.goto(f"{answered.url}/acknowledge?link=nope.nope")
    expect(page.locator("#ack-hello")).to_contain_text("n'est plus valide")
    assert page.locator("#ack-form-box").is_hidden()
    agent = httpx.get(
        f"{answered.url}/api/staff-policy",
        headers={"Authorization": f"Bearer {answered.token('emilie')}"},
    )
    assert agent.status_code == 403  # an agent does not read the roster
