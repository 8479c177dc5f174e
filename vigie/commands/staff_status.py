"""The staff policy part of `vigie status`: who on the roster is current, due or overdue."""

from __future__ import annotations

from typing import Any

import typer

from events.settings import Settings


def staff_standing(settings: Settings) -> dict[str, Any] | None:
    """The policy and each employee's standing, most urgent first; None without a policy.
    Reads only: employees the workflow has not seen yet count from now, nothing is written."""
    from sqlmodel import Session

    from events.brand import load_brand_config
    from events.schemas import utcnow
    from vigie.app import open_database
    from workflow.staff_policy import roster_standing

    config = load_brand_config(settings.brand_config)
    if config.staff_policy is None:
        return None
    engine = open_database(settings.resolved_database_url)
    try:
        with Session(engine) as session:
            found = roster_standing(session, config, utcnow())
            session.rollback()
    finally:
        engine.dispose()
    return {
        "version": config.staff_policy.version,
        "url": config.staff_policy.url,
        "staff": [
            {
                "staff_id": s.staff_id,
                "name": s.name,
                "status": s.status,
                "accepted_version": s.accepted_version,
                "accepted_at": s.accepted_at.isoformat(timespec="seconds") if s.accepted_at else None,
                "due_at": s.due_at.isoformat(timespec="seconds"),
            }
            for s in found
        ],
    }


def print_staff(report: dict[str, Any] | None, *, everyone: bool) -> None:
    """One summary line; then the people due or overdue (everyone with `everyone`)."""
    if report is None:
        typer.echo("staff policy: none configured (staff_policy in the brand file)")
        return
    counts = {k: sum(1 for s in report["staff"] if s["status"] == k) for k in ("current", "due", "overdue")}
    typer.echo(
        f"staff policy {report['version']}: {counts['current']} current, {counts['due']} due, "
        f"{counts['overdue']} overdue"
    )
    for s in report["staff"]:
        if everyone or s["status"] != "current":
            accepted = f"accepted {s['accepted_version']} on {s['accepted_at'][:10]}" if (
                s["accepted_at"]) else "never accepted"
            typer.echo(f"  {s['status']:<8} {s['name']:<28} due {s['due_at'][:10]}  {accepted}")
