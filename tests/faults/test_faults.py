"""Faults injected on purpose into the running pipeline, on SQLite and PostgreSQL.

One pipeline per database (durable embedded broker, every service as its own process, a local
alert webhook) replays a fresh copy of the sample stream per fault, the fault injected
mid-stream; a fault-free copy replayed first is the baseline. After each fault, once the
pipeline has recovered by itself: every post is stored once with the baseline's outcome and
labels, the cases are the baseline's, every critical case alerted exactly once, poison records
are in the dead-letter topics with their reasons, and no process grew past a bound.
`benchmarks/faults.py` prints how long each recovery takes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fault_pipeline import FaultPipeline

pytestmark = pytest.mark.slow

POSTS = 120
"""Posts per fault: the first 120 of the sample (about 45 cases, some of them critical)."""
RATE = 40.0
"""Replay rate (posts/s), one the pipeline sustains on a shared 2-core machine; the burst
replays at three times it."""
RSS_GROWTH_KIB = 150 * 1024
"""How much a process may grow over its size after the baseline (a leak grows without end)."""

FAULTS = ["kill-ingest", "kill-classify", "kill-workflow", "kill-alerts", "kill-api", "database",
          "burst", "poison",
          "broker"]  # last: should a broker lose its offsets, later rounds would lose posts too
DEAD_LETTERING = {
    "posts": ["classify"],
    "verdicts": ["workflow", "alerts"],
    "cases": ["alerts"],
}
"""Which services read each topic, so dead-letter each poison record written to it."""

POSTGRES_ADMIN_URL = os.environ.get(
    "VIGIE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pipeline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[FaultPipeline]:
    workdir = tmp_path_factory.mktemp(f"faults-{request.param}")
    with _database(request.param, workdir) as url:
        running = FaultPipeline(workdir, url, posts=POSTS, rate=RATE)
        try:
            running.start()
            running.run_round("none")
            yield running
        finally:
            running.close()


@pytest.fixture(scope="module")
def baseline(pipeline: FaultPipeline) -> dict[str, Any]:
    return pipeline.summary(0)


class _database:
    """A fresh database for one pipeline: a SQLite file, or a PostgreSQL database dropped after."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend, self.workdir = backend, workdir
        self.name = f"vigie_faults_{uuid.uuid4().hex[:10]}"
        self.admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / 'vigie.db'}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=self.name)
        return url.render_as_string(hide_password=False)

    def __exit__(self, *_: object) -> None:
        if self.backend == "postgresql":
            with self.admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.mark.parametrize("fault", FAULTS)
def test_the_pipeline_recovers_from(
    fault: str, pipeline: FaultPipeline, baseline: dict[str, Any]
) -> None:
    done = pipeline.run_round(fault)
    found = pipeline.summary(done.number)

    stored_twice = [post for post, count in found["posts"].items() if count != 1]
    missing = set(baseline["posts"]) - set(found["posts"])
    assert not missing and not stored_twice, f"lost {sorted(missing)[:5]}, doubled {stored_twice[:5]}"
    assert found["orphans"] == [], "posts routed to no case"
    assert found["outcomes"] == baseline["outcomes"], _first_difference(found, baseline, "outcomes")
    assert found["cases"] == baseline["cases"], _first_difference(found, baseline, "cases")

    critical = pipeline.critical_cases(done.number)
    alerts = pipeline.alerts_of(critical)
    assert [k for k, n in alerts.items() if n > 1] == [], "alerts sent twice"
    assert [c for c in critical if ("critical", c) not in alerts] == [], "critical cases not alerted"

    if fault == "poison":
        _assert_dead_lettered(pipeline, done.poison)

    first = pipeline.rounds[0].rss_kib
    grown = {name: (first[name], rss) for name, rss in done.rss_kib.items()
             if name in first and rss > first[name] + RSS_GROWTH_KIB}
    assert grown == {}, f"resident memory (KiB, after the baseline and now): {grown}"


def _assert_dead_lettered(pipeline: FaultPipeline, written: list[tuple[str, int, int, str]]) -> None:
    """Each poison record, by its coordinates, copied by every service that reads its topic,
    with a reason (and a stub for what is too large or empty to copy)."""
    dead = pipeline.dead_letters()
    for topic, partition, offset, name in written:
        copies = [d for d in dead if (d["topic"], d["partition"], d["offset"])
                  == (topic, str(partition), str(offset))]
        readers = DEAD_LETTERING[topic.rsplit(".", 1)[1]]
        assert sorted({c["service"] for c in copies}) == sorted(readers), (name, topic, copies)
        for copy in copies:
            assert copy["reason"], (name, copy)
            if name == "one-mebibyte":
                assert "too large" in (copy["stub"] or ""), copy
            elif name == "null-key-and-value":
                assert "neither key nor value" in (copy["stub"] or ""), copy
            else:
                assert copy["stub"] is None and copy["value_size"] > 0, copy
            if name == "unknown-schema-version":
                assert "schema_version" in copy["reason"], copy


def _first_difference(found: dict[str, Any], baseline: dict[str, Any], key: str) -> str:
    extra = [x for x in found[key] if x not in baseline[key]]
    lacking = [x for x in baseline[key] if x not in found[key]]
    return f"{key}: not in the baseline {extra[:3]}; missing {lacking[:3]}"
