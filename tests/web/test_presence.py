"""Presence from the queue page, and taking over a teammate's task from the case page, in
Chromium, in French and English."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from web.language import assert_only


def presence_of(server: Any, member: str) -> str:
    team = server.call("GET", "/api/teams/customer_care").json()
    return next(m["presence"] for m in team["members"] if m["id"] == member)


def test_a_member_sets_their_presence_and_a_lead_sets_the_team(
    page: Page, log_in: Any, server: Any
) -> None:
    server.add_user("priya", "agent", ["customer_care"], member_id="priya")
    server.add_user("carelead", "lead", ["customer_care"], member_id=None)
    mine = [c["id"] for c in server.call("GET", "/api/cases", params={"assignee": "priya"}).json()[
        "items"
    ]]
    assert mine, "the seeded complaints give Priya some work"

    log_in("priya")
    panel = page.locator("#presence")
    expect(panel).to_be_visible()
    expect(panel.locator("select")).to_have_count(1)  # an agent sets only their own
    own = page.get_by_label("Ma présence (Service à la clientèle)")
    expect(own).to_have_value("available")
    assert_only(page, "fr", "queue with presence")
    own.select_option("away")
    expect(page.locator("#notice")).to_contain_text("Vous : absent")
    assert presence_of(server, "priya") == "away"
    # Going away handed her open tasks to others in the team.
    for case_id in mine:
        task = server.call("GET", f"/api/cases/{case_id}").json()["tasks"][0]
        assert task["assignee"] != "priya"
    page.reload()
    expect(page.get_by_label("Ma présence (Service à la clientèle)")).to_have_value("away")

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/login**")
    log_in("carelead")
    expect(page.locator("#presence select")).to_have_count(3)  # priya, emilie, kevin
    page.get_by_label("Priya Natarajan (Service à la clientèle)").select_option("available")
    expect(page.locator("#notice")).to_contain_text("Priya Natarajan : disponible")
    assert presence_of(server, "priya") == "available"

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Presence")).to_be_visible()
    page.get_by_label("Kevin O'Brien (Customer care)").select_option("away")
    expect(page.locator("#notice")).to_contain_text("Kevin O'Brien: away")
    assert presence_of(server, "kevin") == "away"
    assert_only(page, "en", "queue with presence")
    page.get_by_label("Kevin O'Brien (Customer care)").select_option("available")
    expect(page.locator("#notice")).to_contain_text("Kevin O'Brien: available")
    page.get_by_role("button", name="Français").click()


def test_acknowledging_a_teammates_task_takes_it_over_and_says_so(
    page: Page, log_in: Any, server: Any
) -> None:
    server.add_user("kevin", "agent", ["customer_care"], member_id="kevin")
    case_id = server.case_id("Facture doublée")
    task = server.call("GET", f"/api/cases/{case_id}").json()["tasks"][0]
    assert task["assignee"] not in (None, "kevin")
    previous = task["assignee"]

    log_in("kevin", f"/cases/{case_id}")
    card = page.locator('.task[data-team="customer_care"]')
    card.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator("#notice")).to_have_text(
        f"C'est fait. Vous avez repris cette tâche de {previous} : elle est maintenant à vous."
    )
    expect(card.locator(".assignee")).to_have_text("kevin")
    expect(page.locator('#audit tr[data-action="acknowledge"]').last).to_contain_text(
        f"Reprise de {previous}."
    )
    assert_only(page, "fr", "case after a take-over")
    # Acknowledging again changes nothing, and says so.
    card.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator("#notice")).to_have_text("Déjà pris en charge : rien à changer.")
    expect(page.locator('#audit tr[data-action="acknowledge"]')).to_have_count(1)


def test_security_reads_a_disclosure_it_is_copied_on_without_acting(
    page: Page, log_in: Any, server: Any, make_verdict: Any
) -> None:
    from events.schemas import Label, Severity

    server.feed([make_verdict("Capture interne: mot de passe du VPN hiver2026",
                              Label.risky_disclosure, Severity.critical, ["mot de passe"])])
    server.add_user("olivier", "agent", ["security"], member_id="olivier")
    case_id = server.case_id("Capture interne")
    log_in("olivier", f"/cases/{case_id}")
    expect(page.locator("mark.ev-span")).to_have_text("mot de passe")
    expect(page.locator("#read-only")).to_have_text(
        "Votre équipe est en copie de ce cas : vous le lisez, ses équipes responsables agissent."
    )
    card = page.locator('.task[data-team="legal"]')
    expect(card).to_be_visible()
    expect(card.locator(".actions")).to_have_count(0)
    expect(page.locator("#relabel-form")).to_be_hidden()
    assert_only(page, "fr", "case read from copy")
    page.get_by_label("Nouvelle note").fill("Vu par la sécurité")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator("#notice")).to_have_text(
        "Votre rôle ou vos équipes ne permettent pas cette action."
    )
