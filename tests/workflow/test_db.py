"""Schema migrations (idempotent, concurrent starts, in step with the models) and outages."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from events.errors import ConfigError, TransientError
from workflow.db import init_db, normalize_url, schema_filter
from workflow.feedback import export_feedback
from workflow.models import Case


def test_concurrent_starts_migrate_once(database_url: str) -> None:
    engines: list[Any] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            engines.append(init_db(database_url))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(engines) == 3
    engine = init_db(database_url)  # and once more, on an up-to-date schema
    with engine.connect() as connection:
        assert (
            connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            == _head()
        )
        options = {"compare_type": True, "include_object": schema_filter(engine.dialect.name)}
        diff = compare_metadata(
            MigrationContext.configure(connection, opts=options), SQLModel.metadata
        )
    assert diff == [], "the models and the migrations disagree: add a migration"
    for each in [*engines, engine]:
        each.dispose()


def test_unreachable_database_is_transient() -> None:
    with pytest.raises(TransientError, match="database unavailable"):
        init_db("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2")


def test_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="invalid database URL"):
        init_db("not a url")


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_feedback_export_on_an_empty_or_missing_schema(database_url: str) -> None:
    assert export_feedback(database_url) == []  # before any migration
    init_db(database_url).dispose()
    assert export_feedback(database_url) == []
    assert Case.__tablename__ == "cases"


def _head() -> str:
    """The newest migration (the parallel branches' migrations are chained at merge)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from workflow.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head
