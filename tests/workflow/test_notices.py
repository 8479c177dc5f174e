"""Escalation steps that name a person reach them: e-mail through a real local SMTP server, on
both databases; and through the workflow service on the real broker."""

from __future__ import annotations

import email
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from alerts.conftest import (  # noqa: F401 - the local SMTP server and webhook receiver
    Mailbox,
    Receiver,
    mailbox,
    receiver,
)
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from events.brand import AlertChannel, AlertPolicy, BrandConfig
from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.settings import BUNDLED_BRAND_CONFIG, Settings
from workflow.alerts.channels import RetryPolicy
from workflow.book import PolicyBook
from workflow.clock import tick
from workflow.db import create_db_engine, init_db
from workflow.intake import ingest_verdicts
from workflow.models import AuditEntry, Member, Notice, Task
from workflow.notices import MAX_ATTEMPTS, Notifier
from workflow.service import run

OPENED = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Monday 10:00, Toronto
QUICK = RetryPolicy(attempts=3, initial=0.01, cap=0.05, timeout=5)


def mail_channel(port: int) -> AlertChannel:
    return AlertChannel(
        name="oncall-email",
        type="email",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        sender="vigie@laurentia.example",
        recipients=["garde-comms@laurentia.example"],
        kinds=["critical"],
    )


def with_mail(brand: BrandConfig, port: int) -> BrandConfig:
    return brand.model_copy(update={"alerts": AlertPolicy(channels=[mail_channel(port)])})


def set_emails(engine: Engine, **addresses: str | None) -> None:
    with Session(engine) as session:
        for member_id, address in addresses.items():
            session.get(Member, member_id).email = address  # type: ignore[union-attr]
        session.commit()


def open_press_case(engine: Engine, book: PolicyBook, make_verdict: Any, assignee: str) -> Task:
    """A press inquiry (30 min to answer, around the clock), handed to `assignee`."""
    verdict = make_verdict("Journaliste: un commentaire sur la panne?", (("press_inquiry", "high"),))
    with Session(engine) as session:
        ingest_verdicts(session, book, [verdict], now=OPENED)
        task = session.exec(select(Task)).one()
        task.assignee = assignee
        session.commit()
        session.refresh(task)
        return task


def test_notify_steps_mail_the_assignee_then_the_lead_once_each(
    engine: Engine, brand: BrandConfig, make_verdict: Any, mailbox: Mailbox  # noqa: F811
) -> None:
    config = with_mail(brand, mailbox.port)
    book = PolicyBook(config)
    set_emails(engine, **{"camille-pr": "camille@laurentia.example",
                          "marc-andre": "marc-andre@laurentia.example"})
    task = open_press_case(engine, book, make_verdict, "camille-pr")
    notifier = Notifier(engine, config, public_url="http://vigie.test", environ={}, retry=QUICK)

    tick(engine, book, OPENED + timedelta(minutes=23))  # at risk: notify_assignee
    assert notifier.send_pending(OPENED + timedelta(minutes=23)) == 1
    (first,) = mailbox.wait_for(1)
    assert first.rcpt_tos == ["camille@laurentia.example"]
    body = email.message_from_bytes(first.content).get_payload(decode=True).decode()
    assert f"Escalade / Escalation #{task.case_id}" in body
    assert f"http://vigie.test/cases/{task.case_id}" in body
    assert "Camille Tremblay (responsable / assignee)" in body
    assert "first_response" in body
    assert notifier.send_pending(OPENED + timedelta(minutes=24)) == 0  # sent once

    tick(engine, book, OPENED + timedelta(hours=2))  # breached: notify_lead, then reassign
    assert notifier.send_pending(OPENED + timedelta(hours=2)) == 1
    mails = mailbox.wait_for(2)
    assert mails[1].rcpt_tos == ["marc-andre@laurentia.example"]
    assert "(chef d'équipe / lead)" in mails[1].content.decode()
    assert len(mailbox.messages) == 2
    with Session(engine) as session:
        notices = session.exec(select(Notice).order_by(Notice.id)).all()
    assert [(n.member_id, n.step, n.sent_at is not None) for n in notices] == [
        ("camille-pr", "notify_assignee", True),
        ("marc-andre", "notify_lead", True),
    ]
    with Session(engine) as session:
        steps = session.exec(
            select(AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.actor == "sla-clock")
            .order_by(AuditEntry.id)
        ).all()
    assert [(a, after.get("notify")) for a, after in steps][:2] == [
        ("escalation:notify_assignee", "camille-pr"),
        ("escalation:notify_lead", "marc-andre"),
    ]


def test_a_temporary_refusal_is_retried_and_a_missing_address_is_given_up_with_its_reason(
    engine: Engine, brand: BrandConfig, make_verdict: Any, mailbox: Mailbox  # noqa: F811
) -> None:
    config = with_mail(brand, mailbox.port)
    book = PolicyBook(config)
    set_emails(engine, **{"camille-pr": "camille@laurentia.example", "marc-andre": None})
    open_press_case(engine, book, make_verdict, "camille-pr")
    notifier = Notifier(engine, config, public_url="http://vigie.test", environ={}, retry=QUICK)
    mailbox.refuse = [451]  # "mailbox busy": the channel tries again
    tick(engine, book, OPENED + timedelta(minutes=23))
    assert notifier.send_pending(OPENED + timedelta(minutes=23)) == 1
    assert [m.rcpt_tos for m in mailbox.wait_for(1)] == [["camille@laurentia.example"]]

    tick(engine, book, OPENED + timedelta(hours=2))  # the lead has no address
    assert notifier.send_pending(OPENED + timedelta(hours=2)) == 0
    with Session(engine) as session:
        lead = session.exec(select(Notice).where(Notice.member_id == "marc-andre")).one()
    assert lead.sent_at is None and lead.attempts == MAX_ATTEMPTS
    assert "marc-andre has no e-mail address" in lead.last_error
    assert len(mailbox.messages) == 1


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def test_the_workflow_service_mails_the_assignee_of_a_late_task(
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    make_verdict: Any,
    mailbox: Mailbox,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    raw["alerts"]["channels"] = [mail_channel(mailbox.port).model_dump(mode="json")]
    for team in raw["teams"]:
        for member in team["members"]:
            member["email"] = f"{member['id']}@laurentia.example"
    brand_file = tmp_path / "brand.yaml"
    brand_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    settings = settings.model_copy(
        update={"database_url": database_url, "brand_config": brand_file}
    )
    monkeypatch.setenv("VIGIE_SLA_CLOCK_SECONDS", "0.2")
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    producer.send(
        settings.topics.verdicts,
        make_verdict("Fuite: le plan de restructuration en pièce jointe",
                     (("risky_disclosure", "critical"),)),
    )
    producer.flush()
    producer.close()
    init_db(settings.resolved_database_url).dispose()  # so the test can read before the service
    stop = threading.Event()
    service = threading.Thread(target=run, args=(settings, stop), daemon=True)
    service.start()
    engine = create_db_engine(settings.resolved_database_url)
    try:
        def task() -> Task | None:
            with Session(engine) as session:
                return session.exec(select(Task)).first()

        wait_for(lambda: task() is not None)
        opened = task()
        assert opened is not None and opened.assignee
        # The disclosure was opened an hour ago (15 minutes to answer): the clock finds it late.
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        with Session(engine) as session:
            for entry in session.exec(select(AuditEntry).where(AuditEntry.task_id == opened.id)):
                entry.at = an_hour_ago
            session.get(Task, opened.id).next_check_at = an_hour_ago  # type: ignore[union-attr]
            session.commit()
        mails = mailbox.wait_for(1, timeout=60)
        assert mails[0].rcpt_tos == [f"{opened.assignee}@laurentia.example"]
        assert f"#{opened.case_id}" in mails[0].content.decode()
    finally:
        stop.set()
        service.join(30)
        engine.dispose()
    assert not service.is_alive()


def test_a_member_with_a_channel_of_their_own_is_told_there(
    engine: Engine, brand: BrandConfig, make_verdict: Any, receiver: Receiver  # noqa: F811
) -> None:
    own = AlertChannel(name="camille-slack", type="slack", url_env="CAMILLE_SLACK_URL",
                       min_severity="critical", kinds=["critical"])
    teams = [
        t.model_copy(update={"members": [
            m.model_copy(update={"notify": "camille-slack"}) if m.id == "camille-pr" else m
            for m in t.members
        ]})
        for t in brand.teams
    ]
    config = brand.model_copy(update={"teams": teams, "alerts": AlertPolicy(channels=[own])})
    book = PolicyBook(config)
    task = open_press_case(engine, book, make_verdict, "camille-pr")
    notifier = Notifier(engine, config, public_url="http://vigie.test",
                        environ={"CAMILLE_SLACK_URL": receiver.url}, retry=QUICK)
    tick(engine, book, OPENED + timedelta(minutes=23))
    assert notifier.send_pending(OPENED + timedelta(minutes=23)) == 1
    (message,) = receiver.wait_for(1)
    text = json.dumps(message.json(), ensure_ascii=False)
    assert f"Escalation #{task.case_id}" in text and "Camille Tremblay" in text
    # A channel's own filters (kinds, severity) are for alerts: a person's notice goes through.
    notifier.close()
