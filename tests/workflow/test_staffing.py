"""Work goes to the right person, on both databases: the most urgent waiting tasks first, shifts
and presence, taking over someone's task, a second acknowledge, copy teams reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from events.brand import BrandConfig
from workflow.book import PolicyBook
from workflow.clock import assign_waiting_tasks
from workflow.intake import ingest_verdicts
from workflow.models import AuditEntry, Case, Member, Task

OPENED = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Monday 10:00, Toronto
NIGHT = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)  # Tuesday 03:00, Toronto


def feed(engine: Engine, book: PolicyBook, now: datetime, *verdicts: Any) -> None:
    with Session(engine) as session:
        ingest_verdicts(session, book, list(verdicts), now=now)
        session.commit()


def set_presence(engine: Engine, team: str, presence: str, **capacity: int) -> None:
    with Session(engine) as session:
        for member in session.exec(select(Member).where(Member.team_id == team)):
            member.presence = presence
            member.capacity = capacity.get(member.id, member.capacity)
        session.commit()


def tasks_by_label(engine: Engine) -> dict[str, list[Task]]:
    found: dict[str, list[Task]] = {}
    with Session(engine) as session:
        for task in session.exec(select(Task).order_by(col(Task.id))):
            found.setdefault(task.label, []).append(task)
    return found


def test_waiting_tasks_go_out_by_severity_then_deadline_and_their_cases_leave_new(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    set_presence(engine, "legal", "away")
    later, sooner = OPENED + timedelta(hours=1), OPENED
    # Copyright first (lower ids), the later one first of all; then two critical disclosures.
    feed(engine, book, later, make_verdict("Ils ont copié notre logo", (("copyright", "normal"),)))
    feed(engine, book, sooner, make_verdict("Photo reprise sans droit", (("copyright", "normal"),)))
    for text in ("Le plan de mises à pied en PJ", "Mot de passe du VPN: hiver2026"):
        feed(engine, book, later, make_verdict(text, (("risky_disclosure", "critical"),)))
    assert all(t.assignee is None for ts in tasks_by_label(engine).values() for t in ts)

    # Sophie comes back with room for three tasks: both disclosures, then the copyright task
    # due first (opened an hour earlier, although it came in second).
    with Session(engine) as session:
        sophie = session.get(Member, "sophie")
        sophie.presence, sophie.capacity = "available", 3  # type: ignore[union-attr]
        session.commit()
    assert assign_waiting_tasks(engine, book, later) == 3
    found = tasks_by_label(engine)
    assert [t.assignee for t in found["risky_disclosure"]] == ["sophie", "sophie"]
    assert [t.assignee for t in found["copyright"]] == [None, "sophie"]
    with Session(engine) as session:
        states = {c.id: c.state for c in session.exec(select(Case))}
    assigned = {t.case_id for ts in found.values() for t in ts if t.assignee}
    assert {states[i] for i in assigned} == {"assigned"}  # no longer `new`
    assert {s for i, s in states.items() if i not in assigned} == {"new"}


def on_shift_config(brand: BrandConfig) -> BrandConfig:
    """Customer care assigns on shift only (08:00-21:00); Kevin works nights (around the clock)."""
    teams = []
    for team in brand.teams:
        if team.id == "customer_care":
            members = [
                m.model_copy(update={"hours": "always"}) if m.id == "kevin" else m
                for m in team.members
            ]
            team = team.model_copy(update={"on_shift_only": True, "members": members})
        teams.append(team)
    return brand.model_copy(update={"teams": teams})


def test_only_members_on_shift_get_work(
    engine: Engine, brand: BrandConfig, make_verdict: Any
) -> None:
    book = PolicyBook(on_shift_config(brand))
    assert not book.on_shift("customer_care", "priya", NIGHT)
    assert book.on_shift("customer_care", "kevin", NIGHT)
    assert book.on_shift("legal", "sophie", NIGHT)  # a team that does not assign on shift only

    # 03:00: only Kevin works; once he is away the next complaint waits for the morning shift.
    feed(engine, book, NIGHT, make_verdict("Toujours pas de réseau", (("complaint", "normal"),)))
    set_presence(engine, "customer_care", "available")
    with Session(engine) as session:
        session.get(Member, "kevin").presence = "away"  # type: ignore[union-attr]
        session.commit()
    feed(engine, book, NIGHT, make_verdict("Facture doublée", (("complaint", "normal"),)))
    first, second = tasks_by_label(engine)["complaint"]
    assert first.assignee == "kevin"
    assert second.assignee is None and second.state == "new"
    assert assign_waiting_tasks(engine, book, NIGHT + timedelta(hours=1)) == 0  # still 04:00
    morning = NIGHT + timedelta(hours=5, minutes=30)  # 08:30
    assert assign_waiting_tasks(engine, book, morning) == 1
    assert tasks_by_label(engine)["complaint"][1].assignee in {"priya", "emilie"}


def audit_of(api: Any, case_id: int, action: str) -> list[AuditEntry]:
    with Session(api.engine) as session:
        return list(
            session.exec(
                select(AuditEntry)
                .where(AuditEntry.case_id == case_id)
                .where(AuditEntry.action == action)
                .order_by(col(AuditEntry.id))
            )
        )


def test_taking_over_acting_on_behalf_and_a_second_acknowledge(
    people: Any, make_verdict: Any
) -> None:
    people.feed(make_verdict("Toujours pas reçu ma commande", (("complaint", "normal"),)))
    (case,) = people.cases()
    case_id = case["id"]
    assert case["tasks"][0]["assignee"] == "priya"

    acked = people.act("priya", case_id, action="acknowledge")
    assert acked.status_code == 200 and acked.json()["took_over_from"] is None
    again = people.act("priya", case_id, action="acknowledge")
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] is True
    assert again.json()["version"] == acked.json()["version"]
    assert len(audit_of(people, case_id, "acknowledge")) == 1

    # Kevin, of the same team, acknowledges Priya's task: he takes it over, and it says so.
    taken = people.act("kevin", case_id, action="acknowledge")
    assert taken.status_code == 200, taken.text
    assert taken.json()["took_over_from"] == "priya"
    assert taken.json()["tasks"][0]["assignee"] == "kevin"
    entry = audit_of(people, case_id, "acknowledge")[-1]
    assert entry.actor == "kevin" and entry.after["took_over_from"] == "priya"
    assert entry.before["assignee"] == "priya" and entry.after["assignee"] == "kevin"

    # The care lead has no place in the roster: closing Kevin's task is done on his behalf.
    closed = people.act("carelead", case_id, action="resolve")
    assert closed.status_code == 200, closed.text
    assert closed.json()["on_behalf_of"] == "kevin"
    assert closed.json()["tasks"][0]["assignee"] == "kevin"
    assert audit_of(people, case_id, "resolve")[-1].after["on_behalf_of"] == "kevin"
    page = people.as_("kevin", "GET", f"/api/cases/{case_id}").json()
    assert page["tasks"][0]["state"] == "resolved"


def test_a_copy_team_reads_the_cases_it_is_copied_on_and_writes_nothing(
    people: Any, make_verdict: Any
) -> None:
    people.feed(
        make_verdict("Le plan de mises à pied en PJ", (("risky_disclosure", "critical"),)),
        make_verdict("Ils ont copié notre logo", (("copyright", "normal"),)),
    )
    cases = {c["labels"][0]: c for c in people.cases()}
    disclosure, copyright_case = cases["risky_disclosure"]["id"], cases["copyright"]["id"]
    # Security is in copy of legal's disclosures (routing rule disclosures-to-legal).
    assert [c["id"] for c in people.cases("olivier")] == [disclosure]
    page = people.as_("olivier", "GET", f"/api/cases/{disclosure}")
    assert page.status_code == 200 and page.json()["teams"] == {
        "legal": "owner",
        "security": "copy",
    }
    # ...but not of legal's other cases.
    assert people.as_("olivier", "GET", f"/api/cases/{copyright_case}").status_code == 404
    # Read only: no note, no action on legal's task.
    note = people.act("olivier", disclosure, action="note", text="vu")
    assert note.status_code == 403 and "read only" in note.json()["detail"]
    task_id = page.json()["tasks"][0]["id"]
    ack = people.act("olivier", disclosure, action="acknowledge", task_id=task_id)
    assert ack.status_code == 403 and "outside your scope" in ack.json()["detail"]
    assert people.as_("sophie", "GET", f"/api/cases/{disclosure}").json()["version"] == 1


def test_a_team_may_be_allowed_notes_on_cases_it_is_copied_on(brand: BrandConfig) -> None:
    teams = [t.model_copy(update={"copy_notes": t.id == "security"}) for t in brand.teams]
    book = PolicyBook(brand.model_copy(update={"teams": teams}))
    from workflow.auth import Role
    from workflow.principal import Principal

    olivier = Principal(
        "olivier",
        Role.agent,
        frozenset({"security"}),
        copy_grants=book.copy_grants(frozenset({"security"})),
        copy_notes=book.copy_notes(frozenset({"security"})),
    )
    on_disclosure = [("legal", "owner"), ("security", "copy")]
    assert olivier.can_see(restricted=True, teams=on_disclosure)
    assert olivier.may_write(on_disclosure)
    comms = Principal("nadia", Role.agent, frozenset({"comms"}))
    assert not comms.may_write([("pr", "owner"), ("comms", "copy")])
    assert not comms.can_see(restricted=True, teams=[("legal", "owner"), ("comms", "copy")])


def test_the_opened_event_names_who_got_each_task(
    engine: Engine, book: PolicyBook, make_verdict: Any
) -> None:
    import json

    from workflow.models import OutboxEvent

    feed(engine, book, OPENED, make_verdict("Le plan de mises à pied en PJ",
                                            (("risky_disclosure", "critical"),)))
    with Session(engine) as session:
        task = session.exec(select(Task)).one()
        payloads = [json.loads(e.payload) for e in session.exec(select(OutboxEvent))]
    opened = next(p for p in payloads if p["type"] == "opened")
    assert task.assignee and opened["details"]["assignees"] == {"legal": task.assignee}


def test_a_lead_sets_where_a_members_notices_go(people: Any) -> None:
    url = "/api/teams/customer_care/members/kevin"
    refused = people.as_("priya", "PATCH", url, json={"email": "kevin@laurentia.example"})
    assert refused.status_code == 403
    bad = people.as_("carelead", "PATCH", url, json={"email": "not an address"})
    assert bad.status_code == 422
    done = people.as_("carelead", "PATCH", url, json={"email": "kevin@laurentia.example"})
    assert done.status_code == 200 and done.json()["email"] == "kevin@laurentia.example"
    with Session(people.engine) as session:
        assert session.get(Member, "kevin").email == "kevin@laurentia.example"  # type: ignore[union-attr]
