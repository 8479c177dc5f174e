"""The queue's metrics: open cases counted in the database at scrape time (the same on every
replica), time to first response and to resolution, relabels by label."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlmodel import Session, select

from events.settings import Settings
from workflow.api import create_app
from workflow.api.open_cases import OpenCasesCollector
from workflow.db import create_db_engine
from workflow.models import Task
from workflow.timings import after_commit


def open_cases(client: TestClient) -> dict[tuple[str, str, str], float]:
    """vigie_cases_open as scraped: (team, label, state) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    found: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(response.text):
        if family.name == "vigie_cases_open":
            assert family.type == "gauge"
            for sample in family.samples:
                labels = sample.labels
                found[(labels["team"], labels["label"], labels["state"])] = sample.value
    return found


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_open_cases_come_from_the_database_on_every_replica(
    people: Any, make_verdict: Any, database_url: str, tmp_path: Path
) -> None:
    people.feed(
        make_verdict("colis perdu", (("complaint", "normal"),)),
        make_verdict("facture doublée", (("complaint", "normal"),)),
        make_verdict("il paraît que l'usine ferme", (("rumour", "high"),)),
    )
    assert open_cases(people.client) == {
        ("customer_care", "complaint", "assigned"): 2,
        ("comms", "rumour", "assigned"): 1,
    }
    first = people.cases("priya", label="complaint")[0]
    assert people.act("priya", first["id"], action="resolve").status_code == 200
    second = [c for c in people.cases("carelead", label="complaint") if c["id"] != first["id"]]
    assert people.act("carelead", second[0]["id"], action="acknowledge").status_code == 200
    expected = {
        ("customer_care", "complaint", "acknowledged"): 1,
        ("comms", "rumour", "assigned"): 1,
    }
    assert open_cases(people.client) == expected
    replica = create_app(
        Settings(
            database_url=database_url,
            data_dir=tmp_path,
            admin_password=SecretStr(people.admin_password),
        )
    )
    with TestClient(replica) as other:
        assert open_cases(other) == expected
    replica.state.vigie.engine.dispose()


def test_an_unreachable_database_leaves_the_gauge_empty_not_the_scrape() -> None:
    engine = create_db_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1")
    (family,) = list(OpenCasesCollector(engine).collect())
    assert family.name == "vigie_cases_open" and family.samples == []
    engine.dispose()


def test_first_response_and_resolution_are_timed_once_and_only_when_committed(
    people: Any, make_verdict: Any
) -> None:
    first = "vigie_first_response_seconds_count"
    resolution = "vigie_resolution_seconds_count"
    before = {m: sample(m, team="customer_care") for m in (first, resolution)}
    people.feed(
        make_verdict("colis perdu", (("complaint", "normal"),)),
        make_verdict("facture doublée", (("complaint", "normal"),)),
    )
    one, two = people.cases("carelead")
    stale = people.act("priya", one["id"], action="acknowledge", version=one["version"] + 5)
    assert stale.status_code == 409
    assert sample(first, team="customer_care") == before[first]
    ack = people.act("carelead", one["id"], action="acknowledge")
    assert ack.status_code == 200
    assert sample(first, team="customer_care") == before[first] + 1
    assert people.act("carelead", one["id"], action="note", text="rappelé").status_code == 200
    assert people.act("carelead", one["id"], action="resolve").status_code == 200
    assert sample(first, team="customer_care") == before[first] + 1  # not a first response
    assert sample(resolution, team="customer_care") == before[resolution] + 1
    dismissed = people.act("carelead", two["id"], action="dismiss", reason="doublon")
    assert dismissed.status_code == 200
    assert sample(first, team="customer_care") == before[first] + 2  # closing answers too
    assert sample(resolution, team="customer_care") == before[resolution] + 1  # not resolved
    seconds = sample("vigie_resolution_seconds_sum", team="customer_care")
    assert seconds > 0


def test_high_risk_resolution_is_timed_at_approval(people: Any, make_verdict: Any) -> None:
    resolution = "vigie_resolution_seconds_count"
    before = sample(resolution, team="legal")
    people.feed(
        make_verdict(
            "voici le courriel du client: a@b.ca",
            (("risky_disclosure", "critical"),),
            source="staff",
            staff_member_id="s-003",
        )
    )
    case_id = people.cases("sophie")[0]["id"]
    assert people.act("sophie", case_id, action="resolve").json()["state"] == "pending_review"
    assert sample(resolution, team="legal") == before
    assert people.act("legalead", case_id, action="approve").json()["state"] == "resolved"
    assert sample(resolution, team="legal") == before + 1


def test_relabels_are_counted_by_label(people: Any, make_verdict: Any) -> None:
    added = ("vigie_relabels_total", {"label": "rumour", "change": "added"})
    removed = ("vigie_relabels_total", {"label": "complaint", "change": "removed"})
    before = [sample(name, **labels) for name, labels in (added, removed)]
    people.feed(make_verdict("Il paraît que vous fermez", (("complaint", "normal"),)))
    case_id = people.cases("priya")[0]["id"]
    refused = people.act("priya", case_id, action="relabel", labels=["rumour"], version=99)
    assert refused.status_code == 409
    done = people.act("priya", case_id, action="relabel", labels=["rumour"])
    assert done.status_code == 200
    after = [sample(name, **labels) for name, labels in (added, removed)]
    assert after == [before[0] + 1, before[1] + 1]


def test_observations_wait_for_the_commit_and_die_with_a_rollback(engine: Any) -> None:
    calls: list[str] = []
    with Session(engine) as session:
        session.exec(select(Task.id)).all()
        after_commit(session, lambda: calls.append("rolled back"))
        session.rollback()
        session.exec(select(Task.id)).all()
        after_commit(session, lambda: calls.append("committed"))
        assert calls == []
        session.commit()
        session.exec(select(Task.id)).all()
        session.commit()
    assert calls == ["committed"]
