"""Conversations through the real broker and the workflow service, on both databases: a thread
replayed into one case with the brand's reply as its response, and a merge rule that gives the
same cases with two workflow replicas."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers import WorkflowService as Service
from helpers import count, wait_for
from sqlmodel import Session, col, select

from events.brand import load_brand_config
from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import utcnow
from events.settings import Settings
from workflow.actions import load_case, task_action
from workflow.api.presenters import case_detail
from workflow.auth import Role
from workflow.book import PolicyBook
from workflow.db import create_db_engine, init_db
from workflow.models import AuditEntry, Case, CaseMergeKey, CaseThread, PostRecord, Task
from workflow.principal import Principal
from workflow.records import histories
from workflow.sla import Milestone
from workflow.transitions import Action

CUSTOMER = {"id": "c-7", "handle": "jf_lavoie"}
BRAND = {"id": "b-1", "handle": "LaurentiaMobile"}
AGENT = Principal(username="agent", role=Role.agent, teams=frozenset({"customer_care"}))
ADMIN = Principal(username="admin", role=Role.admin, teams=frozenset())


def _in_thread(make_verdict: Any, n: int, text: str, labels: tuple = (), **post: Any) -> Any:
    post.setdefault("author", CUSTOMER)
    return make_verdict(
        text,
        labels,
        conversation_id="fil-1",
        platform_post_id=f"fil-1-{n}",
        reply_to_id=None if n == 0 else f"fil-1-{n - 1}",
        created_at=utcnow() - timedelta(minutes=10 - n),
        **post,
    )


def test_a_conversation_replayed_through_the_broker_is_one_case(
    settings: Settings, database_url: str, make_verdict: Any
) -> None:
    settings = settings.model_copy(update={"database_url": database_url})
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    book = PolicyBook(load_brand_config(settings.brand_config))
    complaint = _in_thread(
        make_verdict,
        0,
        "Facturé deux fois ce mois-ci, @LaurentiaMobile",
        (("complaint", "normal"),),
    )
    reply = _in_thread(
        make_verdict, 1, "Désolés! Écrivez-nous en privé, on corrige ça.", author=BRAND, lang="fr"
    )
    follow_up = _in_thread(make_verdict, 2, "Je vous ai envoyé mes détails en DM")
    rumour = _in_thread(
        make_verdict,
        3,
        "Et c'est vrai que vous fermez la boutique du centre-ville?",
        (("rumour", "high"),),
    )
    init_db(database_url).dispose()
    engine = create_db_engine(database_url)
    with Service(settings):
        for verdict in (complaint, reply):
            producer.send(settings.topics.verdicts, verdict)
        producer.flush()
        wait_for(lambda: count(database_url, PostRecord) == 2)
        # An agent asks the customer for details: the task waits for them.
        with Session(engine) as session:
            (case,) = session.exec(select(Case)).all()
            context = load_case(session, case.id, AGENT, version=case.version)  # type: ignore[arg-type]
            task_action(session, book, context, AGENT, action=Action.wait, now=utcnow())
            session.commit()
        for verdict in (follow_up, rumour):
            producer.send(settings.topics.verdicts, verdict)
        producer.flush()
        wait_for(lambda: count(database_url, PostRecord) == 4)
    producer.close()

    with Session(engine) as session:
        (case,) = session.exec(select(Case)).all()
        tasks = {t.team_id: t for t in session.exec(select(Task))}
        context = load_case(session, case.id, ADMIN)  # type: ignore[arg-type]
        detail = case_detail(session, book, context, now=utcnow())
        care = tasks["customer_care"]
        history = histories(session, [care.id])[care.id]  # type: ignore[index,list-item]
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.task_id == care.id).order_by(col(AuditEntry.id))
        ).all()
    engine.dispose()
    assert set(tasks) == {"customer_care", "comms"}
    assert [(p.id, p.source) for p in detail.posts] == [
        (complaint.post.post_id, "mention"),
        (reply.post.post_id, "brand"),
        (follow_up.post.post_id, "mention"),
        (rumour.post.post_id, "mention"),
    ]
    deadlines = {d.milestone: d for d in book.deadlines(care, history)}
    answered = next(e for e in entries if e.action == "brand_reply")
    resumed = next(e for e in entries if "resumed" in e.clock)
    assert answered.after["post_id"] == reply.post.post_id
    assert deadlines[Milestone.first_response].met_at == answered.at
    assert deadlines[Milestone.next_response].started_at == resumed.at
    assert deadlines[Milestone.next_response].met_at is None
    assert care.state == "acknowledged" and care.sla_state != "paused"  # resumed by the follow-up


# -- the merge rule with two replicas -------------------------------------------------------------

AUTHORS = 4
THREADS_PER_AUTHOR = 6


def _repeats(make_verdict: Any) -> list[Any]:
    """Each author repeats one complaint in several threads within one day (the bundled rule
    `repeated-complaint` merges them); threads spread over every partition."""
    day = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return [
        make_verdict(
            f"Toujours pas de réseau ({n})",
            (("complaint", "normal"),),
            author={"id": f"repeat-{a}", "handle": f"repeat{a}"},
            conversation_id=f"r{a}-{n}",
            platform_post_id=f"r{a}-{n}",
            created_at=day + timedelta(minutes=n),
        )
        for n in range(THREADS_PER_AUTHOR)
        for a in range(AUTHORS)
    ]


def _cases_by_author(url: str) -> dict[str, set[str]]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            found: dict[str, set[str]] = {}
            for case_id, author in session.exec(
                select(PostRecord.case_id, PostRecord.author_id).where(
                    col(PostRecord.case_id).is_not(None)
                )
            ):
                found.setdefault(author, set()).add(str(case_id))
            return found
    finally:
        engine.dispose()


def test_two_replicas_merge_an_authors_repeats_into_one_case(
    settings: Settings, database_url: str, make_verdict: Any
) -> None:
    settings = settings.model_copy(update={"database_url": database_url})
    prepare_topics(settings)
    init_db(database_url).dispose()
    verdicts = _repeats(make_verdict)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="test")
    with Service(settings), Service(settings):
        for verdict in verdicts:
            producer.send(settings.topics.verdicts, verdict)
        producer.flush()
        wait_for(lambda: count(database_url, PostRecord) == len(verdicts), timeout=60)
    producer.close()
    cases = _cases_by_author(database_url)
    assert len(cases) == AUTHORS and all(len(ids) == 1 for ids in cases.values())
    assert count(database_url, Case) == AUTHORS
    assert count(database_url, CaseThread) == AUTHORS * (THREADS_PER_AUTHOR - 1)
    assert count(database_url, CaseMergeKey) == AUTHORS


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_replicas_racing_for_one_merge_key_end_in_one_case(
    database_url: str, engine: Any, book: PolicyBook, make_verdict: Any, monkeypatch: Any
) -> None:
    """Two replicas read "no case" for the same key at the same moment: the second to write
    conflicts, its batch is retried, and the retry joins the first one's case."""
    from events.kafka_io import Delivery
    from workflow import intake
    from workflow.service import VerdictHandler

    barrier = threading.Barrier(2, timeout=10)
    first_two = iter(range(2))
    persist = intake._persist

    def racing_persist(*args: Any) -> None:
        if next(first_two, None) is not None:
            barrier.wait()  # both placed their post before either writes
        persist(*args)

    monkeypatch.setattr(intake, "_persist", racing_persist)

    repeats = _repeats(make_verdict)
    a, b = repeats[0], repeats[AUTHORS]  # one author, two threads
    handlers = [VerdictHandler(engine, book), VerdictHandler(engine, book)]
    threads = [
        threading.Thread(target=h, args=([Delivery(v, record=None)],))
        for h, v in zip(handlers, (a, b), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with Session(engine) as session:
        cases = session.exec(select(Case)).all()
        posts = session.exec(select(PostRecord)).all()
    assert len(cases) == 1 and {p.case_id for p in posts} == {cases[0].id}
