"""The Typer application and what every command shares: settings and error reporting."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import NoReturn, TypeVar

import typer
from pydantic import ValidationError

from events.errors import VigieError
from events.metrics import serve_metrics
from events.runtime import configure_logging, stop_on_signals
from events.settings import Settings

app = typer.Typer(
    name="vigie",
    help="Vigie: moderation pipeline for official brand accounts.",
    no_args_is_help=True,
    add_completion=False,
)

T = TypeVar("T")


def load_settings(**overrides: object) -> Settings:
    """Settings from VIGIE_* variables, with command-line options (when given) on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        fail("invalid settings:\n  " + "\n  ".join(
            f"VIGIE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()))
    configure_logging(settings.log_level)
    return settings


def fail(message: str, code: int = 2) -> NoReturn:
    typer.secho(f"vigie: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def run_service(target: Callable[[Settings, threading.Event], T], settings: Settings) -> T:
    """Run a long-lived service until SIGTERM/SIGINT; Vigie errors end it with a clear message.

    The service's metrics are served on VIGIE_METRICS_PORT when it is set (not under `vigie up`,
    where the API shows every process's metrics)."""
    stop = threading.Event()
    stop_on_signals(stop)
    serve_metrics(settings.metrics_port)
    try:
        return target(settings, stop)
    except VigieError as exc:
        fail(str(exc))


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
