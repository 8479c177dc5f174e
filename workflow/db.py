"""Engines, schema migrations and database errors for the workflow service and the API.

`init_db` brings the schema to Alembic's head under a lock (a PostgreSQL advisory lock, a file
lock beside a SQLite file), so the service and the API can both call it at start-up. A database
that cannot be reached raises TransientError: the consumer loop pauses and retries.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from events.errors import ConfigError, TransientError
from events.private_files import PRIVATE_FILE_MODE, private_sqlite_file

__all__ = ["create_db_engine", "init_db", "normalize_url", "schema_filter", "transient_errors"]

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x76696769  # "vigi": the advisory lock that serializes migrations


def normalize_url(database_url: str) -> str:
    """Plain postgresql:// URLs use psycopg 3 (the driver Vigie installs)."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def create_db_engine(database_url: str) -> Engine:
    """An engine with the settings Vigie relies on (WAL and a busy timeout on SQLite)."""
    url = normalize_url(database_url)
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"invalid database URL {database_url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        private_sqlite_file(url)  # personal data: owner-only file (and -wal/-shm)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def transient_errors(what: str) -> Iterator[None]:
    """Turn 'the database is unreachable' into TransientError (pause and retry, never DLQ)."""
    try:
        yield
    except OperationalError as exc:
        raise TransientError(f"{what}: database unavailable: {exc.orig or exc}") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise TransientError(f"{what}: database connection lost: {exc.orig or exc}") from exc
        raise


def schema_filter(dialect: str) -> Callable[..., bool]:
    """Alembic's `include_object` for one dialect: an index kept for another dialect
    (workflow.models.postgresql_only) is neither missing here nor compared."""

    def include(obj: object, _name: object, _type: str, _reflected: bool, _other: object) -> bool:
        only = (getattr(obj, "info", None) or {}).get("only_dialect")
        return only is None or only == dialect

    return include


def init_db(database_url: str) -> Engine:
    """Create or upgrade the schema to the latest migration; safe to call from several processes."""
    engine = create_db_engine(database_url)
    with transient_errors("migrating the schema"), _migration_lock(engine) as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    return engine


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[sa.Connection]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with engine.connect() as connection:
            yield connection
        return
    fd = os.open(f"{database}.migrate.lock", os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "r+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
