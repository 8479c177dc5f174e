"""`vigie ingest`: the ingest service (connectors -> vigie.posts); `vigie status`: source health
and who on the staff roster is current, due or overdue with the social-media policy."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from events.errors import VigieError
from vigie.app import app, fail, load_settings, require_database, run_service


@app.command("ingest")
def ingest(
    replay: Path | None = typer.Option(None, help="Replay a JSONL/CSV file of posts."),
    rate: float | None = typer.Option(
        None, help="Posts per second for the replay; default as fast as possible."
    ),
    kafka: str | None = typer.Option(
        None, help="Kafka bootstrap servers (VIGIE_KAFKA_BOOTSTRAP_SERVERS)."
    ),
) -> None:
    """Run the ingest service: configured connectors (and an optional replay) into vigie.posts."""
    from ingest.service import run

    if rate is not None and rate <= 0:
        fail("--rate must be a positive number of posts per second")
    settings = load_settings(kafka_bootstrap_servers=kafka)
    run_service(lambda s, stop: run(s, stop, replay=replay, rate=rate), settings)


@app.command("status")
def status(
    database_url: str | None = typer.Option(None, help="SQLAlchemy URL (VIGIE_DATABASE_URL)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    staff: bool = typer.Option(
        False, "--staff", help="Only the staff policy standing, every employee of the roster."
    ),
) -> None:
    """Health of each ingest source, then the staff policy standing; exits 1 when a source is
    blind or stopped."""
    if staff:
        from vigie.commands.staff_status import print_staff, staff_standing

        settings = load_settings(database_url=database_url)
        require_database(settings.resolved_database_url)
        try:
            standing = staff_standing(settings)
        except VigieError as exc:
            fail(str(exc))
        if as_json:
            typer.echo(json.dumps(standing, indent=2, ensure_ascii=False))
        else:
            print_staff(standing, everyone=True)
        return
    from events.brand import load_brand_config
    from ingest.health import is_blind, silence_seconds
    from ingest.read_budget import ReadBudget
    from ingest.settings import IngestSettings
    from ingest.store import IngestStore

    settings = IngestSettings.from_base(load_settings(database_url=database_url))
    require_database(settings.resolved_ingest_database_url)
    try:
        caps = load_brand_config(settings.brand_config).brand.read_caps
        store = IngestStore(settings.resolved_ingest_database_url)
        try:
            rows = store.health()
            budgets = {
                source: ReadBudget(source, store, cap=lambda cap=cap: cap).report()
                for source, cap in caps.items()
            }
        finally:
            store.close()
    except VigieError as exc:
        fail(str(exc))
    now = datetime.now(UTC)
    report = [
        {
            "source": r.source,
            "state": r.state,
            "blind": is_blind(r, now),
            "last_success": _iso(r.last_success_at),
            "posts": r.posts_total,
            "errors": r.errors_total,
            "rate_limit_remaining": r.rate_limit_remaining,
            "newest_post": _iso(r.newest_post_at),
            "silent_seconds": round(silence_seconds(r, now)),
            "blind_after_seconds": r.blind_after_seconds,
            "last_error": r.last_error,
            "read_budget": b.as_dict() if (b := budgets.get(r.source)) else None,
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    elif not report:
        typer.echo(
            "no ingest source has reported yet (connectors start with `vigie ingest` or `vigie up`)"
        )
    else:
        _print_table(report, now)
    if not as_json:
        from vigie.commands.staff_status import print_staff, staff_standing

        try:
            print_staff(staff_standing(settings), everyone=False)
        except VigieError as exc:
            typer.echo(f"staff policy: cannot read it: {exc}")
    if any(r["blind"] or r["state"] == "stopped" for r in report):
        raise typer.Exit(1)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _ago(iso: str | None, now: datetime) -> str:
    if iso is None:
        return "never"
    return _duration((now - datetime.fromisoformat(iso)).total_seconds()) + " ago"


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _print_table(report: list[dict[str, Any]], now: datetime) -> None:
    width = max([16] + [len(r["source"]) + 2 for r in report])
    header = (
        f"{'source':<{width}}{'state':<14}{'last success':<16}{'posts':>7}{'errors':>8}"
        f"{'rate left':>11}  silent"
    )
    typer.echo(header)
    for r in report:
        state = "BLIND" if r["blind"] else str(r["state"])
        left = "-" if r["rate_limit_remaining"] is None else str(r["rate_limit_remaining"])
        typer.echo(
            f"{r['source']:<{width}}{state:<14}{_ago(r['last_success'], now):<16}{r['posts']:>7}"
            f"{r['errors']:>8}{left:>11}  {_duration(float(r['silent_seconds']))}"
            + (f" (blind after {_duration(float(r['blind_after_seconds']))})"
               if r["blind_after_seconds"] else "")
        )
        if r["last_error"]:
            typer.echo(f"{'':<{width}}last error: {r['last_error']}")
        if budget := r["read_budget"]:
            pace = (
                f"at this pace it runs out on {budget['runs_out_on']}"
                if budget["runs_out_on"]
                else "it lasts at this pace"
            )
            typer.echo(
                f"{'':<{width}}read budget: {budget['remaining']:,} of {budget['cap']:,} posts left "
                f"until {budget['resets_on']}; {pace}"
            )
