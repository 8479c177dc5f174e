"""`vigie check-config`: validate a brand configuration file before deploying it."""

from __future__ import annotations

from pathlib import Path

import typer

from events.brand import load_brand_config
from events.errors import ConfigError
from vigie.app import app, fail


@app.command("check-config")
def check_config(path: Path = typer.Argument(..., help="Brand configuration file (YAML).")) -> None:
    """Validate a brand configuration file; print what it defines, or where it is wrong."""
    try:
        config = load_brand_config(path)
    except ConfigError as exc:
        fail(str(exc))
    typer.echo(
        f"{path}: valid — brand {config.brand.name!r}, {len(config.staff)} staff accounts, "
        f"{len(config.teams)} teams, {len(config.routing)} routing rules, "
        f"{len(config.sla_policies)} SLA policies"
    )
