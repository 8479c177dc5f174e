"""The queue page in Chromium: log in, filter, open a case, see the evidence, assign, resolve,
read the audit trail; conflicts, bulk actions, keyboard, English, phone, draft check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import Session, select


def test_an_agent_works_a_case_from_the_queue(
    page: Page, log_in: Any, server: Any, artifacts: Path
) -> None:
    log_in("emilie")
    expect(page.get_by_role("heading", name="File des cas")).to_be_visible()
    page.get_by_role("button", name="Équipe Service à la clientèle").click()
    page.get_by_label("Étiquette").select_option("complaint")
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(3)
    for row in rows.all():
        expect(row.locator(".chip")).to_contain_text("Plainte")
    expect(page.locator("#rows .badge.sla-ok").first).to_contain_text("reste")
    page.screenshot(path=artifacts / "queue-fr.png", full_page=True)

    case_id = server.case_id("@LaurentiaAide toujours")
    page.get_by_role("link", name=f"#{case_id}", exact=True).click()
    page.wait_for_url(f"**/cases/{case_id}")
    span = page.locator("mark.ev-span")
    expect(span).to_have_text("toujours pas reçu ma commande")
    expect(span).to_have_attribute("title", "Plainte — Expression repérée")
    expect(page.locator("mark.ev-feature")).to_have_text("injoignable")
    evidence = page.locator(".evidence").first
    expect(evidence.locator(".found")).to_contain_text("Expression repérée")
    expect(evidence.locator(".found")).to_contain_text("toujours pas reçu ma commande")
    expect(evidence.locator(".weighed")).to_contain_text("service client injoignable")
    expect(evidence.locator(".weighed")).not_to_contain_text("$TICKER")
    expect(evidence.locator(".weighed li")).to_have_count(1)  # «de», «yet», «$TICKER» left out
    expect(page.get_by_role("link", name="Voir l'original")).to_have_attribute(
        "href", "https://x.com/marie_lvl/status/1"
    )
    why = page.locator(".deadlines .why").first
    expect(why).to_contain_text("Échéance")
    expect(why).to_contain_text("reçu")
    expect(page.locator(".deadlines strong").first).to_have_text("Première réponse")
    page.screenshot(path=artifacts / "case-fr.png", full_page=True)

    task = page.locator('.task[data-team="customer_care"]')
    task.get_by_label("Assigner (Service à la clientèle)").select_option("emilie")
    task.get_by_role("button", name="Assigner", exact=True).click()
    expect(page.locator("#notice")).to_have_text("C'est fait.")
    expect(task.locator(".assignee")).to_have_text("emilie")
    page.get_by_label("Nouvelle note").fill("Client rappelé, remboursement lancé.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator("#notes")).to_contain_text("Client rappelé, remboursement lancé.")
    task.get_by_role("button", name="Résoudre").click()
    expect(task.locator(".state")).to_have_text("Résolu")

    audit = page.locator("#audit")
    expect(audit.locator('tr[data-action="assign"]').last).to_contain_text(
        "Tâche « Service à la clientèle » assignée à emilie."
    )
    expect(audit.locator('tr[data-action="resolve"]')).to_contain_text(
        "Tâche « Service à la clientèle » résolue. État : Assigné → Résolu."
    )
    expect(audit.locator('tr[data-action="task_opened"]').first).to_contain_text("Vigie")
    expect(audit.locator('tr[data-action="note"]')).to_contain_text("remboursement")
    page.screenshot(path=artifacts / "case-resolved-fr.png", full_page=True)
    detail = server.call("GET", f"/api/cases/{case_id}").json()
    assert detail["state"] == "resolved"
    assert [a["action"] for a in detail["audit"] if a["actor"] == "emilie"] == [
        "assign",
        "note",
        "resolve",
    ]


def test_someone_else_changed_the_case_meanwhile(page: Page, log_in: Any, server: Any) -> None:
    case_id = server.case_id("Facture doublée")
    log_in("emilie", f"/cases/{case_id}")
    expect(page.locator("mark.ev-span")).to_have_text("personne ne répond")
    changed = server.call(
        "POST",
        f"/api/cases/{case_id}/actions",
        json={
            "action": "note",
            "text": "Vu par la cheffe d'équipe",
            "version": server.call("GET", f"/api/cases/{case_id}").json()["version"],
        },
    )
    assert changed.status_code == 200
    page.locator('.task[data-team="customer_care"]').get_by_role(
        "button", name="Prendre en charge"
    ).click()
    conflict = page.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(f"version {changed.json()['version']}")
    conflict.get_by_role("button", name="Recharger").click()
    expect(conflict).to_be_hidden()
    expect(page.locator("#notes")).to_contain_text("Vu par la cheffe d'équipe")


def test_bulk_actions_and_keyboard(page: Page, log_in: Any, server: Any) -> None:
    log_in("admin")
    page.get_by_role("button", name="Tous mes cas").click()
    page.get_by_label("Étiquette").select_option("press_inquiry")
    expect(page.locator("#rows tr")).to_have_count(1)
    page.get_by_label("Étiquette").select_option("")
    expect(page.locator("#rows tr")).to_have_count(5)
    page.locator("body").press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("2 cas cochés")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator("#notice")).to_contain_text("Réussis : 2.")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{focused}")


def test_english_interface_on_a_phone(browser, server: Any, artifacts: Path) -> None:
    context = browser.new_context(
        locale="en-CA", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto(f"{server.url}/queue")
        page.wait_for_url("**/login**")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="All my cases").click()
        expect(page.get_by_role("heading", name="Case queue")).to_be_visible()
        expect(page.locator("#rows tr").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        page.screenshot(path=artifacts / "queue-en-phone.png", full_page=True)
        page.get_by_role("button", name="Français").click()
        expect(page.get_by_role("heading", name="File des cas")).to_be_visible()
    finally:
        context.close()


def test_draft_check_flags_and_keeps_nothing(
    page: Page, log_in: Any, server: Any, artifacts: Path
) -> None:
    from workflow.models import PostRecord

    def stored() -> int:
        with Session(server.app.state.vigie.engine) as session:
            return session.exec(select(func.count()).select_from(PostRecord)).one()

    before = stored()
    log_in("emilie", "/draft-check")
    draft = "Petite fuite : voici le courriel du client, marc.tremblay@exemple.qc.ca, pour le projet confidentiel Orion"
    page.get_by_label("Brouillon").fill(draft)
    page.get_by_role("button", name="Vérifier").click()
    result = page.locator("#draft-result")
    expect(result).to_be_visible()
    expect(page.locator("#draft-summary")).to_have_text("1 point à revoir avant de publier.")
    expect(page.locator("#draft-preview mark.ev-span").first).to_have_text(
        "marc.tremblay@exemple.qc.ca"
    )
    card = page.locator('[data-label="risky_disclosure"]').last
    expect(card.locator(".guidance")).to_contain_text("sans leur permission")
    page.screenshot(path=artifacts / "draft-check-fr.png", full_page=True)
    page.get_by_label("Brouillon").fill("Belle journée au kiosque de Laval, venez nous voir!")
    page.get_by_role("button", name="Vérifier").click()
    expect(page.locator("#draft-summary")).to_contain_text("Rien à signaler")
    assert stored() == before


def test_wrong_password_and_pages_without_login(page: Page, log_in: Any, server: Any) -> None:
    page.goto(f"{server.url}/cases/1")
    page.wait_for_url("**/login?next=%2Fcases%2F1")
    page.get_by_label("Nom d'utilisateur").fill("emilie")
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Nom d'utilisateur ou mot de passe incorrect.")


def test_a_stored_non_http_post_url_is_never_a_link(
    page: Page, log_in: Any, server: Any, make_verdict: Any
) -> None:
    """New posts cannot carry one (events.schemas refuses it); one stored before may."""
    valid = make_verdict("Lien piégé dans ce message", "complaint", "normal", ["Lien piégé"])
    trapped = valid.model_copy(
        update={"post": valid.post.model_copy(update={"url": "javascript:alert(document.cookie)"})}
    )
    server.feed([trapped])
    log_in("emilie", f"/cases/{server.case_id('Lien piégé')}")
    expect(page.locator("mark.ev-span")).to_have_text("Lien piégé")
    expect(page.get_by_role("link", name="Voir l'original")).to_have_count(0)
    assert page.locator('a[href^="javascript"]').count() == 0
