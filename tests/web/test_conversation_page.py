"""The case page shows the conversation in French and in English: every post in order, the
brand's reply marked as the brand's and counted as the response, a thread a merge rule joined."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from helpers import make_post
from playwright.sync_api import Browser, Page, expect
from web.language import assert_only

from events.schemas import Label, Severity, Verdict, utcnow

PASSWORD = "correct-horse-battery"
CUSTOMER = {"id": "cv1", "handle": "helene_b"}
LOGIN = {
    "fr": ("Nom d'utilisateur", "Mot de passe", "Se connecter"),
    "en": ("Username", "Password", "Sign in"),
}
SEEN = {
    "fr": ("réponse de la marque", "Fil joint à ce cas par la règle repeated-complaint",
           "La marque a répondu sur la plateforme"),
    "en": ("brand reply", "Thread joined to this case by rule repeated-complaint",
           "The brand replied on the platform"),
}


def _untagged(text: str, **post: Any) -> Verdict:
    return Verdict(post=make_post(text, lang="fr", **post), lang="fr", model_version="lr-7")


@pytest.fixture(scope="module")
def conversation(server: Any, make_verdict: Any) -> int:
    start = utcnow() - timedelta(minutes=30)
    thread = {"conversation_id": "cv-1", "author": CUSTOMER}
    server.feed(
        [
            make_verdict(
                "Cellulaire coupé sans avertissement depuis hier soir",
                Label.complaint,
                Severity.normal,
                ["coupé sans avertissement"],
                platform_post_id="cv-1",
                created_at=start,
                **thread,
            )
        ]
    )
    server.feed(
        [
            _untagged(
                "Bonjour Hélène, désolés! Écrivez-nous en privé avec votre numéro de compte.",
                conversation_id="cv-1",
                reply_to_id="cv-1",
                author={"id": "lm", "handle": "LaurentiaAide"},
                created_at=start + timedelta(minutes=5),
            ),
            _untagged(
                "C'est fait, je vous ai écrit en privé",
                reply_to_id="cv-1",
                created_at=start + timedelta(minutes=10),
                **thread,
            ),
            make_verdict(
                "Toujours coupé ce matin, inacceptable",
                Label.complaint,
                Severity.normal,
                ["inacceptable"],
                conversation_id="cv-2",
                author=CUSTOMER,
                created_at=start + timedelta(minutes=20),
            ),
        ]
    )
    return int(server.case_id("Cellulaire coupé"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_case_page_shows_the_whole_conversation(
    browser: Browser, server: Any, conversation: int, lang: str
) -> None:
    context = browser.new_context(locale=f"{lang}-CA", viewport={"width": 1366, "height": 900})
    page: Page = context.new_page()
    page.set_default_timeout(10_000)
    user, password, submit = LOGIN[lang]
    brand, joined, answered = SEEN[lang]
    try:
        page.goto(f"{server.url}/cases/{conversation}")
        page.wait_for_url("**/login**")
        page.get_by_label(user).fill("admin")
        page.get_by_label(password).fill(PASSWORD)
        page.get_by_role("button", name=submit).click()
        posts = page.locator("#posts li.post")
        expect(posts).to_have_count(4)
        texts = [t.split()[0] for t in posts.locator("blockquote").all_inner_texts()]
        assert texts == ["Cellulaire", "Bonjour", "C'est", "Toujours"]
        expect(posts.nth(1)).to_have_attribute("data-source", "brand")
        expect(posts.nth(1).locator(".meta")).to_contain_text(brand)
        expect(posts.nth(3).locator(".joined")).to_have_text(joined)
        expect(page.locator('#audit tr[data-action="brand_reply"]')).to_contain_text(answered)
        assert_only(page, lang, "conversation")
    finally:
        context.close()
