"""How long the retention purge takes on a full database (one transaction, both databases).

    python benchmarks/retention_purge.py                 # PostgreSQL and SQLite, 20,000 verdicts
    python benchmarks/retention_purge.py --db sqlite -n 50000

Stores synthetic verdicts through the workflow's intake, closes every case, then times the purge
as of 181 days later (posts of closed cases and posts that opened no case go) and as of 3 years
later (the cases themselves, with their tasks and audit), and one erasure by author.
"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from workflow_common import scratch_database, synthetic_verdicts

from events.brand import load_brand_config
from events.schemas import utcnow
from events.settings import BUNDLED_BRAND_CONFIG
from workflow.book import PolicyBook
from workflow.db import init_db
from workflow.erasure import erase_author
from workflow.intake import ingest_verdicts
from workflow.models import Case, PostRecord
from workflow.retention import purge
from workflow.seed import seed_directory

BATCH = 500


def measure(url: str, count: int) -> dict[str, float]:
    config = load_brand_config(BUNDLED_BRAND_CONFIG)
    engine = init_db(url)
    seed_directory(engine, config)
    book = PolicyBook(config)
    verdicts = synthetic_verdicts(count)
    now = utcnow()
    for start in range(0, count, BATCH):
        with Session(engine) as session:
            ingest_verdicts(session, book, verdicts[start : start + BATCH], now=now)
            session.commit()
    with Session(engine) as session:
        session.execute(sa.update(Case).values(closed_at=now, open_slot=None, state="resolved"))
        posts = session.exec(select(func.count()).select_from(PostRecord)).one()
        cases = session.exec(select(func.count()).select_from(Case)).one()
        author = session.exec(select(Case.platform, Case.author_handle).order_by(col(Case.id))).first()
        session.commit()
    assert author is not None
    started = time.perf_counter()
    with Session(engine) as session:
        erase_author(session, author[0], author[1].lower(), actor="bench", now=now)
        session.commit()
    erasure = time.perf_counter() - started
    started = time.perf_counter()
    first = purge(engine, config.retention, now + timedelta(days=181))
    posts_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = purge(engine, config.retention, now + timedelta(days=3 * 365))
    cases_seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "posts": posts,
        "cases": cases,
        "erasure_s": erasure,
        "posts_purged": first["closed_case_posts"] + first["unrouted_posts"],
        "posts_purge_s": posts_seconds,
        "cases_purged": second["cases"],
        "cases_purge_s": cases_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("-n", "--count", type=int, default=20_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    kinds = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    for kind in kinds:
        with scratch_database(kind) as url:
            r = measure(url, args.count)
        print(
            f"{kind:<10} {r['posts']:>6} posts, {r['cases']:>6} cases | erasure of one author "
            f"{r['erasure_s']:.2f} s | purge at +181 d: {r['posts_purged']} posts in "
            f"{r['posts_purge_s']:.2f} s | purge at +3 y: {r['cases_purged']} cases in "
            f"{r['cases_purge_s']:.2f} s"
        )


if __name__ == "__main__":
    main()
