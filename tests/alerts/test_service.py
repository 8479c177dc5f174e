"""The alerting service on the real broker, delivering to local Slack/e-mail receivers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from helpers import brand_with_alerts, case_event, make_post
from processes import wait_until
from prometheus_client import REGISTRY

from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import (
    CaseEventType,
    Evidence,
    Label,
    LabelVerdict,
    Severity,
    Verdict,
    utcnow,
)
from events.settings import Settings
from workflow.alerts.channels import RetryPolicy
from workflow.alerts.service import run
from workflow.db import init_db

FAST = RetryPolicy(attempts=3, initial=0.01, cap=0.1, timeout=5)


class Running:
    """Start the service (a thread) with a brand file and environment; stop, start again."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.threads: list[tuple[threading.Thread, threading.Event]] = []

    def __call__(self, brand: Path, env: dict[str, str], **updates: Any) -> Settings:
        configured = self.settings.model_copy(
            update={"brand_config": brand, "api_port": 8765, **updates}
        )
        prepare_topics(configured)
        stop = threading.Event()
        thread = threading.Thread(
            target=run, args=(configured, stop), kwargs={"retry": FAST, "environ": env}, daemon=True
        )
        thread.start()
        self.threads.append((thread, stop))
        return configured

    def stop(self) -> None:
        for thread, stop in self.threads:
            stop.set()
            thread.join(timeout=30)
            assert not thread.is_alive()


@pytest.fixture
def running(settings: Settings) -> Iterator[Running]:
    service = Running(settings)
    yield service
    service.stop()


def verdict(text: str, label: Label, severity: Severity, **fields: Any) -> Verdict:
    evidence = Evidence(kind="rule", detector="test", version="1")
    return Verdict(
        post=make_post(text, **fields.pop("post", {})),
        lang="fr",
        model_version="t",
        labels=[LabelVerdict(label=label, score=0.9, severity=severity, evidence=[evidence])],
        **fields,
    )


def suppressed(kind: str, reason: str) -> float:
    return (
        REGISTRY.get_sample_value("vigie_alerts_suppressed_total", {"kind": kind, "reason": reason})
        or 0.0
    )


def test_case_events_alert_once_per_incident(
    running: Running, settings: Settings, tmp_path: Path, receiver: Any, mailbox: Any
) -> None:
    brand = brand_with_alerts(
        tmp_path,
        {
            "group_interval": "0.02m",
            "channels": [
                {"name": "comms", "type": "slack", "url_env": "T_SLACK", "min_severity": "normal"},
                {
                    "name": "garde",
                    "type": "email",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": mailbox.port,
                    "smtp_starttls": False,
                    "sender": "vigie@l.example",
                    "recipients": ["garde@l.example"],
                    "kinds": ["critical"],
                    "min_severity": "critical",
                },
            ],
        },
    )
    configured = running(brand, {"T_SLACK": receiver.url})
    before = {
        r: suppressed(k, r)
        for k, r in [("opened", "duplicate"), ("opened", "too_old"), ("critical", "cooldown")]
    }
    leak = verdict(
        "voici le courriel du client: j.gagnon@exemple.qc.ca, tél. 514-555-0199",
        Label.risky_disclosure,
        Severity.critical,
    )
    opened = case_event(
        CaseEventType.opened,
        1,
        severity=Severity.critical,
        labels=[Label.risky_disclosure],
        details={"post_id": leak.post.post_id, "teams": ["legal"], "copy_to": ["security"]},
    )
    sla = {
        "milestone": "first_response",
        "due_at": utcnow().isoformat(),
        "rung": 1,
        "policy": "complaint",
    }
    events = [
        opened,
        opened,  # delivered twice (outbox replay): one alert
        case_event(
            CaseEventType.post_added, 1, severity=Severity.critical, labels=[Label.risky_disclosure]
        ),
        case_event(
            CaseEventType.opened, 3, severity=Severity.critical, at=utcnow() - timedelta(hours=3)
        ),
        case_event(CaseEventType.opened, 4, severity=Severity.normal, labels=[Label.complaint]),
        case_event(
            CaseEventType.sla_breached,
            2,
            task_id=5,
            team="customer_care",
            severity=Severity.normal,
            labels=[Label.complaint],
            details=sla,
        ),
        case_event(
            CaseEventType.escalated,
            2,
            task_id=5,
            team="customer_care",
            severity=Severity.normal,
            details=sla | {"step": "notify_lead", "notify": "priya"},
        ),
        case_event(
            CaseEventType.opened,
            99,
            severity=Severity.critical,
            labels=[Label.security_threat],
            details={"teams": ["security"]},
        ),
    ]
    producer = EventProducer(configured.kafka_bootstrap_servers or "", service="test")
    producer.send(configured.topics.verdicts, leak)
    producer.flush()
    for item in events:
        producer.send(configured.topics.cases, item)
    producer.flush()
    producer.close()

    requests = receiver.wait_for(3)
    links = [block["text"]["text"] for r in requests for block in r.json()["blocks"][1:]]
    assert sum("/cases/1|" in link for link in links) == 1
    assert sum("/cases/2|" in link for link in links) == 1
    assert sum("/cases/99|" in link for link in links) == 1
    assert not any("/cases/3|" in link or "/cases/4|" in link for link in links)
    assert "http://127.0.0.1:8765/cases/1" in requests[0].body.decode()
    breach = next(link for link in links if "/cases/2|" in link)
    assert "notify_lead → priya" in breach
    everything = b"".join(r.body for r in requests)
    assert b"gagnon@" not in everything and b"555-0199" not in everything

    mails = mailbox.wait_for(2)
    subjects = [message_from_bytes(m.content, policy=policy.default)["Subject"] for m in mails]
    assert any("#1" in s for s in subjects) and any("#99" in s for s in subjects)
    assert suppressed("opened", "duplicate") == before["duplicate"] + 1
    assert suppressed("opened", "too_old") == before["too_old"] + 1
    assert suppressed("critical", "cooldown") == before["cooldown"] + 1
    assert len(receiver.requests) == 3


def test_a_rumour_taking_off_alerts_once(
    running: Running, settings: Settings, tmp_path: Path, receiver: Any
) -> None:
    brand = brand_with_alerts(
        tmp_path,
        {
            "spike": {"window": "10m", "baseline": "2h", "factor": 3, "min_count": 5},
            "channels": [
                {
                    "name": "spikes",
                    "type": "webhook",
                    "url_env": "T_HOOK",
                    "secret_env": "T_KEY",
                    "kinds": ["spike"],
                }
            ],
        },
    )
    configured = running(brand, {"T_HOOK": receiver.url, "T_KEY": "k"})
    now = utcnow()
    producer = EventProducer(configured.kafka_bootstrap_servers or "", service="test")
    for i in range(12):  # the usual trickle over two hours
        producer.send(
            configured.topics.verdicts,
            verdict(
                "on m'a dit que le magasin ferme",
                Label.rumour,
                Severity.high,
                classified_at=now - timedelta(hours=2) + i * timedelta(minutes=10),
            ),
        )
    for i in range(9):  # then a burst in the last few minutes
        producer.send(
            configured.topics.verdicts,
            verdict(
                f"il paraît que Laurentia fait faillite, appelez 438-555-01{i:02d}",
                Label.rumour,
                Severity.high,
                classified_at=now - timedelta(minutes=3) + i * timedelta(seconds=20),
            ),
        )
    producer.flush()
    producer.close()

    (request,) = receiver.wait_for(1)
    data = request.json()
    assert data["kind"] == "spike"
    (alert,) = data["alerts"]
    assert alert["labels"] == ["rumour"]
    assert alert["link"] == "http://127.0.0.1:8765/queue?label=rumour"
    assert alert["teams"] == ["comms"]
    assert "faillite" in alert["excerpt"] and "438-555" not in alert["excerpt"]


def test_a_keyword_spike_on_untagged_posts_alerts_after_a_restart(
    running: Running, settings: Settings, tmp_path: Path, receiver: Any, database_url: str
) -> None:
    brand = brand_with_alerts(
        tmp_path,
        {
            "spike": {"window": "10m", "baseline": "2h", "factor": 3, "min_count": 5},
            "channels": [
                {
                    "name": "spikes",
                    "type": "webhook",
                    "url_env": "T_HOOK",
                    "secret_env": "T_KEY",
                    "kinds": ["spike"],
                }
            ],
        },
    )
    env = {"T_HOOK": receiver.url, "T_KEY": "k"}
    now = utcnow()

    def untagged(text: str, at: datetime) -> Verdict:
        return Verdict(post=make_post(text), lang="fr", model_version="t", classified_at=at)

    def publish(configured: Settings, verdicts: list[Verdict]) -> None:
        producer = EventProducer(configured.kafka_bootstrap_servers or "", service="test")
        for item in verdicts:
            producer.send(configured.topics.verdicts, item)
        producer.flush()
        producer.close()

    engine = init_db(database_url)
    configured = running(brand, env, database_url=database_url)
    publish(
        configured,
        [  # the usual trickle over two hours, before the restart
            untagged(
                "Bonjour Laurentia Mobile, une question sur mon forfait",
                now - timedelta(hours=2, minutes=10) + i * timedelta(minutes=10),
            )
            for i in range(12)
        ],
    )

    def counted() -> int:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT count(*) FROM spike_sightings WHERE series = :s"),
                {"s": "keyword:laurentia mobile"},
            ).scalar_one()

    try:
        wait_until(lambda: counted() == 12, 60)
    finally:
        engine.dispose()
    running.stop()

    # Restarted: the burst alone is a cold start; with the kept baseline it is a spike.
    configured = running(brand, env, database_url=database_url)
    publish(
        configured,
        [
            untagged(
                f"Laurentia Mobile coupe tout ce soir? écrivez à j.roy{i}@exemple.qc.ca",
                now - timedelta(minutes=3) + i * timedelta(seconds=20),
            )
            for i in range(8)
        ],
    )
    (request,) = receiver.wait_for(1)
    (alert,) = request.json()["alerts"]
    assert alert["title"] == "Pic de volume / Volume spike: « Laurentia Mobile »"
    assert 5 <= int(alert["facts"]["Volume"].split()[0]) <= 8, "the burst, not the trickle"
    assert alert["teams"] == ["comms"]
    assert "coupe tout" in alert["excerpt"] and "@exemple" not in alert["excerpt"]
