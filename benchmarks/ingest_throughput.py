"""Ingest throughput: normalization, and normalization + produce (acknowledged), in posts/s.

The payloads are the platforms' documented response shapes (X v2 pages with expansions, Mastodon
statuses, Bluesky post views), built from the bundled sample stream's texts and authors, then
serialized to JSON the way they arrive on the wire. For each platform the script prints:
- normalize: JSON parse + normalization to validated Posts, posts/s;
- produce: the same plus roster attribution, produced to the posts topic and waited for Kafka's
  acknowledgement (acks=all) page by page (100 posts) as the connectors do, posts/s.
It starts the embedded broker unless --kafka names one.

    .venv/bin/python benchmarks/ingest_throughput.py --posts 20000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from events.broker import EmbeddedBroker  # noqa: E402
from events.kafka_io import EventProducer  # noqa: E402
from events.runtime import prepare_topics  # noqa: E402
from events.schemas import Post  # noqa: E402
from events.settings import BUNDLED_BRAND_CONFIG, Settings  # noqa: E402
from ingest.normalize import post_from_status, post_from_view, posts_from_x  # noqa: E402
from ingest.publish import Publisher  # noqa: E402
from ingest.roster import RosterWatcher  # noqa: E402

SAMPLE = ROOT / "ingest" / "samples" / "sample_stream.jsonl"
PAGE = 100


def _rows() -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def x_pages(rows: list[dict[str, Any]], total: int) -> list[bytes]:
    pages = []
    for start in range(0, total, PAGE):
        tweets, users = [], {}
        for n in range(start, min(start + PAGE, total)):
            row = rows[n % len(rows)]
            author = row["author"]
            users[author["id"]] = {
                "id": author["id"],
                "username": author["handle"],
                "name": author.get("display_name") or author["handle"],
                "description": author.get("description") or "",
            }
            tweets.append(
                {
                    "id": str(1_900_000_000_000_000_000 + n),
                    "text": row["text"],
                    "author_id": author["id"],
                    "conversation_id": row.get("conversation_id")
                    or str(1_900_000_000_000_000_000 + n),
                    "created_at": row["created_at"],
                    "lang": row.get("lang") or "und",
                    "public_metrics": {
                        "like_count": 1,
                        "retweet_count": 0,
                        "reply_count": 0,
                        "quote_count": 0,
                    },
                }
            )
        pages.append(
            json.dumps(
                {
                    "data": tweets,
                    "includes": {"users": list(users.values())},
                    "meta": {"result_count": len(tweets)},
                },
                ensure_ascii=False,
            ).encode()
        )
    return pages


def mastodon_pages(rows: list[dict[str, Any]], total: int) -> list[bytes]:
    pages = []
    for start in range(0, total, PAGE):
        statuses = []
        for n in range(start, min(start + PAGE, total)):
            row = rows[n % len(rows)]
            author = row["author"]
            text = row["text"].replace("&", "&amp;").replace("<", "&lt;")
            statuses.append(
                {
                    "id": str(113_000_000_000_000_000 + n),
                    "created_at": row["created_at"],
                    "content": f"<p>{text}</p>",
                    "language": row.get("lang"),
                    "url": None,
                    "account": {
                        "id": author["id"],
                        "acct": f"{author['handle']}@mastodon.example",
                        "display_name": author.get("display_name") or "",
                        "note": "<p>bio</p>",
                    },
                    "media_attachments": [],
                    "favourites_count": 1,
                    "reblogs_count": 0,
                    "replies_count": 0,
                    "in_reply_to_id": None,
                    "reblog": None,
                    "spoiler_text": "",
                }
            )
        pages.append(json.dumps(statuses, ensure_ascii=False).encode())
    return pages


def bluesky_pages(rows: list[dict[str, Any]], total: int) -> list[bytes]:
    pages = []
    for start in range(0, total, PAGE):
        views = []
        for n in range(start, min(start + PAGE, total)):
            row = rows[n % len(rows)]
            author = row["author"]
            views.append(
                {
                    "uri": f"at://did:plc:{author['id']:0>24}/app.bsky.feed.post/3l{n:011d}",
                    "cid": "bafy",
                    "author": {
                        "did": f"did:plc:{author['id']:0>24}",
                        "handle": f"{author['handle']}.bsky.social",
                        "displayName": author.get("display_name"),
                    },
                    "record": {
                        "$type": "app.bsky.feed.post",
                        "text": row["text"],
                        "createdAt": row["created_at"],
                        "langs": [row["lang"]] if row.get("lang") else [],
                    },
                    "likeCount": 1,
                    "repostCount": 0,
                    "replyCount": 0,
                    "quoteCount": 0,
                    "indexedAt": row["created_at"],
                }
            )
        pages.append(json.dumps({"posts": views}, ensure_ascii=False).encode())
    return pages


NORMALIZERS: dict[
    str, tuple[Callable[[list[dict[str, Any]], int], list[bytes]], Callable[[bytes], list[Post]]]
] = {
    "x": (x_pages, lambda raw: posts_from_x(json.loads(raw), collected_by="x:mentions")),
    "mastodon": (
        mastodon_pages,
        lambda raw: [post_from_status(s, collected_by="mastodon:hashtag") for s in json.loads(raw)],
    ),
    "bluesky": (
        bluesky_pages,
        lambda raw: [
            post_from_view(v, collected_by="bluesky:search") for v in json.loads(raw)["posts"]
        ],
    ),
}


def measure(platform: str, pages: list[bytes], publisher: Publisher | None) -> tuple[int, float]:
    normalize = NORMALIZERS[platform][1]
    count, started = 0, time.perf_counter()
    for raw in pages:
        posts = publisher.prepare(normalize(raw), source=platform) if publisher else normalize(raw)
        if publisher:
            publisher.send(posts, source=platform)
        count += len(posts)
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=20_000, help="Posts per platform.")
    parser.add_argument("--kafka", help="Bootstrap servers; default: start the embedded broker.")
    args = parser.parse_args()
    rows = _rows()
    roster = RosterWatcher(BUNDLED_BRAND_CONFIG)
    broker = (
        None
        if args.kafka
        else EmbeddedBroker(log_file=Path(tempfile.mkdtemp()) / "tansu.log").start()
    )
    try:
        bootstrap = args.kafka or broker.bootstrap_servers  # type: ignore[union-attr]
        settings = Settings(
            kafka_bootstrap_servers=bootstrap, topic_prefix=f"bench{int(time.time())}"
        )
        prepare_topics(settings)
        producer = EventProducer(bootstrap, service="ingest-bench")
        publisher = Publisher(producer, settings.topics.posts, roster)
        print(
            f"{'platform':<10}{'posts':>8}{'normalize posts/s':>20}{'+ produce, acked posts/s':>27}"
        )
        for platform, (build, _) in NORMALIZERS.items():
            pages = build(rows, args.posts)
            n, plain = measure(platform, pages, None)
            m, produced = measure(platform, pages, publisher)
            print(f"{platform:<10}{n:>8}{n / plain:>20,.0f}{m / produced:>27,.0f}")
        producer.close()
    finally:
        if broker:
            broker.stop()


if __name__ == "__main__":
    main()
