"""Alert latency: from a case event written to vigie.cases to the alert received by a webhook.

Starts the embedded broker and the alerting service with one local Slack-like receiver, writes
critical `opened` events (each its own case and team group, so none waits for a digest) at a
steady pace, and prints the latency percentiles and the masking cost per post. The service keeps
its state in the database: SQLite in a temporary folder, or the one `--database-url` names.

    PYTHONPATH=. python benchmarks/alerts_latency.py [--events 200] [--rate 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from events.broker import EmbeddedBroker
from events.kafka_io import EventProducer
from events.runtime import prepare_topics
from events.schemas import CaseEvent, CaseEventType, Severity
from events.settings import BUNDLED_BRAND_CONFIG, Settings
from workflow.alerts.masking import mask_personal_data
from workflow.alerts.service import run

received: dict[int, float] = {}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        now = time.perf_counter()
        for block in body["blocks"][1:]:
            case = int(block["text"]["text"].split("/cases/")[1].split("|")[0])
            received.setdefault(case, now)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def brand_file(folder: Path, url_env: str) -> Path:
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["alerts"] = {
        "group_interval": "0.001m",
        "channels": [{"name": "bench", "type": "slack", "url_env": url_env}],
    }
    path = folder / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def masking_cost(samples: int = 2000) -> float:
    text = (
        "Voici le courriel du client jean.roy@exemple.qc.ca, tél. 514-555-0199, carte 4539 1488 0343 "
        "6467; il paraît que l'usine ferme, écrivez-moi vite!"
    )
    started = time.perf_counter()
    for _ in range(samples):
        mask_personal_data(text)
    return (time.perf_counter() - started) / samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            topic_prefix="bench",
            group_prefix="bench",
            brand_config=brand_file(Path(tmp), "BENCH_URL"),
            data_dir=Path(tmp),
            database_url=args.database_url,
        )
        prepare_topics(settings)
        stop = threading.Event()
        service = threading.Thread(
            target=run, args=(settings, stop), kwargs={"environ": {"BENCH_URL": url}}
        )
        service.start()
        producer = EventProducer(broker.bootstrap_servers, service="bench")
        warm = CaseEvent(
            type=CaseEventType.opened, case_id=10**6, thread_id="x:warm", severity=Severity.critical
        )
        producer.send(settings.topics.cases, warm)
        producer.flush()
        while 10**6 not in received:
            time.sleep(0.05)
        sent: dict[int, float] = {}
        for i in range(1, args.events + 1):
            event = CaseEvent(
                type=CaseEventType.opened,
                case_id=i,
                thread_id=f"x:{i}",
                severity=Severity.critical,
                details={"teams": [f"team{i}"]},
            )
            producer.send(settings.topics.cases, event)
            producer.flush()
            sent[i] = time.perf_counter()
            time.sleep(1 / args.rate)
        deadline = time.monotonic() + 60
        while len([i for i in sent if i in received]) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        service.join(30)
        producer.close()
    latencies = sorted((received[i] - sent[i]) * 1000 for i in sent if i in received)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"alerts delivered: {len(latencies)}/{len(sent)} at {args.rate:g} events/s")
    print(
        f"latency event -> webhook: p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, max {latencies[-1]:.1f} ms"
    )
    print(f"masking: {masking_cost() * 1e6:.0f} µs per post text")


if __name__ == "__main__":
    main()
