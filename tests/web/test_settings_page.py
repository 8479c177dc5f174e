"""The settings page in Chromium: an admin creates a second user who then logs in, changes a
member's presence, makes an API token, and gives an employee a draft-check link; the employee
checks a draft through it without an account, and the draft is stored nowhere."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text
from sqlmodel import Session, SQLModel

PASSWORD = "correct-horse-battery"
SECRET_DRAFT = "Zorglub-4711 : voici le courriel marc.tremblay@exemple.qc.ca du projet confidentiel"


def test_an_admin_creates_a_user_who_then_logs_in(
    page: Page, log_in: Any, server: Any, artifacts: Path
) -> None:
    log_in("admin")
    page.get_by_role("link", name="Réglages").click()
    page.wait_for_url("**/settings")
    expect(page.get_by_role("heading", name="Utilisateurs")).to_be_visible()
    form = page.locator("#user-form")
    form.get_by_label("Nom d'utilisateur").fill("nadia2")
    form.get_by_label("Mot de passe (12 caractères ou plus, difficile à deviner)").fill("une-phrase-de-passe")
    form.get_by_label("Rôle").select_option("agent")
    form.get_by_role("group", name="Équipes").get_by_label("Direction des communications").check()
    form.get_by_label("Membre de l'équipe (identifiant)").select_option("nadia")
    form.get_by_role("button", name="Créer l'utilisateur").click()
    expect(page.locator("#notice")).to_have_text("Utilisateur nadia2 créé.")
    row = page.locator("#users tr[data-user='nadia2']")
    expect(row).to_be_visible()
    expect(row.get_by_label("Rôle (nadia2)")).to_have_value("agent")

    row.get_by_label("Rôle (nadia2)").select_option("lead")
    row.locator("summary").click()
    row.get_by_label("Ressources humaines").check()
    row.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#notice")).to_have_text("Enregistré.")
    user = next(u for u in server.call("GET", "/api/users").json() if u["username"] == "nadia2")
    assert (user["role"], user["teams"], user["member_id"]) == ("lead", ["comms", "hr"], "nadia")
    expect(page.locator("#users tr[data-user='nadia2'] summary")).to_have_text(
        "Direction des communications, Ressources humaines"
    )
    page.screenshot(path=artifacts / "settings-fr.png", full_page=True)

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/login**")
    page.get_by_label("Nom d'utilisateur").fill("nadia2")
    page.get_by_label("Mot de passe").fill("une-phrase-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#topbar .who")).to_have_text("Connecté : nadia2 (chef d'équipe)")
    expect(page.get_by_role("button", name="Équipe Direction des communications")).to_be_visible()
    expect(page.get_by_role("link", name="Réglages")).to_have_count(0)


def test_reset_password_deactivate_presence_and_tokens(
    page: Page, log_in: Any, server: Any
) -> None:
    server.add_user("kevin2", "agent", ["customer_care"], member_id="kevin")
    log_in("admin", "/settings")
    row = page.locator("#users tr[data-user='kevin2']")
    row.get_by_label("Nouveau mot de passe (kevin2)").fill("un-autre-mot-de-passe")
    row.get_by_role("button", name="Nouveau mot de passe").click()
    expect(page.locator("#notice")).to_have_text("Mot de passe changé pour kevin2.")
    assert server.token("kevin2", "un-autre-mot-de-passe")

    row.get_by_label("Actif (kevin2)").uncheck()
    row.get_by_role("button", name="Enregistrer").click()
    expect(row.locator("th")).to_have_text("kevin2 (désactivé)")
    with pytest.raises(httpx.HTTPStatusError):
        server.token("kevin2", "un-autre-mot-de-passe")

    member = page.locator("#teams section[data-team='customer_care'] tr[data-member='kevin']")
    member.get_by_label("Présence (Kevin O'Brien)").select_option("away")
    member.get_by_label("Capacité (Kevin O'Brien)").fill("12")
    member.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#notice")).to_have_text("Enregistré.")
    team = server.call("GET", "/api/teams/customer_care").json()
    kevin = next(m for m in team["members"] if m["id"] == "kevin")
    assert (kevin["presence"], kevin["capacity"]) == ("away", 12)

    legal = page.get_by_role("form", name="Ajouter un membre à l'équipe Juridique et conformité")
    legal.get_by_label("Identifiant du membre").fill("maxime")
    legal.get_by_label("Nom", exact=True).fill("Maxime Girard")
    legal.get_by_role("button", name="Ajouter le membre").click()
    expect(
        page.locator("#teams section[data-team='legal'] tr[data-member='maxime']")
    ).to_contain_text(
        "Maxime Girard"
    )  # a second person in legal: four-eyes review becomes possible inside the team

    page.get_by_label("Nom du jeton (à quoi il sert)").fill("tableau de bord")
    page.get_by_role("button", name="Créer le jeton").click()
    token = page.locator("#token-shown .secret").inner_text()
    me = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "admin", "a token acts as the one who made it, nobody else"
    tokens = page.locator("#tokens tr", has_text="tableau de bord")
    tokens.get_by_role("button", name="Révoquer").click()
    expect(page.locator("#notice")).to_have_text("Enregistré.")
    expect(tokens).to_contain_text("révoqué")
    gone = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401


def _everything_stored(server: Any) -> str:
    """Every row of every table, as text, and the database files' bytes."""
    rows = []
    with Session(server.app.state.vigie.engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            rows += [
                repr(tuple(row)) for row in session.execute(text(f"SELECT * FROM {table.name}"))
            ]
    files = sorted(Path(server.settings.data_dir).glob("vigie.db*"))
    return "\n".join(rows) + "".join(f.read_bytes().decode("latin-1") for f in files)


def test_an_employee_checks_a_draft_with_a_signed_link_and_nothing_is_kept(
    page: Page, browser: Browser, log_in: Any, server: Any, caplog: Any, artifacts: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    access = logging.getLogger("uvicorn.access")  # requests are logged too, here at INFO
    access.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    log_in("admin", "/settings")
    page.get_by_label("Employé").select_option("s-003")
    page.get_by_label("Valide (jours)").fill("7")
    page.get_by_role("button", name="Créer le lien").click()
    link = page.locator("#link-shown a").get_attribute("href")
    assert link and "/draft-check?link=" in link
    expect(page.locator("#link-shown")).to_contain_text("Lien pour Priya Natarajan")

    employee = browser.new_context(locale="fr-CA")  # no queue account, no login
    draft_page = employee.new_page()
    draft_page.set_default_timeout(10_000)
    try:
        draft_page.goto(link)
        expect(draft_page.locator("#draft-hello")).to_contain_text(
            "Vérification pour Priya Natarajan"
        )
        assert "link=" not in draft_page.url  # the link leaves the address bar
        draft_page.get_by_label("Brouillon").fill(SECRET_DRAFT)
        draft_page.get_by_role("button", name="Vérifier").click()
        expect(draft_page.locator("#draft-summary")).to_contain_text("à revoir avant de publier")
        expect(draft_page.locator("#draft-preview mark.ev-span").first).to_be_visible()
        draft_page.screenshot(path=artifacts / "draft-link-fr.png", full_page=True)
        draft_page.goto(f"{server.url}/queue")
        draft_page.wait_for_url("**/login**")  # the link opens the draft check only
    finally:
        employee.close()

    access.removeHandler(caplog.handler)
    stored = _everything_stored(server)
    assert "toujours pas reçu ma commande" in stored  # it finds posts, so it would find drafts
    assert "Zorglub" not in stored
    assert "Zorglub" not in caplog.text
    # The logs were captured (the check above is not blind): the request is there, not its text.
    assert any("/api/draft-check" in r.getMessage() for r in caplog.records)


def test_draft_links_refuse_forged_expired_and_unknown(server: Any) -> None:
    issued = server.call("POST", "/api/draft-links", json={"staff_id": "s-001", "days": 1})
    assert issued.status_code == 201
    token = issued.json()["token"]
    check = f"{server.url}/api/draft-check"
    ok = httpx.post(check, json={"text": "Bonne journée!"}, headers={"X-Vigie-Draft-Link": token})
    assert ok.status_code == 200
    who = httpx.get(f"{server.url}/api/draft-links/me", headers={"X-Vigie-Draft-Link": token})
    assert who.json()["name"] == "Camille Tremblay"

    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = httpx.post(check, json={"text": "x"}, headers={"X-Vigie-Draft-Link": forged})
    assert refused.status_code == 401
    assert "invalid or expired" in refused.json()["detail"]
    assert httpx.post(check, json={"text": "x"}).status_code == 401  # no link, no login

    from datetime import timedelta

    from events.schemas import utcnow
    from workflow.api.draft_link_routes import link_key
    from workflow.draft_links import DraftLink, sign

    key = link_key(server.app.state.vigie)
    expired = sign(key, DraftLink("s-001", utcnow() - timedelta(minutes=1)))
    gone = sign(key, DraftLink("s-999", utcnow() + timedelta(days=1)))  # not on the roster
    for bad in (expired, gone):
        response = httpx.post(check, json={"text": "x"}, headers={"X-Vigie-Draft-Link": bad})
        assert response.status_code == 401

    unknown = server.call("POST", "/api/draft-links", json={"staff_id": "s-999"})
    assert unknown.status_code == 404
    assert (
        server.call("POST", "/api/draft-links", "emilie", json={"staff_id": "s-001"}).status_code
        == 403
    )
    assert (
        server.call("POST", "/api/draft-links", json={"staff_id": "s-001", "days": 0}).status_code
        == 422
    )
