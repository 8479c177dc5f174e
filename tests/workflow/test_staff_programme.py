"""The staff programme. Policy acknowledgement: due dates, reminders to a real SMTP server (once
per step), the overdue flag on a staff post's case, the acknowledgement made with a signed link.
Highlights: what earns one (and what does not), consent to show an account, the per-account
engagement baseline, the API, the metric and the weekly digest."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path
from typing import Any

import pytest
import yaml
from alerts.conftest import Mailbox, mailbox  # noqa: F401  (the aiosmtpd fixture)
from helpers import make_post
from prometheus_client import REGISTRY
from sqlmodel import Session

from events.brand import StaffMember, StaffPolicy, load_brand_config
from events.schemas import utcnow
from events.settings import BUNDLED_BRAND_CONFIG, Settings
from workflow.draft_links import DraftLink, load_key, sign
from workflow.highlights import Parent, recognise_text
from workflow.models import PolicyAcknowledgement
from workflow.staff_mail import StaffMailer
from workflow.staff_policy import standing
from workflow.staff_programme import StaffProgramme, digest_moment

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
    }
    data["highlights"] = {"recipients": ["comms@laurentia.example"]}
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
    mailer = StaffMailer.from_config(config, {})
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
    metrics = api.client.get("/metrics").text
    for status, count in (("current", 8), ("due", 1), ("overdue", 1)):
        assert f'vigie_staff_policy_employees{{status="{status}"}} {count}.0' in metrics
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


# --- highlights ---------------------------------------------------------------------------------

WEEK = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
MONDAY_AFTER = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 10:30 in Toronto, past the digest
CUSTOMER = Parent(source="mention", author_handle="gab_pelletier", labels=frozenset({"complaint"}))


def _staff(text: str, **fields: Any) -> Any:
    return make_post(text, source="staff", staff_member_id="s-003", reply_to_id="1", **fields)


@pytest.mark.parametrize(
    ("text", "parent", "thread", "expected"),
    [
        ("@gab Désolée! Écrivez-nous en DM avec votre numéro de compte.", CUSTOMER, set(), True),
        ("@drouin_t Sorry about that. Send us a DM and we'll check your bill.", CUSTOMER, set(), True),
        ("@gab lol", CUSTOMER, set(), False),  # no help in it
        ("@journaliste Je vous écris en DM.", CUSTOMER, {"press_inquiry"}, False),  # spokespersons
        ("@gab Écrivez-nous en DM.", Parent("staff", "priya_aide", frozenset()), set(), False),
        ("@gab Écrivez-nous en DM.", None, set(), False),  # the post replied to is unknown
    ],
)
def test_helpful_answer(text: str, parent: Parent | None, thread: set[str], expected: bool) -> None:
    found = recognise_text(_staff(text), set(), parent, thread | (parent.labels if parent else set()))
    assert [f.kind for f in found] == (["helpful_answer"] if expected else [])
    if expected:
        assert found[0].evidence[0] == {
            "why": "reply_to", "handle": parent.author_handle, "labels": ["complaint"]  # type: ignore[union-attr]
        }
        assert found[0].evidence[1]["why"] == "help_cue" and found[0].evidence[1]["text"].lower() in text.lower()


def test_customer_story_and_flagged_posts() -> None:
    story = make_post("Un client m'a remercié en boutique ce matin, fière de l'équipe!",
                      source="staff", staff_member_id="s-005")
    [found] = recognise_text(story, set(), None, set())
    assert found.kind == "customer_story"
    assert found.evidence == [
        {"why": "customer", "text": "client"}, {"why": "good_outcome", "text": "fière"}
    ]
    plain = make_post("Belle journée à la boutique de Laval.", source="staff", staff_member_id="s-005")
    assert recognise_text(plain, set(), None, set()) == []
    assert recognise_text(story, {"risky_disclosure"}, None, set()) == []  # flagged: a case


def _count(kind: str) -> float:
    return REGISTRY.get_sample_value("vigie_staff_highlights_total", {"kind": kind}) or 0.0


def _post(make_verdict: Any, text: str, at: datetime, **fields: Any) -> Any:
    return make_verdict(text, created_at=at, **fields)


def test_highlights_are_gathered_shown_with_consent_and_sent_weekly(
    staff_api: Any,
    mailbox: Mailbox,  # noqa: F811
    make_verdict: Any,
) -> None:
    api, settings = staff_api
    before = {k: _count(k) for k in ("helpful_answer", "customer_story", "well_received")}
    complaint = _post(
        make_verdict, "@LaurentiaAide ça fait 3 jours sans Internet, inacceptable", WEEK,
        labels=(("complaint", "normal"),), platform_post_id="900", conversation_id="900",
        author={"id": "g1", "handle": "gab_pelletier"},
    )
    answer = _post(
        make_verdict, "@gab_pelletier Désolée Gab! Écrivez-nous en DM avec votre adresse.",
        WEEK + timedelta(minutes=5), platform_post_id="901", conversation_id="900",
        reply_to_id="900", source="staff", staff_member_id="s-003",
        author={"id": "p3", "handle": "priya_aide"},
    )
    reporter = _post(
        make_verdict, "Journaliste à La Presse: pouvez-vous commenter la panne?", WEEK,
        labels=(("press_inquiry", "high"),), platform_post_id="910", conversation_id="910",
        author={"id": "j1", "handle": "annie_renaud_eo"},
    )
    not_for_staff = _post(
        make_verdict, "@annie_renaud_eo Je vous écris en DM avec les détails.",
        WEEK + timedelta(minutes=3), platform_post_id="911", conversation_id="910",
        reply_to_id="910", source="staff", staff_member_id="s-005",
        author={"id": "e5", "handle": "emi_bouchard"},
    )
    story = _post(  # its profile lacks the disclaimer: a case for HR, still a good story
        make_verdict, "First customer of the week brought us Timbits. Best customers in Quebec!",
        WEEK + timedelta(hours=1), labels=(("missing_disclaimer", "low"),),
        source="staff", staff_member_id="s-010",
        author={"id": "k10", "handle": "kobrien_store"},
    )
    personal = _post(  # Julien's account is personal and he did not open it to highlights
        make_verdict, "Fier d'avoir aidé un client à -12 ce matin, merci à l'équipe!",
        WEEK + timedelta(hours=2), source="staff", staff_member_id="s-004",
        author={"id": "j4", "handle": "julienroy_net"},
    )
    usual = [
        _post(make_verdict, f"Note technique du jour numéro {i}", WEEK + timedelta(hours=3, minutes=i),
              source="staff", staff_member_id="s-008", author={"id": "o8", "handle": "ocote_dev"},
              metrics={"likes": 3 + i % 2, "reposts": 0, "replies": 1, "quotes": 0})
        for i in range(5)
    ]
    popular = _post(
        make_verdict, "Notre équipe sécurité recrute deux analystes à Montréal.",
        WEEK + timedelta(hours=4), source="staff", staff_member_id="s-008",
        author={"id": "o8", "handle": "ocote_dev"},
        metrics={"likes": 61, "reposts": 20, "replies": 9, "quotes": 2},
    )
    api.feed(complaint, reporter)
    api.feed(answer, not_for_staff, story, personal, *usual, popular)

    listed = api.as_("admin", "GET", "/api/highlights", params={"days": 30})
    assert listed.status_code == 200, listed.text
    kinds = {(h["staff_id"], h["kind"]) for h in listed.json()}
    assert kinds == {
        ("s-003", "helpful_answer"), ("s-010", "customer_story"), ("s-008", "well_received")
    }
    well = next(h for h in listed.json() if h["kind"] == "well_received")
    assert well["evidence"][0]["reactions"] == 92 and well["evidence"][0]["posts"] == 5
    assert well["evidence"][0]["ratio"] >= 3 and well["text"].startswith("Notre équipe")
    only = api.as_("admin", "GET", "/api/highlights", params={"kind": "customer_story"}).json()
    assert [h["staff_id"] for h in only] == ["s-010"]
    after = {k: _count(k) for k in before}
    assert {k: after[k] - before[k] for k in after} == {
        "helpful_answer": 1, "customer_story": 1, "well_received": 1
    }

    programme = _programme(api, settings)
    assert programme.run(api.engine, MONDAY_AFTER)["highlights_digest"] == 1
    assert programme.run(api.engine, MONDAY_AFTER + timedelta(hours=1))["highlights_digest"] == 0
    [digest] = [
        message_from_bytes(m.content, policy=email_policy)
        for m in mailbox.messages
        if m.rcpt_tos == ["comms@laurentia.example"]
    ]
    body = digest.get_content()
    for earned in (answer, story, popular):
        assert earned.post.text[:60] in body
    for other in (not_for_staff, personal, *usual):
        assert other.post.text[:40] not in body
    assert "Priya Natarajan" in body and "Kevin O'Brien" in body and "Olivier Côté" in body


def test_digest_moment_is_the_last_configured_weekday_and_hour() -> None:
    config = load_brand_config(BUNDLED_BRAND_CONFIG)  # Monday 9:00, America/Toronto
    assert digest_moment(config, MONDAY_AFTER) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert digest_moment(config, sunday) == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_erasing_a_staff_author_removes_their_highlights_and_baseline(
    staff_api: Any, make_verdict: Any
) -> None:
    from sqlmodel import select

    from workflow.erasure import erase_author
    from workflow.models import EngagementBaseline, Highlight

    api, _ = staff_api
    story = make_verdict(
        "Un client m'a remercié ce matin, fière de l'équipe!", source="staff",
        staff_member_id="s-005", author={"id": "e5", "handle": "emi_bouchard"},
    )
    api.feed(story)
    with Session(api.engine) as session:
        assert session.exec(select(Highlight)).all()
        erase_author(session, "x", "emi_bouchard", actor="admin", now=utcnow())
        session.commit()
        assert session.exec(select(Highlight)).all() == []
        assert session.exec(select(EngagementBaseline)).all() == []


# --- the workflow service on the real broker ---------------------------------------------------


def test_the_workflow_service_reminds_and_flags_the_overdue_members_next_post(
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    mailbox: Mailbox,  # noqa: F811
    make_verdict: Any,
) -> None:
    import threading

    from sqlmodel import col, select

    from events.kafka_io import EventProducer
    from events.runtime import prepare_topics
    from workflow.db import init_db
    from workflow.models import PostRecord, StaffPostCheck
    from workflow.service import run

    settings = settings.model_copy(
        update={"database_url": database_url, "brand_config": brand_file(tmp_path, mailbox.port)}
    )
    engine = init_db(database_url)
    now = utcnow()
    with Session(engine) as session:  # Nadia never accepted; Kevin's year is nearly up
        session.add(PolicyAcknowledgement(staff_id="s-009", enrolled_at=now - timedelta(days=200)))
        session.add(PolicyAcknowledgement(
            staff_id="s-010", enrolled_at=now - timedelta(days=400), version="2026.2",
            accepted_at=now - timedelta(days=355),
        ))
        session.commit()
    prepare_topics(settings)
    stop = threading.Event()
    service = threading.Thread(target=run, args=(settings, stop), daemon=True)
    service.start()
    try:
        mails = mailbox.wait_for(3, timeout=60)
        assert sorted(m.rcpt_tos[0] for m in mails) == [
            "camille.tremblay@laurentia.example",  # Nadia's manager
            "kevin.obrien@laurentia.example",
            "nadia.haddad@laurentia.example",
        ]
        post = make_verdict(
            "Voici le courriel du client: marc@exemple.qc.ca",
            (("risky_disclosure", "critical"),),
            source="staff",
            staff_member_id="s-009",
            author={"id": "n9", "handle": "nadia_h_mktg"},
        )
        producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
        producer.send(settings.topics.verdicts, post)
        producer.flush()
        producer.close()
        deadline = time.monotonic() + 60
        found = None
        while found is None and time.monotonic() < deadline:
            with Session(engine) as session:
                found = session.exec(
                    select(StaffPostCheck, PostRecord.case_id)
                    .join(PostRecord, col(PostRecord.id) == col(StaffPostCheck.post_id))
                    .where(StaffPostCheck.post_id == post.post.post_id)
                ).first()
            time.sleep(0.2)
        assert found is not None, "the post never reached the database"
        check, case_id = found
        assert check.policy_status == "overdue" and check.staff_id == "s-009" and case_id
    finally:
        stop.set()
        service.join(30)
        engine.dispose()
    assert len(mailbox.messages) == 3  # each step once, even with the pass at start


def test_a_missing_manager_is_a_warning_with_its_line(tmp_path: Path) -> None:
    from events.brand import brand_config_warnings

    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["staff"] = [m for m in data["staff"] if m["id"] != "s-001"]  # Camille left
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_brand_config(path)  # still valid: the others keep their roster
    warnings = brand_config_warnings(path, config)
    managed = [w for w in warnings if "unknown manager 's-001'" in w]
    assert len(managed) == sum(1 for m in data["staff"] if m.get("manager") == "s-001") > 0
    assert all(w.startswith(f"{path}:") and ".manager:" in w for w in managed)
    assert StaffMailer.from_config(config, {}) is None  # its channel's password is not set
