"""The policy acknowledgement: due dates, reminders to a real SMTP server (once per step), the
overdue flag on a staff post's case, and the acknowledgement made with a signed link."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path
from typing import Any

import pytest
import yaml
from alerts.conftest import Mailbox, mailbox  # noqa: F401  (the aiosmtpd fixture)
from sqlmodel import Session

from events.brand import StaffMember, StaffPolicy, load_brand_config
from events.schemas import utcnow
from events.settings import BUNDLED_BRAND_CONFIG, Settings
from workflow.draft_links import DraftLink, load_key, sign
from workflow.models import PolicyAcknowledgement
from workflow.staff_mail import StaffMailer
from workflow.staff_policy import standing
from workflow.staff_programme import StaffProgramme

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
POLICY = StaffPolicy(
    version="2026.2",
    url="https://intranet.laurentia.example/politique",
    published=date(2026, 9, 1),
    grace="30d",
    renew_every="365d",
    remind_before="14d",
)
EMILIE = StaffMember(id="s-005", name="Émilie Bouchard", consent=["professional"])


def _row(**fields: Any) -> PolicyAcknowledgement:
    return PolicyAcknowledgement(staff_id="s-005", **fields)


def test_due_dates_follow_the_version_the_renewal_and_the_enrolment() -> None:
    enrolled = datetime(2026, 1, 5, tzinfo=UTC)
    never = standing(POLICY, EMILIE, _row(enrolled_at=enrolled), NOW)
    assert never.due_at == datetime(2026, 10, 1, tzinfo=UTC) and never.status == "overdue"

    newcomer = standing(POLICY, EMILIE, _row(enrolled_at=NOW - timedelta(days=20)), NOW)
    assert newcomer.due_at == NOW + timedelta(days=10) and newcomer.status == "due"

    accepted = NOW - timedelta(days=100)
    current = standing(
        POLICY, EMILIE, _row(enrolled_at=enrolled, version="2026.2", accepted_at=accepted), NOW
    )
    assert current.due_at == accepted + timedelta(days=365) and current.status == "current"

    yearly = NOW - timedelta(days=360)
    renewal = standing(
        POLICY, EMILIE, _row(enrolled_at=enrolled, version="2026.2", accepted_at=yearly), NOW
    )
    assert renewal.status == "due" and renewal.due_at == yearly + timedelta(days=365)

    old_version = standing(
        POLICY, EMILIE, _row(enrolled_at=enrolled, version="2026.1", accepted_at=accepted), NOW
    )
    assert old_version.status == "overdue"  # a new version is due within its grace period


def brand_file(tmp_path: Path, smtp_port: int, published: str = "2026-01-01") -> Path:
    """The bundled brand file with a policy published long ago and its mails to a local server."""
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["staff_policy"] = {
        "version": "2026.2",
        "url": "https://intranet.laurentia.example/politique",
        "published": published,
        "grace": "30d",
        "renew_every": "365d",
        "remind_before": "14d",
        "mail_channel": "local",
    }
    data["highlights"] = {"recipients": ["comms@laurentia.example"], "mail_channel": "local"}
    data["alerts"] = {
        "channels": [
            {
                "name": "local",
                "type": "email",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "smtp_starttls": False,
                "sender": "vigie@laurentia.example",
                "recipients": ["garde@laurentia.example"],
            }
        ]
    }
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def staff_brand(tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    path = brand_file(tmp_path, mailbox.port)
    monkeypatch.setenv("VIGIE_BRAND_CONFIG", str(path))
    return path


@pytest.fixture
def staff_api(staff_brand: Path, api: Any) -> Any:
    """The queue API on the brand file above (the variable is set before the app starts)."""
    settings = api.client.app.state.vigie.settings
    assert settings.brand_config == staff_brand
    return api, settings


def _programme(api: Any, settings: Settings) -> StaffProgramme:
    config = api.client.app.state.vigie.book.config  # type: ignore[attr-defined]
    mailer = StaffMailer.from_config(config, "local", {})
    assert mailer is not None
    return StaffProgramme(
        config=config,
        policy_mailer=mailer,
        digest_mailer=mailer,
        link_key=load_key(None, settings.data_dir),
        public_url="https://vigie.laurentia.example",
    )


def _mails(box: Mailbox) -> dict[tuple[str, ...], Any]:
    found = {}
    for envelope in box.messages:
        message = message_from_bytes(envelope.content, policy=email_policy)
        found[tuple(envelope.rcpt_tos)] = message
    return found


def _enrol(api: Any, now: datetime, **rows: dict[str, Any]) -> None:
    """Everyone enrolled a year ago (past the grace period), some with an acceptance."""
    with Session(api.engine) as session:
        for member in api.client.app.state.vigie.book.config.staff:  # type: ignore[attr-defined]
            session.add(
                PolicyAcknowledgement(
                    staff_id=member.id,
                    enrolled_at=now - timedelta(days=365),
                    **rows.get(member.id, {"version": "2026.2", "accepted_at": now}),
                )
            )
        session.commit()


def test_reminders_reach_the_employee_then_the_manager_once_each(
    staff_api: Any,
    mailbox: Mailbox,  # noqa: F811
) -> None:
    api, settings = staff_api
    now = utcnow()
    _enrol(
        api,
        now,
        **{
            "s-005": {},  # Émilie never accepted: overdue; her manager is Priya (s-003)
            "s-010": {"version": "2026.2", "accepted_at": now - timedelta(days=360)},  # due
        },
    )
    programme = _programme(api, settings)
    sent = programme.run(api.engine, now)
    assert sent == {
        "policy_reminder": 1, "policy_overdue": 1, "policy_manager": 1, "highlights_digest": 0
    }
    mails = _mails(mailbox)
    assert set(mails) == {
        ("kevin.obrien@laurentia.example",),
        ("emilie.bouchard@laurentia.example",),
        ("priya.natarajan@laurentia.example",),
    }
    kevin = mails[("kevin.obrien@laurentia.example",)]
    assert "please accept by" in kevin["Subject"]
    body = kevin.get_content()
    link = next(w for w in body.split() if "/acknowledge?link=" in w)
    assert link.startswith("https://vigie.laurentia.example/acknowledge?link=")
    emilie = mails[("emilie.bouchard@laurentia.example",)]
    assert "overdue" in emilie["Subject"] and "/acknowledge?link=" in emilie.get_content()
    manager = mails[("priya.natarajan@laurentia.example",)].get_content()
    assert "Émilie Bouchard" in manager and "/acknowledge" not in manager  # no link: not hers

    assert programme.run(api.engine, now + timedelta(hours=1)) == dict.fromkeys(sent, 0)
    assert len(mailbox.messages) == 3

    # Kevin follows his link: the page's API knows him without a login, and he accepts.
    token = link.split("link=", 1)[1]
    header = {"X-Vigie-Policy-Link": token}
    me = api.client.get("/api/staff-policy/me", headers=header)
    assert me.status_code == 200, me.text
    assert me.json()["standing"]["status"] == "due" and me.json()["policy"]["version"] == "2026.2"
    stale = api.client.post(
        "/api/staff-policy/acknowledgements", headers=header, json={"version": "2026.1"}
    )
    assert stale.status_code == 422 and "2026.2" in stale.json()["detail"]
    done = api.client.post(
        "/api/staff-policy/acknowledgements", headers=header, json={"version": "2026.2"}
    )
    assert done.status_code == 200 and done.json()["status"] == "current"
    roster = api.as_("admin", "GET", "/api/staff-policy").json()
    by_id = {s["staff_id"]: s for s in roster["staff"]}
    assert by_id["s-010"]["status"] == "current" and by_id["s-005"]["status"] == "overdue"
    assert roster["counts"] == {"current": 9, "due": 0, "overdue": 1}


def test_a_refused_mail_goes_again_at_the_next_pass(
    staff_api: Any,
    mailbox: Mailbox,  # noqa: F811
) -> None:
    api, settings = staff_api
    now = utcnow()
    _enrol(api, now, **{"s-010": {"version": "2026.2", "accepted_at": now - timedelta(days=360)}})
    mailbox.refuse = [550]
    programme = _programme(api, settings)
    assert programme.run(api.engine, now)["policy_reminder"] == 0
    assert programme.run(api.engine, now)["policy_reminder"] == 1
    assert [m.rcpt_tos for m in mailbox.messages] == [["kevin.obrien@laurentia.example"]]


def test_a_staff_post_from_someone_overdue_is_flagged_on_its_case(
    staff_api: Any, make_verdict: Any
) -> None:
    api, _ = staff_api
    now = utcnow()
    _enrol(api, now, **{"s-009": {}})  # Nadia never accepted
    leak = make_verdict(
        "Voici le courriel du client: marc@exemple.qc.ca",
        (("risky_disclosure", "critical"),),
        source="staff",
        staff_member_id="s-009",
        author={"id": "n9", "handle": "nadia_h_mktg"},
    )
    fine = make_verdict(
        "Projet confidentiel Orion",
        (("risky_disclosure", "critical"),),
        source="staff",
        staff_member_id="s-001",
        author={"id": "c1", "handle": "camtremblay_lm"},
    )
    api.feed(leak, fine)
    flags = {}
    for case in api.cases():
        detail = api.as_("admin", "GET", f"/api/cases/{case['id']}").json()
        flags[detail["posts"][0]["id"]] = detail["policy_overdue"]
    assert flags[fine.post.post_id] == []
    [flag] = flags[leak.post.post_id]
    assert flag["staff_id"] == "s-009" and flag["post_id"] == leak.post.post_id
    assert datetime.fromisoformat(flag["due_at"]) < now


def test_links_are_signed_for_one_purpose(staff_api: Any) -> None:
    api, settings = staff_api
    key = load_key(None, settings.data_dir)
    later = utcnow() + timedelta(days=3)
    draft = sign(key, DraftLink("s-003", later))
    policy = sign(key, DraftLink("s-003", later, "policy"))
    assert api.client.get(
        "/api/staff-policy/me", headers={"X-Vigie-Policy-Link": draft}
    ).status_code == 401
    assert api.client.get(
        "/api/draft-links/me", headers={"X-Vigie-Draft-Link": policy}
    ).status_code == 401
    assert api.client.get(
        "/api/staff-policy/me", headers={"X-Vigie-Policy-Link": policy}
    ).status_code == 200
    issued = api.as_("admin", "POST", "/api/staff-policy/links", json={"staff_id": "s-003"})
    assert issued.status_code == 201 and issued.json()["url"].startswith("/acknowledge?link=")
    forged = policy[:-2] + ("AA" if not policy.endswith("AA") else "BB")
    assert api.client.post(
        "/api/staff-policy/acknowledgements",
        headers={"X-Vigie-Policy-Link": forged},
        json={"version": "2026.2"},
    ).status_code == 401


def test_the_bundled_file_names_a_policy_and_every_manager_exists() -> None:
    config = load_brand_config(BUNDLED_BRAND_CONFIG)
    assert config.staff_policy is not None
    for member in config.staff:
        assert member.email and member.manager and config.person_email(member.manager)
