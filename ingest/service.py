"""The ingest service: the configured connectors, and an optional replay, into the posts topic;
and the replies from cases, sent on the platforms where the brand account's credentials are set.

Each platform polls in its own thread (a rate-limit wait on X never delays Mastodon); a replay
runs in the calling thread; replies are consumed in a thread of their own. With only a replay
(no connector, no reply credentials), `run` returns once the file is done.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from events.errors import VigieError
from events.kafka_io import EventProducer, consume
from events.runtime import bootstrap_servers, prepare_topics
from events.settings import Settings
from ingest.health import SourceHealth
from ingest.poller import Poller
from ingest.publish import Publisher
from ingest.read_budget import ReadBudget
from ingest.replies import ReplyDesk, build_writers
from ingest.roster import RosterWatcher
from ingest.settings import IngestSettings
from ingest.sources.base import PolledSource
from ingest.sources.replay import replay_file
from ingest.store import IngestStore, retention_cutoff

__all__ = ["build_sources", "run"]

log = logging.getLogger(__name__)

_MAINTENANCE_SECONDS = 60.0


def build_sources(settings: IngestSettings) -> list[PolledSource]:
    """The platforms that have credentials; their libraries load only when used."""
    sources: list[PolledSource] = []
    if settings.x_enabled:
        from ingest.sources.x import XSource

        sources.append(XSource(settings))
    if settings.mastodon_enabled:
        from ingest.sources.mastodon import MastodonSource

        sources.append(MastodonSource(settings))
    if settings.bluesky_enabled:
        from ingest.sources.bluesky import BlueskySource

        sources.append(BlueskySource(settings))
    return sources


def run(
    settings: Settings,
    stop: threading.Event,
    *,
    replay: Path | None = None,
    rate: float | None = None,
) -> None:
    """Run the connectors until `stop` (or, with only a replay, until the file is done)."""
    config = IngestSettings.from_base(settings)
    prepare_topics(config)
    roster = RosterWatcher(config.brand_config)
    producer = EventProducer(bootstrap_servers(config), service="ingest")
    publisher = Publisher(producer, config.topics.posts, roster)
    halt = threading.Event()
    threads: list[threading.Thread] = []
    store: IngestStore | None = None
    try:
        sources = build_sources(config)
        if sources or config.reply_platforms:
            store = IngestStore(config.resolved_ingest_database_url)
            threads = [_start_poller(s, config, store, publisher, halt) for s in sources]
            if config.x_enabled and config.x_filtered_stream:
                threads.append(_start_stream(config, store, publisher, halt))
            if config.reply_platforms:
                threads.append(_start_replies(config, store, producer, halt))
        if replay is not None:
            _replay(replay, config, publisher, stop, rate)
        if not threads:
            if replay is None:
                log.warning(
                    "no connector configured (set VIGIE_X_BEARER_TOKEN, VIGIE_MASTODON_* or "
                    "VIGIE_BLUESKY_*, or give a replay file); nothing to do"
                )
            return
        assert store is not None
        _supervise(threads, store, config, stop)
    finally:
        halt.set()
        for thread in threads:
            thread.join(timeout=30)
        producer.close()
        if store is not None:
            store.close()


def _replay(
    path: Path, config: IngestSettings, publisher: Publisher, stop: threading.Event, rate: float | None
) -> None:
    """Replay a file; `vigie status` shows it as the source `replay:NAME` (replaying, finished)."""
    store = IngestStore(config.resolved_ingest_database_url)
    try:
        health = SourceHealth(f"replay:{path.name}"[:60], blind_after=0, store=store)
        health.row.state = "replaying"
        health.tick()
        result = replay_file(path, publisher=publisher, stop=stop, rate=rate)
        health.success()
        health.row.posts_total = result.produced
        if result.dead_lettered:  # already counted by the replay's own metrics
            health.row.last_error = f"{result.dead_lettered} lines went to the dead-letter topic"
        health.row.state = "interrupted" if stop.is_set() else "finished"
        health.tick()
    finally:
        store.close()


def _start_poller(
    source: PolledSource,
    config: IngestSettings,
    store: IngestStore,
    publisher: Publisher,
    halt: threading.Event,
) -> threading.Thread:
    health = SourceHealth(source.name, blind_after=config.blind_after_for(source.name), store=store)
    poller = Poller(
        source,
        store=store,
        publisher=publisher,
        health=health,
        stop=halt,
        interval=config.poll_interval_seconds,
        max_backoff=config.max_backoff_seconds,
        max_rate_limit_wait=config.max_rate_limit_wait_seconds,
        read_budget=ReadBudget(
            source.name,
            store,
            cap=lambda: publisher.roster.current().config.brand.read_caps.get(source.name),
        ),
    )
    thread = threading.Thread(target=poller.run, name=f"ingest-{source.name}", daemon=True)
    thread.start()
    log.info("polling %s every %.0fs", source.name, config.poll_interval_seconds)
    return thread


def _start_stream(
    config: IngestSettings, store: IngestStore, publisher: Publisher, halt: threading.Event
) -> threading.Thread:
    from ingest.sources.x_stream import SOURCE, XFilteredStream

    health = SourceHealth(SOURCE, blind_after=config.blind_after_for(SOURCE), store=store)
    # Streamed posts count against the same monthly cap as X's polls (the source "x").
    budget = ReadBudget(
        "x", store, cap=lambda: publisher.roster.current().config.brand.read_caps.get("x")
    )
    stream = XFilteredStream(
        config, publisher=publisher, store=store, health=health, stop=halt, read_budget=budget
    )
    thread = threading.Thread(target=stream.run, name="ingest-x-stream", daemon=True)
    thread.start()
    return thread


def _start_replies(
    config: IngestSettings, store: IngestStore, producer: EventProducer, halt: threading.Event
) -> threading.Thread:
    desk = ReplyDesk(
        build_writers(config),
        store,
        producer,
        config.topics.reply_outcomes,
        max_tries=config.reply_max_tries,
    )
    thread = threading.Thread(
        target=consume,
        name="ingest-replies",
        daemon=True,
        args=(config.topics.replies, desk),
        kwargs={
            "bootstrap_servers": bootstrap_servers(config),
            "group_id": config.group("ingest-replies"),
            "producer": producer,
            "stop": halt,
        },
    )
    thread.start()
    log.info("sending replies from cases on %s", ", ".join(config.reply_platforms))
    return thread


def _supervise(
    threads: list[threading.Thread],
    store: IngestStore,
    config: IngestSettings,
    stop: threading.Event,
) -> None:
    """Wait for `stop`; forget old seen ids now and then; end if every source has stopped."""
    while not stop.wait(_MAINTENANCE_SECONDS):
        if not any(t.is_alive() for t in threads):
            raise VigieError(
                "every connector has stopped (see the errors above and `vigie status`)"
            )
        try:
            store.forget_seen_before(retention_cutoff(config.seen_retention_days))
        except VigieError as exc:
            log.warning("cannot prune seen post ids: %s", exc)
