"""The Typer application and what every command shares: settings and error reporting."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from events.errors import VigieError
from events.runtime import configure_logging, stop_on_signals
from events.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = typer.Typer(
    name="vigie",
    help="Vigie: moderation pipeline for official brand accounts.",
    no_args_is_help=True,
    add_completion=False,
)

T = TypeVar("T")


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"vigie {version('vigie')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Vigie: moderation pipeline for official brand accounts."""


def load_settings(**overrides: object) -> Settings:
    """Settings from VIGIE_* variables, with command-line options (when given) on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        fail_on_settings(exc)
    configure_logging(settings.log_level)
    return settings


def fail_on_settings(exc: ValidationError) -> NoReturn:
    """Name each VIGIE_* variable that is wrong, and why."""
    fail("invalid settings:\n  " + "\n  ".join(
        f"VIGIE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()))


def require_database(database_url: str) -> None:
    """Commands that read the database must not create an empty SQLite file where none is."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_file():
            fail(f"no database found at {path.resolve()} (set VIGIE_DATA_DIR or --database-url "
                 "to where `vigie up` keeps it)")


def open_database(database_url: str) -> Engine:
    """The workflow database, migrated to the latest schema (quietly: the services log that)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # before the import, which logs
    from workflow.db import init_db

    return init_db(database_url)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 row`, `2 rows` (`1 entry`, `2 entries` with the plural given)."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def fail(message: str, code: int = 2) -> NoReturn:
    typer.secho(f"vigie: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def run_service(target: Callable[[Settings, threading.Event], T], settings: Settings) -> T:
    """Run a long-lived service until SIGTERM/SIGINT; Vigie errors end it with a clear message.

    The service's metrics are served on VIGIE_METRICS_PORT when it is set (not under `vigie up`,
    where the API shows every process's metrics)."""
    from events.metrics import serve_metrics  # prometheus_client: only the services need it

    stop = threading.Event()
    stop_on_signals(stop)
    serve_metrics(settings.metrics_port)
    try:
        return target(settings, stop)
    except VigieError as exc:
        fail(str(exc))


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
