"""Replies from cases through ingest: latency from the request on vigie.replies to its outcome on
vigie.reply_outcomes, and replies/s, against the local X server (tweepy, POST /2/tweets).

Each reply is claimed in the ingest store (SQLite here) before X is called and its outcome stored
before it is published, as in production. The script prints p50/p95/max latency and throughput
for a burst of N replies (all queued at once), or with --paced for N replies one after the other
(the next leaves when the previous one's outcome is back: a person's reply, alone in the queue),
and how many tweets X received (it must equal N). It starts the embedded broker unless --kafka
names one.

    .venv/bin/python benchmarks/reply_send.py --replies 200
    .venv/bin/python benchmarks/reply_send.py --replies 30 --paced
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "ingest"))

from platform_servers import XServer  # noqa: E402

from events.broker import EmbeddedBroker  # noqa: E402
from events.codec import decode  # noqa: E402
from events.kafka_io import EventProducer, consume  # noqa: E402
from events.runtime import prepare_topics  # noqa: E402
from events.schemas import ReplyOutcome, ReplyRequest  # noqa: E402
from ingest.replies import ReplyDesk, build_writers  # noqa: E402
from ingest.settings import IngestSettings  # noqa: E402
from ingest.store import IngestStore  # noqa: E402


def run(bootstrap: str, replies: int, data: Path, *, paced: bool) -> None:
    with XServer() as x:
        x.add_user("LaurentiaAide")
        x.limit = x.remaining = 1_000_000
        targets = [
            x.add_tweet(f"client{n}", f"@LaurentiaAide facture {n}")["id"] for n in range(replies)
        ]
        settings = IngestSettings(
            kafka_bootstrap_servers=bootstrap,
            topic_prefix=f"bench{uuid.uuid4().hex[:6]}",
            data_dir=data,
            ingest_database_url=f"sqlite:///{data / 'ingest.db'}",
            x_api_base_url=x.url,
            x_user_access_token=x.user_token,
        )
        prepare_topics(settings)
        store = IngestStore(settings.resolved_ingest_database_url)
        producer = EventProducer(bootstrap, service="ingest")
        stop = threading.Event()
        desk = ReplyDesk(build_writers(settings), store, producer, settings.topics.reply_outcomes)
        thread = threading.Thread(
            target=consume,
            args=(settings.topics.replies, desk),
            kwargs={
                "bootstrap_servers": bootstrap,
                "group_id": settings.group("bench"),
                "producer": producer,
                "stop": stop,
            },
            daemon=True,
        )
        thread.start()
        sent_at: dict[str, float] = {}
        latencies: dict[str, float] = {}
        workflow = EventProducer(bootstrap, service="workflow")
        outcomes = Outcomes(bootstrap, settings.topics.reply_outcomes.name)
        started = time.perf_counter()
        for n, target in enumerate(targets):
            request = ReplyRequest(
                reply_id=uuid.uuid4().hex,
                case_id=n + 1,
                platform="x",
                thread_id=f"x:{target}",
                in_reply_to=target,
                text=f"Bonjour, écrivez-nous en privé (dossier {n + 1}).",
                requested_by="bench",
            )
            sent_at[request.reply_id] = time.perf_counter()
            workflow.send(settings.topics.replies, request)
            if paced:
                workflow.flush()
                outcomes.wait(sent_at, latencies)
        workflow.flush()
        outcomes.wait(sent_at, latencies)
        elapsed = time.perf_counter() - started
        outcomes.close()
        stop.set()
        thread.join(timeout=30)
        for closing in (workflow, producer, store):
            closing.close()
        ordered = sorted(latencies.values())
        print(
            f"{'paced' if paced else 'burst'}: {replies} replies, tweets received by X: "
            f"{len(x.created)}"
        )
        print(
            f"latency request -> outcome: p50 {statistics.median(ordered) * 1000:.0f} ms, "
            f"p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms"
        )
        print(
            f"throughput: {replies / elapsed:.1f} replies/s ({elapsed:.1f} s in all; "
            "the first reply waits for the consumer group to form)"
        )


class Outcomes:
    """Reads vigie.reply_outcomes as they come, noting when each reply's first one arrived."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        from kafka import KafkaConsumer

        self.consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            group_id=f"bench-outcomes-{uuid.uuid4().hex[:6]}",
        )

    def wait(self, sent_at: dict[str, float], latencies: dict[str, float]) -> None:
        """Until every reply sent so far has its outcome."""
        deadline = time.monotonic() + 600
        while len(latencies) < len(sent_at) and time.monotonic() < deadline:
            for batch in self.consumer.poll(timeout_ms=50).values():
                now = time.perf_counter()
                for record in batch:
                    outcome = decode(ReplyOutcome, record.value)
                    assert outcome.status == "sent", outcome
                    latencies.setdefault(outcome.reply_id, now - sent_at[outcome.reply_id])

    def close(self) -> None:
        self.consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--paced", action="store_true", help="one reply at a time")
    parser.add_argument("--kafka", help="bootstrap servers (default: an embedded broker)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.kafka:
            run(args.kafka, args.replies, Path(tmp), paced=args.paced)
            return
        with EmbeddedBroker(log_file=Path(tmp) / "broker.log") as broker:
            run(broker.bootstrap_servers, args.replies, Path(tmp), paced=args.paced)


if __name__ == "__main__":
    main()
