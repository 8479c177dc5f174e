"""Verdicts turned into cases per second (the workflow service's batched transactions).

    python benchmarks/workflow_intake.py                  # PostgreSQL and SQLite, 20,000 verdicts
    python benchmarks/workflow_intake.py --db postgresql -n 50000
    python benchmarks/workflow_intake.py --through-kafka      # also through the embedded broker

Handler mode times the service's batch handler (batches of 500, the consumer's max_poll_records)
on a fresh database. Kafka mode produces the verdicts to a topic, starts the workflow service and
times until the last post is stored (group join included).
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
import uuid

from sqlmodel import Session, func, select
from workflow_common import scratch_database, synthetic_verdicts

from events.brand import load_brand_config
from events.broker import EmbeddedBroker
from events.kafka_io import Delivery, EventProducer
from events.runtime import prepare_topics
from events.settings import BUNDLED_BRAND_CONFIG, Settings
from workflow.book import PolicyBook
from workflow.db import init_db
from workflow.models import Case, PostRecord, Task
from workflow.seed import seed_directory
from workflow.service import VerdictHandler, run

BATCH = 500


def handler_rate(url: str, count: int) -> dict[str, float]:
    config = load_brand_config(BUNDLED_BRAND_CONFIG)
    engine = init_db(url)
    seed_directory(engine, config)
    handler = VerdictHandler(engine, PolicyBook(config))
    verdicts = synthetic_verdicts(count)
    batches = [verdicts[i : i + BATCH] for i in range(0, count, BATCH)]
    started = time.perf_counter()
    for batch in batches:
        handler([Delivery(v, record=None) for v in batch])
    elapsed = time.perf_counter() - started
    replay_started = time.perf_counter()
    for batch in batches[:4]:
        handler([Delivery(v, record=None) for v in batch])
    replay = (time.perf_counter() - replay_started) / min(4, len(batches))
    with Session(engine) as session:
        cases = session.exec(select(func.count()).select_from(Case)).one()
        tasks = session.exec(select(func.count()).select_from(Task)).one()
    engine.dispose()
    return {
        "verdicts_per_s": count / elapsed,
        "seconds": elapsed,
        "cases": cases,
        "tasks": tasks,
        "replayed_batch_ms": replay * 1000,
    }


def kafka_rate(url: str, count: int) -> dict[str, float]:
    with EmbeddedBroker() as broker:
        settings = Settings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            database_url=url,
            topic_prefix=f"bench{uuid.uuid4().hex[:6]}",
        )
        prepare_topics(settings)
        init_db(url).dispose()
        producer = EventProducer(broker.bootstrap_servers, service="bench")
        for verdict in synthetic_verdicts(count, seed=11):
            producer.send(settings.topics.verdicts, verdict)
        producer.flush()
        producer.close()
        stop = threading.Event()
        started = time.perf_counter()
        worker = threading.Thread(target=run, args=(settings, stop), daemon=True)
        worker.start()
        engine = init_db(url)
        try:
            while True:
                with Session(engine) as session:
                    stored = session.exec(select(func.count()).select_from(PostRecord)).one()
                if stored >= count:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            stop.set()
            worker.join(30)
            engine.dispose()
    return {"verdicts_per_s": count / elapsed, "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("-n", "--count", type=int, default=20_000)
    parser.add_argument("--through-kafka", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    kinds = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    for kind in kinds:
        with scratch_database(kind) as url:
            r = handler_rate(url, args.count)
        print(
            f"{kind:10s} handler: {r['verdicts_per_s']:8.0f} verdicts/s  ({args.count} verdicts in "
            f"{r['seconds']:.1f} s -> {r['cases']} cases, {r['tasks']} tasks; a replayed batch of "
            f"{BATCH}: {r['replayed_batch_ms']:.0f} ms)"
        )
        if args.through_kafka:
            with scratch_database(kind) as url:
                r = kafka_rate(url, args.count)
            print(
                f"{kind:10s} kafka:   {r['verdicts_per_s']:8.0f} verdicts/s  "
                f"({args.count} verdicts in "
                f"{r['seconds']:.1f} s, consumer group join included)"
            )


if __name__ == "__main__":
    main()
