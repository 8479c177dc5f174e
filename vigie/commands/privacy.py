"""`vigie purge`, `vigie erase`, `vigie export`, `vigie audit-export`: retention, erasure and
access by person, and the audit trail, from the command line (the same as the admin API)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

import typer

from events.errors import VigieError
from vigie.app import app, fail, load_settings

_DB_HELP = "SQLAlchemy URL (VIGIE_DATABASE_URL)."


def _engine(database_url: str | None):  # noqa: ANN202 - sqlalchemy Engine, imported lazily
    from workflow.db import init_db

    settings = load_settings(database_url=database_url)
    try:
        return settings, init_db(settings.resolved_database_url)
    except VigieError as exc:
        fail(str(exc))


def _author(text: str) -> tuple[str, str]:
    from events.pseudonyms import parse_author

    try:
        return parse_author(text)
    except ValueError as exc:
        fail(str(exc))


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not an ISO date or date-time (e.g. 2026-12-01 or 2026-12-01T09:00Z)")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("purge")
def purge_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; delete nothing."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Purge as if it were this date (ISO), e.g. to preview next month."
    ),
    database_url: str | None = typer.Option(None, help=_DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Delete what the brand's retention policy lets go (the workflow service also does it on a
    schedule); cases under legal hold stay."""
    from events.brand import load_brand_config
    from events.schemas import utcnow
    from workflow.retention import purge

    settings, engine = _engine(database_url)
    try:
        policy = load_brand_config(settings.brand_config).retention
        counts = purge(engine, policy, _when(as_of, "--as-of") or utcnow(), dry_run=dry_run)
    except VigieError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps({"dry_run": dry_run, "purged": counts}))
        return
    verb = "would purge" if dry_run else "purged"
    for kind, count in counts.items():
        typer.echo(f"{kind:<18} {getattr(policy, kind):>6}  {verb} {count}")


@app.command("erase")
def erase_command(
    author: str = typer.Option(..., "--author", help="PLATFORM:HANDLE of the person, e.g. x:jdoe."),
    actor: str = typer.Option("cli", help="Who asks (recorded in the audit)."),
    database_url: str | None = typer.Option(None, help=_DB_HELP),
) -> None:
    """Erase everything Vigie holds about one author; their cases stay, pseudonymised, with
    "erased" in the audit, and an `erased` event goes out on vigie.cases."""
    from sqlmodel import Session

    from events.schemas import utcnow
    from workflow.erasure import erase_author
    from workflow.metrics import ERASURES

    platform, handle = _author(author)
    settings, engine = _engine(database_url)
    try:
        with Session(engine) as session:
            result = erase_author(session, platform, handle, actor=actor, now=utcnow())
            session.commit()
        ERASURES.inc()
        sent = _publish(settings, engine)
    except VigieError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    typer.echo(json.dumps(result.as_dict() | {"events_published": sent}))


def _publish(settings, engine) -> int | None:  # noqa: ANN001 - Settings, Engine
    """Publish the erasure events now when a broker is configured (else the workflow service
    publishes them from the outbox)."""
    if not settings.kafka_bootstrap_servers:
        typer.echo("no VIGIE_KAFKA_BOOTSTRAP_SERVERS: the workflow service will publish the "
                   "erasure events", err=True)
        return None
    from events.kafka_io import EventProducer
    from events.runtime import prepare_topics
    from workflow.outbox import OutboxRelay

    prepare_topics(settings)
    producer = EventProducer(settings.kafka_bootstrap_servers, service="cli")
    try:
        return OutboxRelay(engine, producer, settings.topics.cases).publish_pending()
    finally:
        producer.close()


@app.command("export")
def export_command(
    author: str = typer.Option(..., "--author", help="PLATFORM:HANDLE of the person, e.g. x:jdoe."),
    database_url: str | None = typer.Option(None, help=_DB_HELP),
) -> None:
    """Print what Vigie holds about one author, as JSON (a subject access request)."""
    from sqlmodel import Session

    from workflow.erasure import export_author

    platform, handle = _author(author)
    _settings, engine = _engine(database_url)
    try:
        with Session(engine) as session:
            data = export_author(session, platform, handle)
    finally:
        engine.dispose()
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("audit-export")
def audit_export_command(
    since: str | None = typer.Option(None, help="From this date (ISO); default 30 days before --until."),
    until: str | None = typer.Option(None, help="Before this date (ISO); default now."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    database_url: str | None = typer.Option(None, help=_DB_HELP),
) -> None:
    """Print the audit trail of a date range (JSON lines or CSV) on standard output."""
    from sqlmodel import Session

    from workflow.audit_export import audit_entries, render_audit

    if fmt not in ("jsonl", "csv"):
        fail(f"--format: {fmt!r} is not jsonl or csv")
    end = _when(until, "--until") or datetime.now(UTC)
    start = _when(since, "--since") or end - timedelta(days=30)
    if start >= end:
        fail("--since must be before --until")
    _settings, engine = _engine(database_url)
    try:
        with Session(engine) as session:
            for chunk in render_audit(audit_entries(session, start, end), fmt):  # type: ignore[arg-type]
                sys.stdout.write(chunk)
    finally:
        engine.dispose()
