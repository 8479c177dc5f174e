"""Shared fixtures: the real embedded broker, both real databases, and event factories.

The broker starts once per test session; every test gets its own topic prefix and consumer
groups, so tests never see each other's records. `database_url` is parametrized: a test that
asks for it runs once on SQLite and once on the PostgreSQL server (VIGIE_TEST_POSTGRES_URL,
default 127.0.0.1:5432 user postgres), each time on a fresh, empty database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from helpers import make_post

from events.broker import EmbeddedBroker
from events.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "VIGIE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log_file = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_file=log_file) as running:
        yield running


@pytest.fixture
def unique() -> str:
    """A short id that keeps this test's topics, groups and databases apart."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, unique: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigie.db'}"
        return
    admin = sqlalchemy.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"vigie_test_{unique}"
    try:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    except sqlalchemy.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    url = sqlalchemy.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(broker: EmbeddedBroker, tmp_path: Path, unique: str) -> Settings:
    """Settings for one test: the shared broker, its own topics, groups and data directory."""
    return Settings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        topic_prefix=f"t{unique}",
        group_prefix=f"g{unique}",
        topic_partitions=3,
        data_dir=tmp_path,
    )


@pytest.fixture
def post_factory() -> Any:
    return make_post
