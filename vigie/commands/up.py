"""`vigie up`: the whole pipeline in one process tree, on embedded defaults or external parts.

Before anything starts, what would only fail later is checked and named in one line: the data
folder, the SQLite file, the API port, the database itself. The `admin` user is settled here too
(created with a generated password shown once, or given VIGIE_ADMIN_PASSWORD), so the banner
never shows a password that does not work.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from pydantic import SecretStr

from events.brand import load_brand_config
from events.errors import VigieError
from events.private_files import private_dir
from events.runtime import prepare_topics
from events.settings import Settings
from vigie.app import app, fail, load_settings, open_database
from vigie.commands.config import echo_warnings, warnings_of
from vigie.supervisor import Supervisor

if TYPE_CHECKING:
    from events.broker import EmbeddedBroker

SAMPLE_STREAM = Path(str(files("ingest") / "samples" / "sample_stream.jsonl"))
# In the data folder once the bundled sample has been replayed whole into its database.
SAMPLE_MARKER = "sample-replayed"


@dataclass(frozen=True)
class Replay:
    path: Path
    marker: Path | None  # written when the replay completes (the bundled sample only)


@app.command("up")
def up(
    kafka: str | None = typer.Option(
        None, help="External Kafka bootstrap servers; default: start the embedded broker."
    ),
    database_url: str | None = typer.Option(
        None, help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; default: SQLite file."
    ),
    port: int | None = typer.Option(None, help="Web/API port (default 8000)."),
    sample: bool | None = typer.Option(
        None,
        "--sample/--no-sample",
        help="Replay the bundled demo sample. Default: only on embedded defaults (no --kafka, no "
        "--database-url), once per data folder.",
    ),
    replay: Path | None = typer.Option(
        None, "--replay", help="Replay this JSONL/CSV file of posts at start instead."
    ),
    rate: float | None = typer.Option(
        None, help="Replay rate in posts/s; default as fast as possible."
    ),
) -> None:
    """Start the broker (unless external), ingest, classify, workflow, alerts and the web/API."""
    settings = load_settings(
        kafka_bootstrap_servers=kafka, database_url=database_url, api_port=port
    )
    try:
        echo_warnings(warnings_of(settings.brand_config, load_brand_config(settings.brand_config)))
    except VigieError as exc:
        fail(str(exc))
    if replay is not None and sample:
        fail("--sample and --replay exclude each other (one replay at start)")
    if replay is not None and not replay.is_file():
        fail(f"replay file {replay} does not exist")
    check_data_dir(settings)
    check_port(settings.api_host, settings.api_port)
    chosen = _choose_replay(settings, sample, replay)
    admin_line = _settle_admin(settings)
    _share_metrics(settings)
    broker = None
    try:
        if not settings.kafka_bootstrap_servers:
            from events.broker import EmbeddedBroker

            broker = EmbeddedBroker(
                storage_dir=settings.data_dir / "broker", log_file=settings.data_dir / "broker.log"
            ).start()
            settings = settings.model_copy(
                update={"kafka_bootstrap_servers": broker.bootstrap_servers}
            )
        prepare_topics(settings)
        code = _run_services(settings, chosen, rate, broker, admin_line)
    except VigieError as exc:
        fail(str(exc))
    finally:
        if broker is not None:
            broker.stop()
    raise typer.Exit(code)


def check_data_dir(settings: Settings) -> None:
    """The data folder exists (or can be made) and takes files; the SQLite file, if any, is one."""
    folder = settings.data_dir
    try:
        private_dir(folder)  # the database, logs and metrics hold personal data: 0700
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        fail(f"data folder {folder.resolve()} is not usable: {exc.strerror or exc} "
             "(set VIGIE_DATA_DIR to a writable folder)")
    database = _sqlite_path(settings.resolved_database_url)
    if database is None:
        return
    if database.exists() and not database.is_file():
        fail(f"database {database.resolve()} is not a file (a folder?); move it away or set "
             "VIGIE_DATA_DIR / --database-url")
    writable = os.access(database, os.W_OK) if database.exists() else os.access(
        database.parent if database.parent.exists() else folder, os.W_OK
    )
    if not writable:
        fail(f"database {database.resolve()} is not writable")


def _sqlite_path(database_url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def check_port(host: str, port: int) -> None:
    """Fail now, naming the port, when another program listens on it (else the API would exit
    after the other services started, while the banner showed the other program's address)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds it
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"port {port} on {host} is not free ({exc.strerror or exc}); "
                 "choose another with --port or VIGIE_API_PORT")


def _choose_replay(settings: Settings, sample: bool | None, replay: Path | None) -> Replay | None:
    """The demo sample goes only where a demo is: embedded defaults, first start (or asked)."""
    if replay is not None:
        return Replay(replay, None)
    marker = settings.data_dir / SAMPLE_MARKER
    if sample is None:
        embedded = not settings.kafka_bootstrap_servers and not settings.database_url
        if not embedded:
            return None
        database = _sqlite_path(settings.resolved_database_url)
        if marker.exists() and database is not None and database.exists():
            typer.echo(f"vigie: the demo sample is already in this database ({marker} exists); "
                       "--sample replays it again")
            return None
    elif not sample:
        return None
    if not SAMPLE_STREAM.is_file():
        fail(f"sample stream {SAMPLE_STREAM} does not exist")
    return Replay(SAMPLE_STREAM, marker)


def _settle_admin(settings: Settings) -> str:
    """Create or update `admin` before any service starts; the banner line that says how to log in."""
    reset = "vigie admin reset-password"
    try:
        engine = open_database(settings.resolved_database_url)
        from workflow.seed import admin_exists, ensure_admin

        try:
            if settings.admin_password is not None:
                outcome = ensure_admin(engine, settings.admin_password)
                if outcome == "updated":
                    return "admin / the password in VIGIE_ADMIN_PASSWORD (now set on the existing admin)"
                return "admin / the password in VIGIE_ADMIN_PASSWORD"
            if admin_exists(engine):
                return f"admin / its current password (forgotten? `{reset}`)"
            generated = secrets.token_urlsafe(12)
            ensure_admin(engine, SecretStr(generated))
            return f"admin / {generated}   (shown once; `{reset}` sets another)"
        finally:
            engine.dispose()
    except VigieError as exc:
        fail(str(exc))


def _share_metrics(settings: Settings) -> None:
    """Every process of this run (this one too: it counts restarts) writes its metrics to one
    folder, which the API's /metrics adds up. Set before the metrics library is first loaded."""
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)  # stale files from a previous run would add up
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())


def _child_environment(settings: Settings) -> dict[str, str]:
    """The environment every service inherits (the metrics folder included)."""
    env = dict(os.environ)
    env["VIGIE_KAFKA_BOOTSTRAP_SERVERS"] = str(settings.kafka_bootstrap_servers)
    env["VIGIE_DATABASE_URL"] = settings.resolved_database_url
    env["VIGIE_API_PORT"] = str(settings.api_port)
    env["VIGIE_DATA_DIR"] = str(settings.data_dir)
    env["VIGIE_SERVICES_STATE_FILE"] = str(_services_state(settings).resolve())
    return env


def _services_state(settings: Settings) -> Path:
    return settings.data_dir / "services.json"


def _run_services(
    settings: Settings,
    replay: Replay | None,
    rate: float | None,
    broker: EmbeddedBroker | None,
    admin_line: str,
) -> int:
    env = _child_environment(settings)
    vigie = [sys.executable, "-m", "vigie.cli"]
    supervisor = Supervisor(env, state_file=_services_state(settings))
    supervisor.start("api", vigie + ["api"])
    supervisor.start("workflow", vigie + ["workflow"])
    supervisor.start("classify", vigie + ["classify"])
    supervisor.start("alerts", vigie + ["alerts"])
    ingest = vigie + ["ingest"]
    on_finish = None
    if replay is not None:
        ingest += ["--replay", str(replay.path)] + (["--rate", str(rate)] if rate else [])
        if replay.marker is not None:
            on_finish = replay.marker.touch
    # A replay-only ingest exits 0 when the file is done: that is not a failure.
    supervisor.start("ingest", ingest, may_finish=True, on_finish=on_finish)

    base = f"http://{settings.api_host}:{settings.api_port}"
    _print_banner(settings, base, broker, replay, admin_line)
    signal.signal(signal.SIGTERM, lambda *_: supervisor.request_stop())
    signal.signal(signal.SIGINT, lambda *_: supervisor.request_stop())
    threading.Thread(target=_announce_ready, args=(base, supervisor), daemon=True).start()
    code = supervisor.wait()
    typer.echo("vigie: stopped" + ("" if code == 0 else f" (exit {code})"), err=True)
    return code


def _announce_ready(base: str, supervisor: Supervisor) -> None:
    """Print `ready: URL` once the API answers /readyz (the page is usable from then on)."""
    while not supervisor.stopping:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    typer.echo(f"ready: {base}/")
                    sys.stdout.flush()
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)


def _print_banner(
    settings: Settings, base: str, broker: EmbeddedBroker | None, replay: Replay | None,
    admin_line: str,
) -> None:
    where = (
        f"embedded broker (tansu pid {broker.pid}) at {broker.bootstrap_servers}, "
        f"log in {broker.storage}"
        if broker
        else f"Kafka at {settings.kafka_bootstrap_servers}"
    )
    lines = [
        "Vigie is starting:",
        f"  queue and API   {base}/          (OpenAPI: {base}/docs)",
        f"  cases (JSON)    {base}/api/cases",
        f"  metrics         {base}/metrics",
        f"  broker          {where}; topics {settings.topic_prefix}.posts|verdicts|cases",
        f"  database        {_redact(settings.resolved_database_url)}",
        f"  brand config    {settings.brand_config}",
        f"  replay          {replay.path if replay else 'none'}",
        f"  log in          {admin_line}",
        "Ctrl-C stops everything; a `ready:` line follows when the page answers.",
    ]
    typer.echo("\n".join(lines))
    sys.stdout.flush()


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
