"""Recovery time of the pipeline from each fault of the fault suite (tests/faults).

Starts the pipeline once (durable embedded broker, every service as its own process, SQLite
unless --database-url names an empty PostgreSQL database), replays a fault-free copy of the
sample, then one copy per fault with the fault injected mid-stream, and prints for each fault
its recovery time: from the end of the fault (the killed process restarted, the broker back,
the database reachable again, the poison records written), or of the replay if that is later,
until every post of the copy is recorded with no consumer group lagging and the outbox empty
(the fault-free copy's figure is the pipeline's usual tail); "-" with the posts lost when some
never arrived. Also
printed: the largest resident memory of each process over the run.

    .venv/bin/python benchmarks/faults.py --posts 240
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fault_pipeline import FaultPipeline  # noqa: E402

FAULTS = ["kill-ingest", "kill-classify", "kill-workflow", "kill-alerts", "kill-api",
          "database", "burst", "poison", "broker"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=240, help="Posts per fault (of the sample).")
    parser.add_argument("--rate", type=float, default=40.0, help="Replay rate, posts/s.")
    parser.add_argument("--outage", type=float, default=30.0, help="Database outage, seconds.")
    parser.add_argument("--database-url", default=None, help="An empty database (default SQLite).")
    parser.add_argument("--faults", nargs="*", default=FAULTS, choices=FAULTS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'vigie.db'}"
        pipeline = FaultPipeline(workdir, url, posts=args.posts, rate=args.rate,
                                 outage_seconds=args.outage)
        started = time.monotonic()
        try:
            pipeline.start()
            print(f"pipeline up in {time.monotonic() - started:.1f} s "
                  f"({url.split(':')[0]}, {args.posts} posts per fault at {args.rate:g}/s)")
            print(f"{'fault':<15}{'recovery s':>11}{'posts':>7}{'lost':>6}")
            peak: dict[str, int] = {}
            for fault in ["none", *args.faults]:
                done = pipeline.run_round(fault)
                lost = len(done.post_ids) - pipeline.recorded(done.number)
                recovery = "-" if done.recovered_after is None else f"{done.recovered_after:.1f}"
                print(f"{fault:<15}{recovery:>11}{len(done.post_ids):>7}{lost:>6}", flush=True)
                for name, rss in done.rss_kib.items():
                    peak[name] = max(peak.get(name, 0), rss)
            print("peak RSS (MiB): " + ", ".join(f"{n} {kib / 1024:.0f}" for n, kib in sorted(peak.items())))
        finally:
            pipeline.close()


if __name__ == "__main__":
    main()
