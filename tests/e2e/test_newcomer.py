"""A newcomer's first hour, scripted: a fresh clone, the README's commands, a colleague added
from the settings page and an alert's link opened in a new tab (Chromium), a restart, a reset.

The clone runs on this test's Python environment (nothing is installed): its code comes first on
PYTHONPATH, and `.venv` in the clone points to the environment, so the README's `.venv/bin/vigie`
commands run as written. No VIGIE_* variable is set, as on a new machine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Page, expect, sync_playwright
from processes import wait_until

from events.broker import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "newcomer-reset-1"
COLLEAGUE_PASSWORD = "une-collegue-de-confiance"
ALERT_LINK = re.compile(r"Ouvrir / Open: (http://\S+/cases/\d+)")


class Newcomer:
    """A shell in the fresh clone: runs `.venv/bin/vigie ...`, keeps `vigie up` running."""

    def __init__(self, clone: Path, port: int) -> None:
        self.clone, self.port = clone, port
        self.base = f"http://127.0.0.1:{port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
        self.env["PYTHONPATH"] = str(clone)
        self.up_process: subprocess.Popen[bytes] | None = None
        self.log = clone / "up.log"

    def vigie(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.clone / ".venv" / "bin" / "vigie"), *args], cwd=self.clone,
                              env=self.env, input=stdin, capture_output=True, text=True, timeout=120)

    def up(self) -> str:
        """Start `vigie up`; return its output once it printed the ready line."""
        self.log.write_bytes(b"")
        with self.log.open("ab") as out:
            self.up_process = subprocess.Popen(
                [str(self.clone / ".venv" / "bin" / "vigie"), "up", "--port", str(self.port)],
                cwd=self.clone, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_until(lambda: f"ready: {self.base}/" in self.output(), 120, self.output)
        return self.output()

    def stop(self) -> None:
        assert self.up_process is not None
        self.up_process.send_signal(signal.SIGINT)
        assert self.up_process.wait(90) == 0, self.output()[-3000:]
        self.up_process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def login(self, password: str) -> int:
        return httpx.post(f"{self.base}/api/auth/token", timeout=10,
                          data={"username": "admin", "password": password}).status_code

    def has_cases(self, password: str) -> bool:
        token = httpx.post(f"{self.base}/api/auth/token", timeout=10,
                           data={"username": "admin", "password": password}).json()["access_token"]
        page = httpx.get(f"{self.base}/api/cases", params={"limit": 1}, timeout=10,
                         headers={"Authorization": f"Bearer {token}"}).json()
        return bool(page["items"])


@pytest.fixture
def newcomer(tmp_path: Path) -> Iterator[Newcomer]:
    clone = tmp_path / "vigie"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=300)
    (clone / ".venv").symlink_to(Path(sys.executable).parent.parent)
    person = Newcomer(clone, free_port())
    try:
        yield person
    finally:
        if person.up_process is not None and person.up_process.poll() is None:
            person.up_process.kill()
            person.up_process.wait(30)


def test_first_hour_clone_up_restart_reset(newcomer: Newcomer) -> None:
    where = subprocess.run([str(newcomer.clone / ".venv" / "bin" / "python"), "-c",
                            "import vigie, workflow; print(vigie.__file__, workflow.__file__)"],
                           cwd=newcomer.clone, env=newcomer.env, capture_output=True, text=True)
    assert where.stdout.split() == [str(newcomer.clone / "vigie" / "__init__.py"),
                                    str(newcomer.clone / "workflow" / "__init__.py")]
    code = newcomer.vigie("--version")
    assert code.returncode == 0 and code.stdout.startswith("vigie ")
    assert "valid" in newcomer.vigie("check-config", "events/brand.example.yaml").stdout
    assert "no database found" in newcomer.vigie("status").stderr
    assert not (newcomer.clone / "var").exists()  # `status` created nothing

    # First start: the demo sample, a generated password that works.
    banner = newcomer.up()
    password = re.search(r"log in\s+admin / (\S+)\s+\(shown once", banner).group(1)
    assert "sample_stream.jsonl" in banner and "sqlite:///var/vigie.db" in banner
    assert newcomer.login(password) == 200
    wait_until(lambda: (newcomer.clone / "var" / "sample-replayed").exists(), 120, newcomer.output)
    status = newcomer.vigie("status")
    assert re.search(r"replay:sample_stream\.jsonl\s+finished\s.*\s358\s", status.stdout), status.stdout
    wait_until(lambda: newcomer.has_cases(password), 120, newcomer.output)
    wait_until(lambda: ALERT_LINK.search(newcomer.output()), 120, newcomer.output)
    _at_work_in_the_browser(newcomer, password, ALERT_LINK.search(newcomer.output()).group(1))
    newcomer.stop()

    # Restart: no sample again, no new password, the first one still works.
    banner = newcomer.up()
    assert "the demo sample is already in this database" in banner
    assert "replay          none" in banner and "shown once" not in banner
    assert "admin / its current password (forgotten? `vigie admin reset-password`)" in banner
    assert newcomer.login(password) == 200
    assert "replayed" not in banner.split("Vigie is starting")[1]

    # Reset while it runs: the new password works, the old one no longer does.
    reset = newcomer.vigie("admin", "reset-password", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert reset.returncode == 0, reset.stderr
    assert newcomer.login(NEW_PASSWORD) == 200 and newcomer.login(password) == 401
    status = newcomer.vigie("status")
    assert status.stdout.count("replay:sample_stream.jsonl") == 1
    newcomer.stop()


def _log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/")
    page.wait_for_url("**/login**")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/queue")


def _at_work_in_the_browser(newcomer: Newcomer, password: str, alert_link: str) -> None:
    """The admin adds a colleague on the settings page; the link of an alert `vigie up` printed,
    opened in a new tab, lands on its case without a second login; the colleague logs in."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="fr-CA").new_page()
            page.set_default_timeout(20_000)
            _log_in(page, newcomer.base, "admin", password)
            page.get_by_role("link", name="Réglages").click()
            page.wait_for_url("**/settings")
            form = page.locator("#user-form")
            form.get_by_label("Nom d'utilisateur").fill("camille2")
            form.get_by_label("Mot de passe (12 caractères ou plus, difficile à deviner)").fill(
                COLLEAGUE_PASSWORD
            )
            form.get_by_label("Rôle").select_option("agent")
            form.get_by_role("group", name="Équipes").get_by_label(
                "Direction des communications"
            ).check()
            form.get_by_role("button", name="Créer l'utilisateur").click()
            expect(page.locator("#notice")).to_have_text("Utilisateur camille2 créé.")

            tab = page.context.new_page()
            tab.goto(alert_link)
            expect(tab.locator("#posts blockquote").first).to_be_visible()
            assert tab.url == alert_link, "the alert's link lands on its case, no second login"

            colleague = browser.new_context(locale="fr-CA").new_page()
            colleague.set_default_timeout(20_000)
            _log_in(colleague, newcomer.base, "camille2", COLLEAGUE_PASSWORD)
            expect(colleague.locator("#topbar .who")).to_contain_text("camille2")
        finally:
            browser.close()
