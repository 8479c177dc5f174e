"""`GET /api/cases` latency with a large queue (100,000 cases), on PostgreSQL and SQLite.

    python benchmarks/workflow_queue.py                  # both databases, 100,000 cases
    python benchmarks/workflow_queue.py --db sqlite -n 20000 --requests 100

Loads the cases (with their labels, teams and tasks) in bulk, then times the API in process
(FastAPI + SQLAlchemy + the database, no network) for the queue's usual requests: p50, p95, max.
Text search uses the pg_trgm index on PostgreSQL and LIKE over a scan on SQLite; the searches
range from one matching case to one case in seven, and none. `/metrics` (which counts the open
cases in the database) is timed too.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session
from workflow_common import scratch_database

from events.settings import Settings
from workflow.api import create_app
from workflow.models import FAR_FUTURE, Case, CaseLabel, CaseTeam, Task

TEAMS = {
    "complaint": "customer_care",
    "rumour": "comms",
    "press_inquiry": "pr",
    "triage": "triage",
    "risky_disclosure": "legal",
    "security_threat": "security",
    "harassment": "hr",
}
MEMBERS = {
    "customer_care": ["priya", "emilie", "kevin"],
    "comms": ["camille", "nadia"],
    "pr": ["marc-andre", "camille-pr"],
    "triage": ["nadia-triage"],
    "legal": ["sophie"],
    "security": ["olivier", "julien"],
    "hr": ["isabelle"],
}
STATES = [
    "new",
    "assigned",
    "assigned",
    "acknowledged",
    "waiting",
    "resolved",
    "resolved",
    "dismissed",
]
SLA = {
    "new": "ok",
    "assigned": "ok",
    "acknowledged": "at_risk",
    "waiting": "paused",
    "resolved": "met",
    "dismissed": "met",
}
PLATFORMS = ["x"] * 14 + ["mastodon"] * 3 + ["bluesky"] * 2 + ["webhook"]
PASSWORD = "bench-admin-password"


def load(url: str, count: int) -> None:
    """Insert `count` cases with one task each (a tenth with a second task), in chunks."""
    rng = random.Random(3)
    platforms = random.Random(5)  # its own sequence: the other columns stay as they were
    engine = sa.create_engine(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    chunk = 5000
    for first in range(1, count + 1, chunk):
        ids = range(first, min(first + chunk, count + 1))
        cases, labels, teams, tasks = [], [], [], []
        for case_id in ids:
            label = rng.choice(list(TEAMS))
            team = TEAMS[label]
            state = rng.choice(STATES)
            opened = start + timedelta(minutes=case_id)
            due = (
                None
                if state in ("resolved", "dismissed", "waiting")
                else opened + timedelta(hours=rng.randint(1, 48))
            )
            sla = "breached" if due and rng.random() < 0.1 else SLA[state]
            is_open = state not in ("resolved", "dismissed")
            cases.append(
                {
                    "id": case_id,
                    "thread_id": f"x:{case_id}",
                    "concern": label,
                    "open_slot": label if is_open else None,
                    "platform": platforms.choice(PLATFORMS),
                    "author_id": f"a{case_id % 5000}",
                    "author_handle": f"client{case_id % 5000}",
                    "lang": rng.choice(["fr", "en"]),
                    "state": state,
                    "severity": "normal",
                    "labels": [label],
                    "summary": f"message {case_id} au sujet de {label}",
                    "search_text": f"@client{case_id % 5000} message {case_id} au sujet de {label}",
                    "restricted": team == "legal",
                    "post_count": 1,
                    "opened_at": opened,
                    "updated_at": opened,
                    "closed_at": None if is_open else opened,
                    "sla_due": due,
                    "sla_state": sla,
                    "sort_due": due or FAR_FUTURE,
                    "version": 1,
                }
            )
            labels.append({"case_id": case_id, "label": label})
            teams.append({"case_id": case_id, "team": team, "role": "owner"})
            tasks.append(
                {
                    "case_id": case_id,
                    "team_id": team,
                    "labels": [label],
                    "label": label,
                    "rules": ["bench"],
                    "severity": "normal",
                    "state": state,
                    "assignee": rng.choice(MEMBERS[team]),
                    "policy": label,
                    "opened_at": opened,
                    "sla_due": due,
                    "sla_state": sla,
                    "escalation_key": "",
                    "escalation_level": 0,
                }
            )
            if rng.random() < 0.1 and team != "comms":
                teams.append({"case_id": case_id, "team": "comms", "role": "copy"})
        with Session(engine) as session:
            for model, rows in (
                (Case, cases),
                (CaseLabel, labels),
                (CaseTeam, teams),
                (Task, tasks),
            ):
                session.execute(sa.insert(model.__table__), rows)  # type: ignore[attr-defined]
            session.commit()
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT setval('cases_id_seq', :n)"), {"n": count})
            connection.execute(sa.text("ANALYZE"))
        else:
            connection.execute(sa.text("ANALYZE"))
        connection.commit()
    engine.dispose()


def measure(client: TestClient, headers: dict, params: dict, requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/api/cases", params=params, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return timings


def run(kind: str, count: int, requests: int) -> None:
    with scratch_database(kind) as url:
        settings = Settings(database_url=url, admin_password=SecretStr(PASSWORD))
        app = create_app(settings)  # migrates and seeds
        started = time.perf_counter()
        load(url, count)
        print(f"{kind}: loaded {count} cases in {time.perf_counter() - started:.1f} s")
        with TestClient(app) as client:
            token = client.post("/api/auth/token", data={"username": "admin", "password": PASSWORD})
            admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
            client.post(
                "/api/users",
                headers=admin,
                json={
                    "username": "carelead",
                    "password": PASSWORD,
                    "role": "lead",
                    "teams": ["customer_care"],
                },
            )
            token = client.post(
                "/api/auth/token", data={"username": "carelead", "password": PASSWORD}
            )
            lead = {"Authorization": f"Bearer {token.json()['access_token']}"}
            page_two = client.get("/api/cases", headers=admin).json()["next_cursor"]
            shapes = [
                ("admin, whole queue by deadline", admin, {}),
                ("admin, page 2 (cursor)", admin, {"cursor": page_two}),
                ("admin, open states", admin, {"state": ["new", "assigned", "acknowledged"]}),
                ("admin, label=complaint", admin, {"label": "complaint"}),
                ("admin, sla=breached", admin, {"sla": "breached"}),
                ("admin, assignee=priya", admin, {"assignee": "priya"}),
                ("lead, own team scope", lead, {}),
                ("lead, scope + state + sla", lead, {"state": "assigned", "sla": "ok"}),
                ("admin, platform=webhook (5 %)", admin, {"platform": "webhook"}),
                ("admin, text search", admin, {"q": "message 4242"}),
                ("admin, text search, one case", admin, {"q": "message 98765 "}),
                ("admin, text search, 1 in 7", admin, {"q": "harassment"}),
                ("admin, text search, no match", admin, {"q": "introuvable"}),
                ("lead, scope + text search", lead, {"q": "message 4242"}),
            ]
            for name, headers, params in shapes:
                measure(client, headers, params, 3)  # warm up
                timings = sorted(measure(client, headers, params, requests))
                report(name, timings)
            report("GET /metrics (open cases)", scrape(client, requests // 4 or 1))
        app.state.vigie.engine.dispose()


def scrape(client: TestClient, requests: int) -> list[float]:
    timings = []
    for _ in range(requests + 3):
        started = time.perf_counter()
        response = client.get("/metrics")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and "vigie_cases_open{" in response.text
    return sorted(timings[3:])


def report(name: str, timings: list[float]) -> None:
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"  {name:34s} p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  "
        f"max {timings[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("-n", "--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for kind in ["postgresql", "sqlite"] if args.db == "both" else [args.db]:
        run(kind, args.count, args.requests)


if __name__ == "__main__":
    main()
