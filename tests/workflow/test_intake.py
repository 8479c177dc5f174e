"""Verdicts into cases on both databases: joining, tasks per team, idempotency, shadows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workflow.book import PolicyBook
from workflow.intake import ingest_verdicts
from workflow.models import (
    AuditEntry,
    Case,
    CaseTeam,
    CaseThread,
    OutboxEvent,
    PostRecord,
    ShadowVerdict,
    Task,
)

NOW = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Monday 10:00 in Toronto


def ingest(engine: Engine, book: PolicyBook, verdicts: list) -> Any:
    with Session(engine) as session:
        result = ingest_verdicts(session, book, verdicts, now=NOW)
        session.commit()
    return result


def rows(engine: Engine, model: type) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(model.id)))


def events(engine: Engine) -> list[dict]:
    return [json.loads(e.payload) for e in rows(engine, OutboxEvent)]


def test_a_complaint_spreading_a_rumour_opens_one_case_with_two_tasks(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    verdict = make_verdict(
        "Toujours pas reçu ma commande, et il paraît que l'usine ferme",
        (("complaint", "normal"), ("rumour", "high")),
    )
    result = ingest(engine, book, [verdict])
    assert (result.opened, result.joined) == (1, 0)
    (case,) = rows(engine, Case)
    assert case.labels == ["rumour", "complaint"] and case.severity == "high"
    tasks = rows(engine, Task)
    assert {(t.team_id, t.policy) for t in tasks} == {
        ("comms", "rumour"),
        ("customer_care", "complaint"),
    }
    assert all(t.assignee and t.state == "assigned" and t.sla_due for t in tasks)
    assert case.sla_due == min(t.sla_due for t in tasks)
    kinds = [e["type"] for e in events(engine)]
    assert kinds == ["opened", "assigned", "assigned"]
    (post,) = rows(engine, PostRecord)
    assert post.case_id == case.id and post.outcome == "routed"
    assert post.rules == ["rumours-to-comms", "complaints-to-care"]


def test_the_same_batch_twice_changes_nothing(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    batch = [
        make_verdict("Service nul", (("complaint", "normal"),)),
        make_verdict("@LaurentiaMobile quand ouvrez-vous?"),
        make_verdict("Belle journée"),
    ]
    first = ingest(engine, book, batch)
    before = (
        len(rows(engine, Case)),
        len(rows(engine, Task)),
        len(rows(engine, AuditEntry)),
        len(rows(engine, OutboxEvent)),
    )
    second = ingest(engine, book, batch + batch)
    assert (first.opened, first.triage, first.recorded) == (2, 1, 1)
    assert second.duplicates == 6 and second.opened == 0
    after = (
        len(rows(engine, Case)),
        len(rows(engine, Task)),
        len(rows(engine, AuditEntry)),
        len(rows(engine, OutboxEvent)),
    )
    assert after == before


def test_every_post_is_recorded_with_its_outcome(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    ingest(
        engine,
        book,
        [
            make_verdict("Belle journée au parc"),
            make_verdict("Mon bureau", source="staff", staff_member_id="s-001"),
        ],
    )
    reasons = sorted(p.reason for p in rows(engine, PostRecord))
    assert reasons == [
        "no label, no question addressed to the brand, author on no list",
        "staff post without label",
    ]
    assert rows(engine, Case) == []


def test_a_case_is_its_thread_and_the_threads_a_merge_rule_joins(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    author = {"id": "client-7", "handle": "client7"}
    first = make_verdict(
        "Ma commande n'arrive pas", (("complaint", "normal"),), conversation_id="t1", author=author
    )
    same_thread = make_verdict("Toujours rien!", (("complaint", "normal"),), conversation_id="t1")
    same_author = make_verdict(
        "Je relance", (("complaint", "normal"),), conversation_id="t2", author=author
    )
    other_concern = make_verdict(
        "Journaliste: un commentaire?", (("press_inquiry", "high"),), conversation_id="t1"
    )
    ingest(engine, book, [first, same_thread])  # joins within the same batch
    ingest(engine, book, [same_author, other_concern])
    (case,) = rows(engine, Case)
    assert (case.concern, case.post_count, case.version > 1) == ("complaint", 4, True)
    assert {t.team_id for t in rows(engine, Task)} == {"customer_care", "pr"}
    (link,) = rows_of(engine, CaseThread)
    assert (link.thread_id, link.rule) == ("x:t2", "repeated-complaint")
    assert [e["type"] for e in events(engine)].count("post_added") == 3


def test_posts_of_other_threads_merge_only_by_a_rule(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    """An employee's separate posts, or a customer's different concerns, stay separate cases."""
    staff = {"id": "emp-1", "handle": "camtremblay_lm"}
    posts = [
        make_verdict(
            f"Publication {n}",
            (("risky_disclosure", "critical"),),
            conversation_id=f"s{n}",
            author=staff,
            source="staff",
            staff_member_id="s-001",
        )
        for n in range(3)
    ]
    customer = {"id": "client-9", "handle": "client9"}
    posts += [
        make_verdict("Panne", (("complaint", "normal"),), conversation_id="c1", author=customer),
        make_verdict("Rumeur", (("rumour", "high"),), conversation_id="c2", author=customer),
    ]
    ingest(engine, book, posts)
    assert len(rows(engine, Case)) == 5 and rows_of(engine, CaseThread) == []


def test_a_waiting_task_resumes_when_the_customer_writes_again(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    ingest(engine, book, [make_verdict("Panne", (("complaint", "normal"),), conversation_id="w")])
    with Session(engine) as session:
        task = session.exec(select(Task)).one()
        task.state = "waiting"
        session.commit()
    ingest(
        engine,
        book,
        [
            make_verdict(
                "Voici mon numéro de client", (("complaint", "normal"),), conversation_id="w"
            )
        ],
    )
    (task,) = rows(engine, Task)
    assert task.state == "acknowledged"
    clocks = [a.clock for a in rows(engine, AuditEntry) if a.task_id == task.id]
    assert clocks[-1] == ["resumed", "post"]


def test_a_new_concern_in_the_thread_adds_a_task_to_the_open_case(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    ingest(engine, book, [make_verdict("Panne", (("complaint", "normal"),), conversation_id="m")])
    ingest(
        engine,
        book,
        [
            make_verdict(
                "Panne, et voici le courriel du client x@y.ca",
                (("complaint", "normal"), ("risky_disclosure", "critical")),
                conversation_id="m",
            )
        ],
    )
    (case,) = rows(engine, Case)
    assert {t.team_id for t in rows(engine, Task)} == {"customer_care", "legal"}
    assert case.restricted and case.severity == "critical"
    teams = {(r.team, r.role) for r in rows_of(engine, CaseTeam)}
    assert teams == {("customer_care", "owner"), ("legal", "owner"), ("security", "copy")}


def rows_of(engine: Engine, model: type) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model)))


def test_shadow_verdicts_are_recorded_never_routed(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    shadow = make_verdict("Service nul", (("complaint", "normal"),), shadow=True)
    result = ingest(engine, book, [shadow, shadow])
    assert result.shadow == 1
    assert rows(engine, Case) == [] and rows(engine, PostRecord) == []
    (kept,) = rows(engine, ShadowVerdict)
    assert kept.labels[0]["label"] == "complaint" and kept.model_version == "test-model-1"


def test_the_database_refuses_two_open_cases_for_one_thread_concern(engine: Engine) -> None:
    def case() -> Case:
        return Case(
            thread_id="x:1",
            concern="complaint",
            open_slot="complaint",
            platform="x",
            author_id="a",
            author_handle="a",
            lang="fr",
            state="new",
            severity="normal",
            summary="s",
            opened_at=NOW,
            updated_at=NOW,
        )

    with Session(engine) as session:
        session.add(case())
        session.commit()
        session.add(case())
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        closed = case()
        closed.open_slot = None  # a closed case frees the slot
        session.add(closed)
        session.commit()
