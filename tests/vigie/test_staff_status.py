"""`vigie status` says who on the staff roster is current, due or overdue with the policy."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from events.schemas import utcnow
from vigie.app import open_database
from workflow.models import PolicyAcknowledgement


@pytest.fixture
def workflow_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'vigie.db'}"
    monkeypatch.setenv("VIGIE_DATABASE_URL", url)
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    engine = open_database(url)
    now = utcnow()
    with Session(engine) as session:
        session.add(PolicyAcknowledgement(staff_id="s-005", enrolled_at=now - timedelta(days=90)))
        session.add(PolicyAcknowledgement(
            staff_id="s-010", enrolled_at=now - timedelta(days=400), version="2026.1",
            accepted_at=now - timedelta(days=360),
        ))
        session.commit()
    engine.dispose()
    return url


def test_status_lists_who_is_due_or_overdue(workflow_db: str) -> None:
    from vigie.cli import app

    result = CliRunner().invoke(app, ["status"])
    assert "staff policy 2026.1: 8 current, 1 due, 1 overdue" in result.output, result.output
    people = [line.split()[:3] for line in result.output.splitlines() if line.startswith("  ")]
    assert ["overdue", "Émilie", "Bouchard"] in people and ["due", "Kevin", "O'Brien"] in people
    assert len(people) == 2  # only who needs to act

    full = CliRunner().invoke(app, ["status", "--staff", "--json"])
    assert full.exit_code == 0, full.output
    report = json.loads(full.output)
    by_id = {s["staff_id"]: s for s in report["staff"]}
    assert len(by_id) == 10 and by_id["s-005"]["accepted_at"] is None
    assert by_id["s-010"]["status"] == "due" and by_id["s-001"]["status"] == "current"
    # Reading wrote nothing: employees never seen by the workflow are still unknown to it.
    engine = open_database(workflow_db)
    with Session(engine) as session:
        assert session.get(PolicyAcknowledgement, "s-001") is None
    engine.dispose()
