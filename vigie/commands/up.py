"""`vigie up`: the whole pipeline in one process tree, on embedded defaults or external parts."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sys
from importlib.resources import files
from pathlib import Path

import typer

from events.brand import load_brand_config
from events.broker import EmbeddedBroker
from events.errors import VigieError
from events.private_files import private_dir
from events.runtime import prepare_topics
from events.settings import Settings
from vigie.app import app, fail, load_settings
from vigie.supervisor import Supervisor

SAMPLE_STREAM = Path(str(files("ingest") / "samples" / "sample_stream.jsonl"))


@app.command("up")
def up(
    kafka: str | None = typer.Option(
        None, help="External Kafka bootstrap servers; default: start the embedded broker."
    ),
    database_url: str | None = typer.Option(
        None, help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; default: SQLite file."
    ),
    port: int | None = typer.Option(None, help="Web/API port (default 8000)."),
    sample: Path | None = typer.Option(
        SAMPLE_STREAM, help="Posts to replay at start (JSONL/CSV); --no-sample for none."
    ),
    no_sample: bool = typer.Option(False, "--no-sample", help="Do not replay any file."),
    rate: float | None = typer.Option(
        None, help="Replay rate in posts/s; default as fast as possible."
    ),
) -> None:
    """Start the broker (unless external), ingest, classify, workflow, alerts and the web/API."""
    settings = load_settings(
        kafka_bootstrap_servers=kafka, database_url=database_url, api_port=port
    )
    try:
        load_brand_config(settings.brand_config)
    except VigieError as exc:
        fail(str(exc))
    replay = None if no_sample else sample
    if replay is not None and not replay.is_file():
        fail(f"sample stream {replay} does not exist")
    private_dir(settings.data_dir)  # the database, logs and metrics hold personal data: 0700
    broker = None
    try:
        if not settings.kafka_bootstrap_servers:
            broker = EmbeddedBroker(log_file=settings.data_dir / "broker.log").start()
            settings = settings.model_copy(
                update={"kafka_bootstrap_servers": broker.bootstrap_servers}
            )
        prepare_topics(settings)
        code = _run_services(settings, replay, rate, broker)
    except VigieError as exc:
        fail(str(exc))
    finally:
        if broker is not None:
            broker.stop()
    raise typer.Exit(code)


def _child_environment(settings: Settings) -> tuple[dict[str, str], str | None]:
    """The environment every service inherits; returns it with a generated admin password, if any."""
    env = dict(os.environ)
    env["VIGIE_KAFKA_BOOTSTRAP_SERVERS"] = str(settings.kafka_bootstrap_servers)
    env["VIGIE_DATABASE_URL"] = settings.resolved_database_url
    env["VIGIE_API_PORT"] = str(settings.api_port)
    env["VIGIE_DATA_DIR"] = str(settings.data_dir)
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)  # stale files from a previous run would add up
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    generated = None
    if settings.admin_password is None:
        generated = secrets.token_urlsafe(12)
        env["VIGIE_ADMIN_PASSWORD"] = generated
    return env, generated


def _run_services(
    settings: Settings, replay: Path | None, rate: float | None, broker: EmbeddedBroker | None
) -> int:
    env, generated_password = _child_environment(settings)
    vigie = [sys.executable, "-m", "vigie.cli"]
    supervisor = Supervisor(env)
    supervisor.start("api", vigie + ["api"])
    supervisor.start("workflow", vigie + ["workflow"])
    supervisor.start("classify", vigie + ["classify"])
    supervisor.start("alerts", vigie + ["alerts"])
    ingest = vigie + ["ingest"]
    if replay is not None:
        ingest += ["--replay", str(replay)] + (["--rate", str(rate)] if rate else [])
    # A replay-only ingest exits 0 when the file is done: that is not a failure.
    supervisor.start("ingest", ingest, may_finish=True)

    base = f"http://{settings.api_host}:{settings.api_port}"
    _print_banner(settings, base, broker, generated_password)
    signal.signal(signal.SIGTERM, lambda *_: supervisor.request_stop())
    signal.signal(signal.SIGINT, lambda *_: supervisor.request_stop())
    code = supervisor.wait()
    typer.echo("vigie: stopped" + ("" if code == 0 else f" (exit {code})"), err=True)
    return code


def _print_banner(
    settings: Settings, base: str, broker: EmbeddedBroker | None, password: str | None
) -> None:
    where = (
        f"embedded broker (tansu pid {broker.pid}) at {broker.bootstrap_servers}"
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
    ]
    if password:
        lines.append(f"  log in          admin / {password}   (set VIGIE_ADMIN_PASSWORD to choose)")
    lines.append("Ctrl-C stops everything.")
    typer.echo("\n".join(lines))
    sys.stdout.flush()


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
