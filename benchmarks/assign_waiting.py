"""How fast the SLA clock hands out a backlog of waiting tasks, most urgent first, on PostgreSQL
and SQLite.

    python benchmarks/assign_waiting.py                  # both databases, 20,000 waiting tasks
    python benchmarks/assign_waiting.py --db sqlite -n 5000

Loads unassigned tasks of every severity (with their cases) in bulk while the legal team is
away, brings the team back with room for all of them, then times `assign_waiting_tasks` passes
(each hands out one batch, in severity then deadline order) until none is left waiting; prints
the time per pass and the tasks assigned per second, and checks that every critical task went
out before any other.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select
from workflow_common import scratch_database

from events.brand import load_brand_config
from events.settings import BUNDLED_BRAND_CONFIG
from workflow.book import PolicyBook
from workflow.clock import assign_waiting_tasks
from workflow.db import init_db
from workflow.models import Case, Member, Task
from workflow.seed import seed_directory

SEVERITIES = ["normal", "low", "high", "critical"]
NOW = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)


def load(url: str, count: int) -> None:
    engine = init_db(url)
    seed_directory(engine, load_brand_config(BUNDLED_BRAND_CONFIG))
    with Session(engine) as session:
        for member in session.exec(select(Member).where(Member.team_id == "legal")):
            member.presence, member.capacity = "away", count
        session.commit()
        cases = [
            {"thread_id": f"x:{i}", "concern": "copyright", "open_slot": "copyright",
             "platform": "x", "author_id": f"a{i}", "author_handle": f"h{i}", "lang": "fr",
             "state": "new", "severity": SEVERITIES[i % 4], "labels": ["copyright"],
             "summary": "", "search_text": "", "opened_at": NOW, "updated_at": NOW,
             "sort_due": NOW + timedelta(minutes=i), "version": 1}
            for i in range(count)
        ]
        session.execute(sa.insert(Case), cases)
        ids = session.exec(select(Case.id).order_by(col(Case.id))).all()
        tasks = [
            {"case_id": case_id, "team_id": "legal", "labels": ["copyright"], "label": "copyright",
             "rules": [], "severity": SEVERITIES[i % 4], "state": "new", "policy": "copyright",
             "opened_at": NOW, "sla_due": NOW + timedelta(minutes=count - i)}
            for i, case_id in enumerate(ids)
        ]
        session.execute(sa.insert(Task), tasks)
        for member in session.exec(select(Member).where(Member.team_id == "legal")):
            member.presence = "available"
        session.commit()
    engine.dispose()


def run(kind: str, count: int) -> None:
    with scratch_database(kind) as url:
        load(url, count)
        engine = init_db(url)
        book = PolicyBook(load_brand_config(BUNDLED_BRAND_CONFIG))
        passes, assigned, started = [], 0, time.perf_counter()
        order: list[int] = []
        while True:
            began = time.perf_counter()
            handed = assign_waiting_tasks(engine, book, NOW)
            passes.append(time.perf_counter() - began)
            if not handed:
                break
            assigned += handed
        total = time.perf_counter() - started
        with Session(engine) as session:
            # Assignment order is the audit order: critical tasks must all come first.
            order = [
                severity
                for severity, in session.execute(
                    sa.text("SELECT t.severity FROM audit a JOIN tasks t ON t.id = a.task_id "
                            "WHERE a.action = 'assign' ORDER BY a.id")
                )
            ]
        engine.dispose()
    criticals = order.count("critical")
    first = order[:criticals]
    print(
        f"{kind:10s} {assigned:6d} tasks in {len(passes) - 1} passes: "
        f"{statistics.median(passes[:-1]) * 1000:7.1f} ms/pass (p50), "
        f"max {max(passes) * 1000:7.1f} ms, {assigned / total:8.0f} tasks/s; "
        f"critical first: {'yes' if set(first) == {'critical'} else 'NO'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("-n", type=int, default=20_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for kind in ["postgresql", "sqlite"] if args.db == "both" else [args.db]:
        run(kind, args.n)


if __name__ == "__main__":
    main()
