"""Privacy on both databases: retention purge and legal hold, erasure and export by author, the
audit export. The API is the real one (TestClient); `vigie purge` and `vigie audit-export` run
through the CLI's own entry point."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from events.schemas import utcnow
from vigie.cli import app as cli
from workflow.intake import ingest_verdicts
from workflow.metrics import PURGED
from workflow.models import AuditEntry, Case, Feedback, OutboxEvent, PostRecord, SecurityEvent

runner = CliRunner()


def _close(api: Any, case_id: int) -> None:
    response = api.act("admin", case_id, action="resolve")
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "resolved"


def _purge(database_url: str, when: Any, *extra: str) -> dict[str, int]:
    result = runner.invoke(
        cli, ["purge", "--as-of", when.isoformat(), "--database-url", database_url, "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])["purged"]


def _everything(engine: Any) -> str:
    """Every row of every workflow table, as one lower-cased text."""
    rows = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                rows.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(rows).lower()


def test_purge_removes_what_retention_says_and_keeps_a_held_case(
    people: Any, make_verdict: Any, database_url: str
) -> None:
    complaint = (("complaint", "normal"),)
    people.feed(
        make_verdict("Toujours pas reçu ma commande, 3 semaines!", complaint, author={"id": "u-closed", "handle": "closed_cust"}),
        make_verdict("Facture erronée encore ce mois-ci", complaint, author={"id": "u-held", "handle": "held_cust"}),
        make_verdict("belle journée au parc", author={"id": "u-chat", "handle": "chatter"}),
        make_verdict("Toujours pas reçu ma commande", complaint, shadow=True),
    )
    cases = {c["author_handle"]: c["id"] for c in people.cases()}
    closed, held = cases["closed_cust"], cases["held_cust"]
    relabeled = people.act("admin", closed, action="relabel", labels=["complaint", "rumour"])
    assert relabeled.status_code == 200, relabeled.text
    for case_id in (closed, held):
        for _ in range(2):  # relabel opened a second task: close every task
            detail = people.as_("admin", "GET", f"/api/cases/{case_id}").json()
            open_tasks = [t for t in detail["tasks"] if t["state"] not in ("resolved", "dismissed")]
            for task in open_tasks:
                done = people.act("admin", case_id, action="resolve", task_id=task["id"])
                assert done.status_code == 200, done.text

    # Only an admin or a lead of the legal teams holds a case; the hold is audited.
    assert people.as_("priya", "PUT", f"/api/cases/{held}/legal-hold", json={"reason": "x"}).status_code == 403
    hold = people.as_("admin", "PUT", f"/api/cases/{held}/legal-hold", json={"reason": "mise en demeure"})
    assert hold.status_code == 200 and hold.json() == {"case_id": held, "legal_hold": True}
    assert people.as_("priya", "GET", f"/api/cases/{held}/legal-hold").json()["legal_hold"] is True
    audit = people.as_("admin", "GET", f"/api/cases/{held}").json()["audit"]
    assert audit[-1]["action"] == "legal_hold_set" and audit[-1]["after"]["reason"] == "mise en demeure"

    now = utcnow()
    assert _purge(database_url, now + timedelta(days=29)) == dict.fromkeys(
        ["closed_case_posts", "unrouted_posts", "cases", "audit", "feedback", "shadow_verdicts", "case_events",
         "security_events"], 0
    )
    before = PURGED.labels("closed_case_posts")._value.get()
    preview = _purge(database_url, now + timedelta(days=181), "--dry-run")
    assert preview["closed_case_posts"] == 1  # the held case's post stays
    assert preview["unrouted_posts"] == 1 and preview["shadow_verdicts"] == 1
    assert preview["cases"] == preview["feedback"] == 0
    with Session(people.engine) as session:
        assert len(session.exec(select(PostRecord)).all()) == 3  # a dry run deletes nothing
    assert _purge(database_url, now + timedelta(days=181)) == preview
    assert PURGED.labels("closed_case_posts")._value.get() == before + 1
    with Session(people.engine) as session:
        posts = session.exec(select(PostRecord)).all()
        assert [p.author_handle for p in posts] == ["held_cust"]
        closed_case = session.get(Case, closed)
        assert closed_case is not None and closed_case.summary == "" and closed_case.search_text == ""
        assert session.exec(select(Feedback)).all()  # feedback lives a year
    page = people.as_("admin", "GET", f"/api/cases/{closed}").json()
    assert page["posts"] == [] and page["audit"]  # the skeleton and its audit stay

    a_year_on = _purge(database_url, now + timedelta(days=366))
    assert a_year_on["feedback"] == 1
    assert a_year_on["security_events"] >= 1  # the logins of this test
    with Session(people.engine) as session:
        assert session.exec(select(SecurityEvent)).all() == []
    late = _purge(database_url, now + timedelta(days=731))
    assert late["cases"] == 1  # the closed case; the held one stays
    with Session(people.engine) as session:
        assert session.get(Case, closed) is None and session.get(Case, held) is not None
        assert session.exec(select(AuditEntry).where(AuditEntry.case_id == closed)).all() == []

    lift = people.as_("admin", "DELETE", f"/api/cases/{held}/legal-hold", params={"reason": "réglé"})
    assert lift.status_code == 200 and lift.json()["legal_hold"] is False
    assert _purge(database_url, now + timedelta(days=731))["cases"] == 1
    assert people.as_("admin", "GET", f"/api/cases/{held}").status_code == 404


def test_the_workflow_purge_counts_in_prometheus(people: Any, make_verdict: Any) -> None:
    from workflow.retention import purge

    people.feed(make_verdict("rien à signaler"))
    before = PURGED.labels("unrouted_posts")._value.get()
    policy = people.client.app.state.vigie.book.config.retention
    assert purge(people.engine, policy, utcnow() + timedelta(days=31))["unrouted_posts"] == 1
    assert PURGED.labels("unrouted_posts")._value.get() == before + 1


def test_erasure_removes_an_author_from_every_table_and_response(
    people: Any, make_verdict: Any, database_url: str
) -> None:
    secret_text = "Mon courriel est jeanne.d@example.com et je veux un remboursement"
    author = {"id": "987654321", "handle": "JDoe_Mtl", "display_name": "Jeanne Doucette"}
    first = make_verdict(secret_text, (("complaint", "normal"),), author=author,
                         url="https://x.com/JDoe_Mtl/status/1")
    reply = make_verdict(
        "@JDoe_Mtl on regarde ça", (("complaint", "normal"),),
        author={"id": "brand", "handle": "laurentiaaide"}, conversation_id=first.post.platform_post_id,
    )
    other = make_verdict("Panne à Laval depuis ce matin", (("complaint", "normal"),),
                         author={"id": "u-other", "handle": "other_cust"})
    people.feed(first, reply, other)
    with Session(people.engine) as session:
        ingest_verdicts(session, people.client.app.state.vigie.book,
                        [first.model_copy(update={"shadow": True, "model_version": "candidate"})], now=utcnow())
        session.commit()
    cases = {c["author_handle"]: c for c in people.cases()}
    case_id = cases["JDoe_Mtl"]["id"]
    note = people.act("admin", case_id, action="note", text="Le client @JDoe_Mtl a écrit: " + secret_text)
    assert note.status_code == 200, note.text
    assert people.act("admin", case_id, action="relabel", labels=["complaint", "rumour"]).status_code == 200

    exported = people.as_("admin", "POST", "/api/privacy/exports", json={"author": "x:@jdoe_mtl"})
    assert exported.status_code == 200
    held = exported.json()
    assert [p["text"] for p in held["posts"]] == [secret_text]
    assert held["cases"][0]["id"] == case_id and len(held["feedback"]) == 1
    assert len(held["notes_mentioning"]) == 1
    assert people.as_("priya", "POST", "/api/privacy/exports", json={"author": "x:jdoe_mtl"}).status_code == 403
    assert people.as_("admin", "POST", "/api/privacy/erasures", json={"author": "jdoe"}).status_code == 422

    erased = people.as_("admin", "POST", "/api/privacy/erasures", json={"author": "x:JDoe_Mtl"})
    assert erased.status_code == 200, erased.text
    result = erased.json()
    assert result["posts"] == 1 and result["feedback"] == 1 and result["shadow_verdicts"] == 1
    assert result["cases"] == [case_id]

    stored = _everything(people.engine)
    for trace in ("jdoe_mtl", "jeanne.d@example.com", "jeanne doucette", "987654321", "un remboursement"):
        assert trace not in stored, trace
    assert "panne à laval" in stored and "other_cust" in stored  # nobody else was touched

    responses = [
        people.as_("admin", "GET", "/api/cases").text,
        people.as_("admin", "GET", f"/api/cases/{case_id}").text,
        people.as_("admin", "GET", "/api/cases", params={"q": "jdoe"}).text,
        people.as_("admin", "GET", "/api/privacy/audit").text,
    ]
    for body in responses:
        assert "jdoe_mtl" not in body.lower() and "remboursement" not in body
    after = people.as_("admin", "POST", "/api/privacy/exports", json={"author": "x:jdoe_mtl"}).json()
    assert after["posts"] == after["cases"] == after["feedback"] == after["notes_mentioning"] == []
    page = people.as_("admin", "GET", f"/api/cases/{case_id}").json()
    assert page["id"] == case_id and page["author_handle"] == result["pseudonym"]
    assert page["audit"][-1]["action"] == "erased" and page["audit"][-1]["actor"] == "admin"
    assert any(a["action"] == "note" for a in page["audit"])  # the note stays, without the quote
    with Session(people.engine) as session:
        events = [json.loads(e.payload) for e in session.exec(select(OutboxEvent))]
    (erasure,) = [e for e in events if e["type"] == "erased"]
    assert erasure["case_id"] == case_id and erasure["details"]["post_ids"] == [first.post.post_id]
    assert erasure["details"]["author_ref"] == result["author_ref"]


def test_audit_export_by_date_range(people: Any, make_verdict: Any, database_url: str) -> None:
    people.feed(make_verdict("Toujours pas reçu ma commande", (("complaint", "normal"),)))
    (case,) = people.cases()
    assert people.act("admin", case["id"], action="note", text="rappelé").status_code == 200
    now = utcnow()
    jsonl = people.as_("admin", "GET", "/api/privacy/audit",
                       params={"since": (now - timedelta(hours=1)).isoformat(), "until": (now + timedelta(hours=1)).isoformat()})
    assert jsonl.status_code == 200 and jsonl.headers["content-type"].startswith("application/x-ndjson")
    entries = [json.loads(line) for line in jsonl.text.splitlines()]
    assert entries and entries[-1]["action"] == "note" and entries[-1]["after"] == {"text": "rappelé"}
    as_csv = people.as_("admin", "GET", "/api/privacy/audit", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["id"] for r in rows] == [str(e["id"]) for e in entries]
    assert json.loads(rows[-1]["after"]) == {"text": "rappelé"}
    empty = people.as_("admin", "GET", "/api/privacy/audit", params={"until": (now - timedelta(days=1)).isoformat()})
    assert empty.status_code == 200 and empty.text == ""
    assert people.as_("carelead", "GET", "/api/privacy/audit").status_code == 403
    preview = people.as_("admin", "GET", "/api/privacy/retention").json()
    assert preview["policy"]["closed_case_posts"] == "180d"
    assert preview["would_purge"] == dict.fromkeys(preview["would_purge"], 0)  # nothing old yet
    backwards = people.as_("admin", "GET", "/api/privacy/audit",
                           params={"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()})
    assert backwards.status_code == 422

    cli_csv = runner.invoke(cli, ["audit-export", "--format", "csv", "--database-url", database_url,
                                  "--since", (now - timedelta(hours=1)).isoformat()])
    assert cli_csv.exit_code == 0, cli_csv.output
    assert [r["id"] for r in csv.DictReader(io.StringIO(cli_csv.stdout))] == [r["id"] for r in rows]
    bad = runner.invoke(cli, ["audit-export", "--since", "yesterday", "--database-url", database_url])
    assert bad.exit_code == 2 and "not an ISO date" in bad.output


def test_the_privacy_migration_fills_feedback_rows_from_their_posts(people: Any, make_verdict: Any) -> None:
    from alembic import command
    from alembic.config import Config

    from events.pseudonyms import author_ref
    from workflow.db import MIGRATIONS

    def alembic(verb: str, revision: str) -> None:
        with people.engine.connect() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            getattr(command, verb)(config, revision)
            connection.commit()

    people.feed(make_verdict("Toujours pas reçu ma commande", (("complaint", "normal"),),
                             author={"id": "u1", "handle": "Lucie_B", "description": "maman de 3"},
                             place="Sherbrooke"))
    (case,) = people.cases()
    assert people.act("admin", case["id"], action="relabel", labels=["rumour"]).status_code == 200
    alembic("downgrade", "0003_auth")
    with people.engine.begin() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("feedback")}
        assert "actor" in columns and "author_ref" not in columns
    alembic("upgrade", "head")
    with Session(people.engine) as session:
        (row,) = session.exec(select(Feedback)).all()
    assert (row.author_ref, row.source, row.bio, row.place) == (
        author_ref("x", "lucie_b"), "mention", "maman de 3", "Sherbrooke"
    )


def test_erasure_finds_feedback_after_its_post_was_purged(
    people: Any, make_verdict: Any, database_url: str
) -> None:
    people.feed(make_verdict("Mon forfait a doublé sans avertissement", (("complaint", "normal"),),
                             author={"id": "u-gone", "handle": "gone_user"}))
    (case,) = people.cases()
    assert people.act("admin", case["id"], action="relabel", labels=["rumour"]).status_code == 200
    for task in people.as_("admin", "GET", f"/api/cases/{case['id']}").json()["tasks"]:
        if task["state"] not in ("resolved", "dismissed"):
            assert people.act("admin", case["id"], action="resolve", task_id=task["id"]).status_code == 200
    assert _purge(database_url, utcnow() + timedelta(days=181))["closed_case_posts"] == 1
    result = runner.invoke(cli, ["erase", "--author", "x:gone_user", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    erased = json.loads(result.stdout.strip().splitlines()[-1])
    assert (erased["posts"], erased["feedback"], erased["cases"]) == (0, 1, [case["id"]])
    assert "forfait a doublé" not in _everything(people.engine)
