"""The SLA clock on both databases: at risk, breach, the escalation ladder, late assignment."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from workflow.book import PolicyBook
from workflow.clock import assign_waiting_tasks, recompute_open_tasks, tick
from workflow.intake import ingest_verdicts
from workflow.models import Case, Member, OutboxEvent, Task

OPENED = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Monday 10:00, Toronto


def open_case(engine: Engine, book: PolicyBook, verdict: Any) -> Task:
    with Session(engine) as session:
        ingest_verdicts(session, book, [verdict], now=OPENED)
        session.commit()
        return session.exec(select(Task)).one()


def clock_events(engine: Engine) -> list[dict]:
    with Session(engine) as session:
        payloads = [
            json.loads(e.payload)
            for e in session.exec(select(OutboxEvent).order_by(OutboxEvent.id))
        ]
    return [p for p in payloads if p["type"] in ("sla_at_risk", "sla_breached", "escalated")]


def test_the_ladder_climbs_once_per_rung(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    # Harassment: first response 30 min, ladder notify_assignee -> notify_lead -> raise_severity.
    task = open_case(engine, book, make_verdict("Tu vas le regretter", (("harassment", "high"),)))
    assert task.next_check_at == OPENED + timedelta(minutes=22, seconds=30)
    assert tick(engine, book, OPENED + timedelta(minutes=10)) == 0
    assert tick(engine, book, OPENED + timedelta(minutes=23)) == 1
    assert [e["type"] for e in clock_events(engine)] == ["sla_at_risk", "escalated"]
    assert clock_events(engine)[1]["details"]["step"] == "notify_assignee"
    assert tick(engine, book, OPENED + timedelta(minutes=24)) == 0  # nothing new: no duplicate
    assert tick(engine, book, OPENED + timedelta(hours=2)) == 2  # breach, then the third rung
    kinds = [(e["type"], e["details"].get("step")) for e in clock_events(engine)]
    assert kinds[2:] == [
        ("sla_breached", None),
        ("escalated", "notify_lead"),
        ("escalated", "raise_severity"),
    ]
    assert clock_events(engine)[3]["details"]["notify"] == "isabelle"  # the HR lead
    with Session(engine) as session:
        task = session.exec(select(Task)).one()
        case = session.exec(select(Case)).one()
    assert task.severity == "critical" and case.severity == "critical"
    assert task.sla_state == "breached" and case.sla_state == "breached"
    assert task.next_check_at is None


def test_reassign_step_moves_the_task(engine: Engine, book: PolicyBook, make_verdict: Any) -> None:
    # Risky disclosure: 15 min around the clock; ladder notify_assignee, notify_lead, reassign.
    # Legal has one member: give it a second so the reassign step has somewhere to go.
    with Session(engine) as session:
        session.add(Member(id="louis", team_id="legal", name="Louis", languages=["fr"], position=9))
        session.commit()
    task = open_case(
        engine, book, make_verdict("projet confidentiel", (("risky_disclosure", "critical"),))
    )
    first = task.assignee
    tick(engine, book, OPENED + timedelta(hours=1))
    steps = [e["details"].get("step") for e in clock_events(engine) if e["type"] == "escalated"]
    assert steps == ["notify_assignee", "notify_lead", "reassign"]
    with Session(engine) as session:
        assert session.exec(select(Task)).one().assignee not in (first, None)


def test_unassigned_tasks_find_someone_when_a_member_comes_back(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    with Session(engine) as session:
        for member in session.exec(select(Member).where(Member.team_id == "investor_relations")):
            member.presence = "away"
        session.commit()
    task = open_case(
        engine,
        book,
        make_verdict("Q3 numbers look great, buy now", (("investor_sensitive", "critical"),)),
    )
    assert task.assignee is None and task.state == "new"
    assert assign_waiting_tasks(engine, book, OPENED) == 0
    with Session(engine) as session:
        session.exec(select(Member).where(Member.id == "david")).one().presence = "available"
        session.commit()
    assert assign_waiting_tasks(engine, book, OPENED) == 1
    with Session(engine) as session:
        assert session.exec(select(Task)).one().assignee == "david"


def test_recompute_after_a_policy_change(
    engine: Engine, book: PolicyBook, brand: Any, make_verdict: Any
) -> None:
    task = open_case(engine, book, make_verdict("colis perdu", (("complaint", "normal"),)))
    policies = [
        p.model_copy(update={"first_response": "2h"}) if p.name == "complaint" else p
        for p in brand.sla_policies
    ]
    changed = PolicyBook(brand.model_copy(update={"sla_policies": policies}))
    assert recompute_open_tasks(engine, changed, OPENED) == task.id
    assert recompute_open_tasks(engine, changed, OPENED, after_id=task.id) == 0
    with Session(engine) as session:
        assert session.exec(select(Task)).one().sla_due == task.sla_due + timedelta(hours=1)
