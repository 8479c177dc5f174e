"""The whole service: sources in their own threads, one revoked source does not stop the others;
health reaches /metrics and `vigie status`."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import with_settings
from helpers import read_topic
from platform_servers import MastodonServer, XServer
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from events.codec import decode
from events.schemas import Post
from ingest.service import run
from ingest.store import IngestStore, SourceHealthRow


def _wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_a_revoked_x_token_leaves_mastodon_running(ingest_settings) -> None:
    with XServer() as x, MastodonServer() as masto:
        x.revoked = True
        masto.add_status("client@piaille.fr", "<p>@laurentia toujours en panne</p>", mention=True)
        settings = with_settings(
            ingest_settings,
            x_api_base_url=x.url,
            x_bearer_token=x.token,
            mastodon_api_base_url=masto.url,
            mastodon_access_token=masto.token,
        )
        stop = threading.Event()
        service = threading.Thread(target=run, args=(settings, stop))
        service.start()
        try:
            [record] = read_topic(
                settings.kafka_bootstrap_servers, settings.topics.posts.name, count=1
            )
            assert decode(Post, record.value).platform == "mastodon"
            store = IngestStore(settings.resolved_ingest_database_url)
            _wait_for(lambda: {r.source: r.state for r in store.health()}.get("x") == "stopped")
            # The poller counts a post once the broker acknowledged it: the count may trail the
            # record a consumer already read.
            _wait_for(
                lambda: {r.source: r.posts_total for r in store.health()}.get("mastodon") == 1
            )
            states = {r.source: r for r in store.health()}
            assert states["mastodon"].state == "ok" and states["mastodon"].posts_total == 1
            assert x.token not in (states["x"].last_error or "")
            masto.add_status("client2@piaille.fr", "<p>@laurentia et moi aussi</p>", mention=True)
            read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.name, count=2)
            store.close()
        finally:
            stop.set()
            service.join(timeout=30)
        assert not service.is_alive()
    assert REGISTRY.get_sample_value("vigie_ingest_source_up", {"source": "x"}) == 0
    assert REGISTRY.get_sample_value("vigie_ingest_source_up", {"source": "mastodon"}) == 1
    assert (
        REGISTRY.get_sample_value(
            "vigie_ingest_last_success_timestamp_seconds", {"source": "mastodon"}
        )
        > 0
    )


def test_nothing_configured_returns_at_once(ingest_settings) -> None:
    run(ingest_settings, threading.Event())


@pytest.fixture
def status_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'status.db'}"
    monkeypatch.setenv("VIGIE_DATABASE_URL", url)
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    return IngestStore(url)


def _row(source: str, **fields) -> SourceHealthRow:
    now = datetime.now(UTC)
    return SourceHealthRow(
        **{
            "source": source,
            "state": "ok",
            "started_at": now - timedelta(hours=1),
            "updated_at": now,
            "blind_after_seconds": 3600.0,
            **fields,
        }
    )


def test_vigie_status_reports_health_and_blind_sources(status_db) -> None:
    from vigie.cli import app

    now = datetime.now(UTC)
    status_db.save_health(
        _row(
            "x",
            last_success_at=now,
            posts_total=42,
            rate_limit_remaining=17,
            last_post_at=now - timedelta(minutes=5),
            newest_post_at=now - timedelta(minutes=6),
        )
    )
    status_db.save_health(
        _row("mastodon", last_success_at=now, last_post_at=now - timedelta(hours=3))
    )
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:] if line.strip()}
    assert "BLIND" in lines["mastodon"] and "3h" in lines["mastodon"]
    assert "ok" in lines["x"] and "42" in lines["x"] and "17" in lines["x"]

    status_db.save_health(_row("mastodon", last_success_at=now, last_post_at=now))
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    report = {r["source"]: r for r in json.loads(result.output)}
    assert report["x"]["posts"] == 42 and report["x"]["blind"] is False
    assert report["mastodon"]["silent_seconds"] < 60
