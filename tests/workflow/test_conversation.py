"""A case is a conversation, on both databases: the brand's reply is the response, a customer's
post (tagged or not) restarts the next-response clock and resumes a waiting task, a new concern
adds a task, the summary quotes the post that set the severity."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from events.schemas import Verdict
from workflow.book import PolicyBook
from workflow.intake import ingest_verdicts
from workflow.models import AuditEntry, Case, OutboxEvent, PostRecord, Task
from workflow.records import audit, histories
from workflow.sla import Kind, Milestone

T0 = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Monday 10:00 in Toronto: care is at work
CUSTOMER = {"id": "c-42", "handle": "marie_g"}
BRAND = {"id": "b-1", "handle": "LaurentiaAide"}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ingest(engine: Engine, book: PolicyBook, verdicts: list[Verdict], now: datetime) -> Any:
    with Session(engine) as session:
        result = ingest_verdicts(session, book, verdicts, now=now)
        session.commit()
    return result


def in_thread(make_verdict: Any, minutes: int, text: str, labels: tuple = (), **post: Any) -> Any:
    post.setdefault("author", CUSTOMER)
    return make_verdict(
        text,
        labels,
        conversation_id="conv-1",
        platform_post_id=f"p{minutes}",
        reply_to_id=None if minutes == 0 else "p0",
        created_at=at(minutes),
        **post,
    )


def first_responses() -> float:
    sample = {"team": "customer_care"}
    return REGISTRY.get_sample_value("vigie_first_response_seconds_count", sample) or 0.0


def deadlines(engine: Engine, book: PolicyBook, team: str) -> dict[Milestone, Any]:
    with Session(engine) as session:
        task = session.exec(select(Task).where(Task.team_id == team)).one()
        history = histories(session, [task.id])[task.id]  # type: ignore[index,list-item]
        return {d.milestone: d for d in book.deadlines(task, history)}


def test_a_conversation_is_one_case_answered_by_the_brand(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    complaint = in_thread(
        make_verdict, 0, "Plus de réseau depuis ce matin", (("complaint", "normal"),)
    )
    ingest(engine, book, [complaint], at(1))
    reply = in_thread(
        make_verdict, 20, "Désolés! Écrivez-nous en DM avec votre numéro de client.", author=BRAND
    )
    timed = first_responses()
    ingest(engine, book, [reply], at(21))
    assert first_responses() == timed + 1  # the brand's reply is the team's first response
    first = deadlines(engine, book, "customer_care")[Milestone.first_response]
    assert first.met_at == at(21) and first.met_at <= first.due_at  # type: ignore[operator]

    follow_up = in_thread(make_verdict, 40, "Je vous ai envoyé mes détails en DM")
    rumour = in_thread(
        make_verdict, 50, "Et il paraît que vous fermez les boutiques?", (("rumour", "high"),)
    )
    result = ingest(engine, book, [follow_up, rumour], at(51))
    assert (result.opened, result.joined, result.followed, result.recorded) == (0, 1, 1, 0)

    with Session(engine) as session:
        (case,) = session.exec(select(Case)).all()
        tasks = session.exec(select(Task).order_by(col(Task.id))).all()
        posts = session.exec(
            select(PostRecord)
            .where(PostRecord.case_id == case.id)
            .order_by(col(PostRecord.created_at))
        ).all()
    assert [t.team_id for t in tasks] == ["customer_care", "comms"]
    assert [(p.source, p.outcome) for p in posts] == [
        ("mention", "routed"),
        ("brand", "joined"),
        ("mention", "joined"),
        ("mention", "routed"),
    ]
    assert case.post_count == 4 and case.severity == "high"
    care = deadlines(engine, book, "customer_care")
    assert care[Milestone.next_response].started_at == at(51)  # the untagged follow-up
    assert care[Milestone.next_response].met_at is None

    answer = in_thread(make_verdict, 70, "Merci, c'est réglé de notre côté.", author=BRAND)
    ingest(engine, book, [answer], at(71))
    care = deadlines(engine, book, "customer_care")
    assert care[Milestone.next_response].met_at == at(71)
    comms = deadlines(engine, book, "comms")
    assert comms[Milestone.first_response].met_at == at(71)


def test_an_untagged_follow_up_resumes_a_waiting_task(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    ingest(
        engine,
        book,
        [in_thread(make_verdict, 0, "Facture erronée", (("complaint", "normal"),))],
        at(1),
    )
    with Session(engine) as session:
        (case,) = session.exec(select(Case)).all()
        task = session.exec(select(Task)).one()
        task.state = "waiting"  # as the "wait" action leaves it, with the same clock entries
        audit(
            session,
            case=case,
            task=task,
            action="wait",
            actor="agent",
            at=at(5),
            clock=[Kind.response, Kind.waiting],
        )
        session.commit()
    ingest(engine, book, [in_thread(make_verdict, 30, "Voici ma facture en pièce jointe")], at(31))
    with Session(engine) as session:
        task = session.exec(select(Task)).one()
        clocks = [
            a.clock
            for a in session.exec(
                select(AuditEntry).where(AuditEntry.task_id == task.id).order_by(col(AuditEntry.id))
            )
        ]
    assert task.state == "acknowledged" and task.sla_state != "paused"
    assert clocks[-1] == ["resumed", "post"]
    assert deadlines(engine, book, "customer_care")[Milestone.next_response].started_at == at(31)


def test_a_brand_reply_written_before_the_customers_latest_post_does_not_answer_it(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    """Collected late, after the customer's follow-up: it met the first response only."""
    ingest(engine, book, [in_thread(make_verdict, 0, "Panne", (("complaint", "normal"),))], at(1))
    early = in_thread(make_verdict, 10, "Nous regardons.", author=BRAND)
    ingest(engine, book, [early], at(11))
    ingest(engine, book, [in_thread(make_verdict, 30, "Toujours rien")], at(31))
    late = in_thread(make_verdict, 15, "Un technicien est en route.", author=BRAND)
    ingest(engine, book, [late], at(32))
    care = deadlines(engine, book, "customer_care")
    assert care[Milestone.first_response].met_at == at(11)
    assert care[Milestone.next_response].met_at is None


def test_the_summary_quotes_the_post_that_set_the_severity(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    ingest(
        engine,
        book,
        [in_thread(make_verdict, 0, "Service lent", (("complaint", "normal"),))],
        at(1),
    )
    leak = in_thread(
        make_verdict,
        5,
        "Le mot de passe du routeur interne est hunter2",
        (("risky_disclosure", "critical"),),
    )
    ingest(engine, book, [leak, in_thread(make_verdict, 6, "ok merci")], at(7))
    with Session(engine) as session:
        (case,) = session.exec(select(Case)).all()
        events = [json.loads(e.payload) for e in session.exec(select(OutboxEvent))]
    assert (case.severity, case.summary_post_id) == ("critical", leak.post.post_id)
    assert case.summary.startswith("Le mot de passe")
    added = [e for e in events if e["type"] == "post_added"]
    assert [e["details"]["quote_post_id"] for e in added] == [leak.post.post_id] * 2


def test_a_reply_after_the_case_closed_joins_it_without_reopening(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    ingest(engine, book, [in_thread(make_verdict, 0, "Panne", (("complaint", "normal"),))], at(1))
    with Session(engine) as session:
        (case,) = session.exec(select(Case)).all()
        task = session.exec(select(Task)).one()
        task.state, task.closed_at = "resolved", at(2)
        case.state, case.open_slot, case.closed_at = "resolved", None, at(2)
        session.commit()
    ingest(engine, book, [in_thread(make_verdict, 10, "Merci beaucoup!")], at(11))
    with Session(engine) as session:
        (case,) = session.exec(select(Case)).all()
        task = session.exec(select(Task)).one()
    assert (case.post_count, case.state, task.state) == (2, "resolved", "resolved")


def test_a_question_inside_an_open_case_is_a_follow_up_not_triage(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    ingest(engine, book, [in_thread(make_verdict, 0, "Panne", (("complaint", "normal"),))], at(1))
    result = ingest(engine, book, [in_thread(make_verdict, 10, "Des nouvelles?")], at(11))
    assert (result.triage, result.followed) == (0, 1)
    with Session(engine) as session:
        assert [t.team_id for t in session.exec(select(Task))] == ["customer_care"]


def test_erasing_the_author_of_the_summary_post_blanks_the_summary(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    """In someone else's thread, the summary quotes another author's post: erasing that author
    takes the quote with it."""
    from workflow.erasure import ERASED, erase_author

    ingest(
        engine,
        book,
        [in_thread(make_verdict, 0, "Service lent", (("complaint", "normal"),))],
        at(1),
    )
    threat = in_thread(
        make_verdict,
        5,
        "Je sais où habite votre agente",
        (("security_threat", "critical"),),
        author={"id": "t-1", "handle": "menace_anonyme"},
    )
    ingest(engine, book, [threat], at(6))
    with Session(engine) as session:
        erase_author(session, "x", "menace_anonyme", actor="admin", now=at(10))
        session.commit()
        (case,) = session.exec(select(Case)).all()
    assert case.summary == ERASED and case.author_handle == CUSTOMER["handle"]


def test_a_brand_reply_tagged_with_the_cases_concern_answers_it(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    """The classifier may tag a support reply like the complaint it answers: it still answers
    it; a concern of its own (an internal detail leaked in the reply) opens a task of its own."""
    ingest(engine, book, [in_thread(make_verdict, 0, "Panne", (("complaint", "normal"),))], at(1))
    reply = in_thread(
        make_verdict,
        10,
        "Désolés pour la panne! Le routeur central R7 a planté, le NOC redémarre. Des questions?",
        (("complaint", "normal"), ("risky_disclosure", "critical")),
        author=BRAND,
        source="staff",
        staff_member_id="s-003",
    )
    result = ingest(engine, book, [reply], at(11))
    assert (result.triage, result.joined) == (0, 1)
    care = deadlines(engine, book, "customer_care")
    assert care[Milestone.first_response].met_at == at(11)
    assert Milestone.next_response not in care
    legal = deadlines(engine, book, "legal")
    assert legal[Milestone.first_response].met_at is None  # its own concern waits for legal
    with Session(engine) as session:
        (case,) = session.exec(select(Case)).all()
        (post,) = session.exec(select(PostRecord).where(PostRecord.id == reply.post.post_id)).all()
    assert case.severity == "critical" and case.summary_post_id == reply.post.post_id
    assert post.source == "brand" and post.payload["source"] == "staff"


def test_a_brand_reply_answers_the_person_it_replies_to_not_everyone_in_the_thread(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    journalist = {"id": "j-9", "handle": "a_roy_presse"}

    def post(minutes: int, text: str, labels: tuple, author: dict, reply_to: str | None) -> Any:
        return make_verdict(text, labels, conversation_id="conv-1", platform_post_id=f"p{minutes}",
                            reply_to_id=reply_to, created_at=at(minutes), author=author)

    complaint = post(0, "Plus de réseau depuis ce matin", (("complaint", "normal"),), CUSTOMER, None)
    question = post(5, "Journaliste à La Presse: combien de clients touchés par la panne?",
                    (("press_inquiry", "high"),), journalist, "p0")
    ingest(engine, book, [complaint, question], at(6))
    with Session(engine) as session:
        teams = {t.team_id: t.labels for t in session.exec(select(Task))}
    press_team = next(team for team, labels in teams.items() if "press_inquiry" in labels)

    to_customer = post(20, "Désolés! Écrivez-nous en DM, on regarde.", (), BRAND, "p0")
    ingest(engine, book, [to_customer], at(21))
    assert deadlines(engine, book, "customer_care")[Milestone.first_response].met_at == at(21)
    assert deadlines(engine, book, press_team)[Milestone.first_response].met_at is None

    to_journalist = post(30, "Bonjour, notre porte-parole vous rappelle.", (), BRAND, "p5")
    ingest(engine, book, [to_journalist], at(31))
    assert deadlines(engine, book, press_team)[Milestone.first_response].met_at == at(31)
