"""What every service process does the same way: logging, signals, broker address, topics."""

from __future__ import annotations

import ctypes
import logging
import signal
import threading

from events.brand import load_brand_config
from events.errors import ConfigError
from events.settings import Settings

__all__ = [
    "bootstrap_servers",
    "configure_logging",
    "die_with_parent",
    "prepare_topics",
    "stop_on_signals",
]

_PR_SET_PDEATHSIG = 1


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
    )
    logging.getLogger("kafka").setLevel(logging.WARNING)
    # At INFO, httpx logs each request's full URL: a Slack or Teams webhook URL is a credential.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`: the loop finishes its batch, commits and exits."""

    def handler(signum: int, _frame: object) -> None:
        logging.getLogger(__name__).info("received %s, finishing the batch", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def bootstrap_servers(settings: Settings) -> str:
    """A service run on its own needs a broker address; only `vigie up` starts an embedded one."""
    if not settings.kafka_bootstrap_servers:
        raise ConfigError(
            "VIGIE_KAFKA_BOOTSTRAP_SERVERS is not set: point it at a Kafka cluster, "
            "or run `vigie up`, which starts an embedded broker"
        )
    return settings.kafka_bootstrap_servers


def prepare_topics(settings: Settings) -> None:
    """Create the topics and their dead-letter twins if they are missing, each with the
    retention the brand configuration sets for it (`retention.topics`)."""
    # Imported here: a CLI command that needs no Kafka does not load its client.
    from events.kafka_io import ensure_topics

    retention = load_brand_config(settings.brand_config).retention.topics
    ensure_topics(
        bootstrap_servers(settings),
        settings.topics.all_names(),
        partitions=settings.topic_partitions,
        replication=settings.topic_replication,
        configs={
            name: {"retention.ms": str(ms)}
            for name, ms in settings.topics.retention_ms(retention).items()
        },
    )


def die_with_parent() -> None:  # pragma: no cover - runs in a child between fork and exec
    """Ask Linux to SIGTERM this child when its parent dies, so a killed `vigie up` leaves no orphan."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass
