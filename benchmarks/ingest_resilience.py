"""Connectors under a 429 storm and restarts mid-pagination: posts missed and posts repeated.

For each platform (X through tweepy, Mastodon through Mastodon.py, Bluesky through atproto) a
local server that answers like the platform holds --posts mentions. The connector polls it
while every --storm-every-th request answers 429 (reset one second ahead), and the service is
"killed" (stopped without a chance to finish its page) after --crash-after pages, --restarts
times, with new posts arriving during each outage. Then every record of the posts topic is read
back and compared with what the server holds:
  missed = posts on the server never produced; repeated = produced records beyond one per post.
Also printed: requests made, 429s received, and whether any request came before the announced
reset (it must not). Real waits: expect about two seconds per 429.

    .venv/bin/python benchmarks/ingest_resilience.py --posts 300
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "ingest"))  # the local platform servers

import yaml  # noqa: E402
from kafka import KafkaConsumer, TopicPartition  # noqa: E402
from platform_servers import BlueskyServer, MastodonServer, PlatformServer, XServer  # noqa: E402

from events.broker import EmbeddedBroker  # noqa: E402
from events.codec import decode  # noqa: E402
from events.kafka_io import EventProducer  # noqa: E402
from events.runtime import prepare_topics  # noqa: E402
from events.schemas import Post  # noqa: E402
from events.settings import BUNDLED_BRAND_CONFIG  # noqa: E402
from ingest.health import SourceHealth  # noqa: E402
from ingest.poller import Poller  # noqa: E402
from ingest.publish import Publisher  # noqa: E402
from ingest.roster import RosterWatcher  # noqa: E402
from ingest.settings import IngestSettings  # noqa: E402
from ingest.store import IngestStore  # noqa: E402


class Scenario:
    """One platform: its server, how to add a mention, its source and settings."""

    def __init__(
        self, name: str, server: PlatformServer, page_path: str, reset_header: str
    ) -> None:
        self.name, self.server, self.page_path, self.reset_header = (
            name,
            server,
            page_path,
            reset_header,
        )
        self.expected: set[str] = set()

    def add(self, i: int) -> None:
        server: Any = self.server
        text = f"@LaurentiaMobile message {self.name} {i}"
        if self.name == "x":
            self.expected.add(server.add_tweet(f"client{i}", text)["id"])
        elif self.name == "mastodon":
            self.expected.add(
                server.add_status(f"client{i}@piaille.fr", f"<p>{text}</p>", mention=True)["id"]
            )
        else:
            self.expected.add(server.add_post(f"client{i}.bsky.social", text, mention=True)["uri"])

    def source(self, settings: IngestSettings) -> Any:
        if self.name == "x":
            from ingest.sources.x import XSource

            return XSource(settings)
        if self.name == "mastodon":
            from ingest.sources.mastodon import MastodonSource

            return MastodonSource(settings)
        from ingest.sources.bluesky import BlueskySource

        return BlueskySource(settings)

    def settings(self, base: dict[str, Any]) -> IngestSettings:
        url, token = self.server.url, self.server.token
        extra = {
            "x": {"x_api_base_url": url, "x_bearer_token": token, "x_page_size": 50},
            "mastodon": {
                "mastodon_api_base_url": url,
                "mastodon_access_token": token,
                "mastodon_page_size": 40,
            },
            "bluesky": {
                "bluesky_base_url": url,
                "bluesky_handle": "laurentia.bsky.social",
                "bluesky_app_password": BlueskyServer.password,
                "bluesky_page_size": 50,
            },
        }[self.name]
        return IngestSettings(**base, **extra)


def _brand_file(directory: Path) -> Path:
    """The example brand reduced to the mentions of one account: one feed per platform."""
    config = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    config["brand"].update(accounts={"x": ["LaurentiaMobile"]}, keywords=[])
    config["staff"] = []
    path = directory / "brand.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _poller(
    scenario: Scenario,
    settings: IngestSettings,
    store: IngestStore,
    producer: EventProducer,
    stop: threading.Event,
) -> Poller:
    publisher = Publisher(producer, settings.topics.posts, RosterWatcher(settings.brand_config))
    health = SourceHealth(scenario.name, blind_after=3600, store=store)
    return Poller(
        scenario.source(settings),
        store=store,
        publisher=publisher,
        health=health,
        stop=stop,
        interval=0.1,
        backoff_base=0.2,
        max_backoff=2.0,
    )


def run_scenario(
    scenario: Scenario, args: argparse.Namespace, base: dict[str, Any], store_url: str
) -> dict[str, Any]:
    settings = scenario.settings(base)
    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="ingest-bench")  # type: ignore[arg-type]
    store = IngestStore(store_url)
    server = scenario.server
    scenario.add(0)
    _poller(
        scenario, settings, store, producer, threading.Event()
    ).poll_once()  # first run sets the mark
    for i in range(1, args.posts):
        scenario.add(i)
    server.storm_every = args.storm_every
    started = time.perf_counter()
    for restart in range(args.restarts + 1):
        stop, pages = threading.Event(), []

        def crash(logged: Any, stop=stop, pages=pages, last=restart == args.restarts) -> None:
            if logged.path.endswith(scenario.page_path) and logged.status == 200:
                pages.append(logged)
                if len(pages) == args.crash_after and not last:
                    stop.set()

        server.on_request = crash
        poller = _poller(scenario, settings, store, producer, stop)
        if restart < args.restarts:
            poller.run()  # returns when "killed"
            for j in range(5):  # posts that arrive during the outage
                scenario.add(args.posts + restart * 5 + j)
        else:
            poller.poll_once()
            poller.poll_once()
    elapsed = time.perf_counter() - started
    server.on_request, server.storm_every = None, 0
    produced = _produced_ids(settings)
    log = server.requests
    early = sum(
        1
        for a, b in itertools.pairwise(log)
        if a.status == 429 and b.at < _epoch(a.headers.get(scenario.reset_header))
    )
    producer.close()
    store.close()
    counts = Counter(produced)
    return {
        "platform": scenario.name,
        "on_server": len(scenario.expected),
        "missed": len(scenario.expected - set(counts)),
        "repeated": sum(c - 1 for c in counts.values()),
        "requests": len(log),
        "429s": sum(r.status == 429 for r in log),
        "early": early,
        "seconds": elapsed,
    }


def _epoch(value: str | None) -> float:
    """A reset header as epoch seconds: X and Bluesky send seconds, Mastodon an ISO time."""
    if not value:
        return 0.0
    try:
        return float(int(value))
    except ValueError:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _produced_ids(settings: IngestSettings) -> list[str]:
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False
    )
    try:
        topic = settings.topics.posts.name
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ids: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                ids.extend(decode(Post, r.value).platform_post_id for r in batch)
            if all(
                (h := consumer.highwater(tp)) is not None and consumer.position(tp) >= h
                for tp in tps
            ):
                break
        return ids
    finally:
        consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=300, help="Mentions waiting on each server.")
    parser.add_argument(
        "--storm-every", type=int, default=3, help="Every n-th request answers 429."
    )
    parser.add_argument(
        "--crash-after", type=int, default=2, help="Pages fetched before each kill."
    )
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--platforms", default="x,mastodon,bluesky")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vigie-resilience-"))
    broker = EmbeddedBroker(log_file=work / "tansu.log").start()
    try:
        print(
            f"{'platform':<10}{'on server':>10}{'missed':>8}{'repeated':>10}"
            f"{'requests':>10}{'429s':>6}"
            f"{'before reset':>14}{'seconds':>9}"
        )
        for name in args.platforms.split(","):
            server, page_path, header = {
                "x": (XServer(), "/mentions", "x-rate-limit-reset"),
                "mastodon": (MastodonServer(), "/api/v1/notifications", "X-RateLimit-Reset"),
                "bluesky": (BlueskyServer(), "listNotifications", "ratelimit-reset"),
            }[name]
            with server:
                if name == "x":
                    server.add_user("LaurentiaMobile")
                base = {
                    "kafka_bootstrap_servers": broker.bootstrap_servers,
                    "topic_prefix": f"res{name}{int(time.time())}",
                    "brand_config": _brand_file(work),
                    "data_dir": work,
                }
                result = run_scenario(
                    Scenario(name, server, page_path, header),
                    args,
                    base,
                    f"sqlite:///{work / (name + '.db')}",
                )
            early = str(result["early"])
            print(
                f"{name:<10}{result['on_server']:>10}{result['missed']:>8}{result['repeated']:>10}"
                f"{result['requests']:>10}{result['429s']:>6}{early:>14}{result['seconds']:>9.1f}"
            )
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
