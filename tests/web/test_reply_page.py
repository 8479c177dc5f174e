"""Replying from the case page in Chromium: a template picked in French and in English, edited,
sent, and shown published with the platform's link once ingest reports it; on a high-risk case
the reply waits for a second person, who approves it from the same page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from events.schemas import Label, ReplyOutcome, Severity
from workflow.models import CaseReply
from workflow.replies import apply_outcome

PASSWORD = "correct-horse-battery"


def _report_sent(server: Any, reply_id: int, tweet_id: str) -> str:
    """What the workflow does with ingest's outcome (workflow.reply_service), done here: the
    web server of these tests runs no broker."""
    url = f"https://x.com/i/web/status/{tweet_id}"
    with Session(server.app.state.vigie.engine) as session:
        row = session.exec(select(CaseReply).where(CaseReply.id == reply_id)).one()
        outcome = ReplyOutcome(
            reply_id=row.reply_key,
            case_id=row.case_id,
            status="sent",
            platform_post_id=tweet_id,
            url=url,
        )
        apply_outcome(session, outcome, outcome.at)
        session.commit()
    return url


def _only_reply(server: Any, case_id: int) -> dict[str, Any]:
    [reply] = server.call("GET", f"/api/cases/{case_id}/replies").json()["replies"]
    return dict(reply)


def test_replying_with_a_french_template(
    page: Page, log_in: Any, server: Any, artifacts: Path
) -> None:
    case_id = server.case_id("Facture doublée")
    log_in("emilie", f"/cases/{case_id}")
    panel = page.locator("#reply-panel")
    expect(panel.get_by_role("heading", name="Répondre")).to_be_visible()
    expect(panel.get_by_label("Langue du modèle")).to_have_value("fr")
    panel.get_by_label("Modèle", exact=True).select_option("private-message")
    text = panel.get_by_label("Réponse (modifiable avant l'envoi)")
    expect(text).to_have_value(
        f"Bonjour @gpaquette, désolés pour ce pépin. Écrivez-nous en message privé avec votre "
        f"numéro de dossier {case_id} (jamais de numéro de compte en public) et on règle ça "
        f"ensemble. Émilie, Laurentia Mobile"
    )
    text.fill(text.input_value().replace("ce pépin", "la double facture"))
    expect(panel.locator("#reply-count")).to_contain_text("caractères")
    panel.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#notice")).to_have_text("Réponse en route vers la plateforme.")
    item = panel.locator(".reply").first
    expect(item.locator(".reply-state")).to_have_text("Réponse · En route vers la plateforme")
    expect(item).to_contain_text("désolés pour la double facture")
    sent = _only_reply(server, case_id)
    assert (sent["lang"], sent["template"], sent["requested_by"]) == (
        "fr",
        "private-message",
        "emilie",
    )
    assert "désolés pour la double facture" in sent["text"]

    url = _report_sent(server, sent["id"], "1900000000000000001")
    expect(item.locator(".reply-state")).to_have_text("Réponse · Publiée")
    expect(item.get_by_role("link", name="Voir sur la plateforme")).to_have_attribute("href", url)
    expect(item.locator(".platform-id")).to_have_text("1900000000000000001")
    page.reload()
    audit = page.locator("#audit")
    expect(audit.locator('tr[data-action="reply_reply"]')).to_contain_text("Réponse rédigée.")
    expect(audit.locator('tr[data-action="reply_sent"] td').last).to_have_text(
        "Réponse publiée sur la plateforme."
    )
    page.screenshot(path=artifacts / "case-reply-fr.png", full_page=True)


def test_replying_with_an_english_template(browser: Browser, server: Any, artifacts: Path) -> None:
    case_id = server.case_id("@LaurentiaMobile still waiting")
    context = browser.new_context(locale="en-CA", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{server.url}/cases/{case_id}")
        page.wait_for_url("**/login**")
        page.get_by_label("Username").fill("emilie")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/cases/{case_id}")
        panel = page.locator("#reply-panel")
        expect(panel.get_by_label("Template language")).to_have_value("en")
        panel.get_by_label("Template", exact=True).select_option("help-page")
        text = panel.get_by_label("Reply (edit before sending)")
        expect(text).to_have_value(
            f"Hi @tom_qc, thanks for letting us know. The steps are at laurentia.example/help; if "
            f"that does not do it, message us privately (file {case_id}). Émilie"
        )
        # The French version of the same template, then back: the text follows the language.
        panel.get_by_label("Template language").select_option("fr")
        expect(text).to_have_value(
            f"Bonjour @tom_qc, merci de nous l'avoir signalé. La marche à "
            f"suivre est sur laurentia.example/aide ; si ça ne suffit pas, "
            f"écrivez-nous en privé (dossier {case_id}). Émilie"
        )
        panel.get_by_label("Template language").select_option("en")
        text.fill(text.input_value() + " Sorry for the wait!")
        panel.get_by_role("button", name="Send").click()
        expect(page.locator("#notice")).to_have_text("Reply on its way to the platform.")
        item = panel.locator(".reply").first
        expect(item.locator(".reply-state")).to_have_text("Reply · On its way to the platform")
        sent = _only_reply(server, case_id)
        assert (sent["lang"], sent["template"]) == ("en", "help-page")
        assert sent["text"].endswith("Émilie Sorry for the wait!")
        url = _report_sent(server, sent["id"], "1900000000000000002")
        expect(item.locator(".reply-state")).to_have_text("Reply · Published")
        expect(item.get_by_role("link", name="View on the platform")).to_have_attribute("href", url)
        page.screenshot(path=artifacts / "case-reply-en.png", full_page=True)
    finally:
        context.close()


def test_a_high_risk_reply_is_approved_by_a_second_person(
    browser: Browser, server: Any, make_verdict: Any
) -> None:
    server.feed(
        [
            make_verdict(
                "Fuite : le forfait Orion sort le 3 mars, gardez ça pour vous",
                Label.risky_disclosure,
                Severity.critical,
                ["gardez ça pour vous"],
                author={"id": "a77", "handle": "fuiteur_qc"},
            )
        ]
    )
    case_id = server.case_id("Fuite : le forfait Orion")
    server.add_user("sophie", "agent", ["legal"], member_id="sophie")
    server.add_user("mathieu", "agent", ["legal"], member_id="mathieu")

    def as_(username: str) -> Page:
        context = browser.new_context(locale="fr-CA", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server.url}/cases/{case_id}")
        page.get_by_label("Nom d'utilisateur").fill(username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"**/cases/{case_id}")
        return page

    writer = as_("sophie")
    panel = writer.locator("#reply-panel")
    expect(panel.locator("#reply-approval")).to_contain_text("deuxième personne")
    panel.get_by_label("Réponse (modifiable avant l'envoi)").fill(
        "Merci de retirer ce message : nous vous écrivons en privé."
    )
    panel.get_by_role("button", name="Demander l'approbation").click()
    expect(writer.locator("#notice")).to_have_text("Réponse en attente d'approbation.")
    item = panel.locator(".reply").first
    expect(item.locator(".reply-state")).to_have_text("Réponse · En attente d'approbation")
    expect(item.get_by_role("button", name="Approuver l'envoi")).to_be_disabled()
    writer.context.close()

    approver = as_("mathieu")
    item = approver.locator("#reply-panel .reply").first
    item.get_by_role("button", name="Approuver l'envoi").click()
    expect(item.locator(".reply-state")).to_have_text("Réponse · En route vers la plateforme")
    assert _only_reply(server, case_id)["decided_by"] == "mathieu"
    approver.context.close()
