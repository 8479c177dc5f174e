"""`vigie check-config`: validate a brand configuration file before deploying it."""

from __future__ import annotations

from pathlib import Path

import typer

from events.brand import BrandConfig, brand_config_warnings, load_brand_config
from events.errors import ConfigError
from vigie.app import app, fail, fail_on_settings, plural


def warnings_of(path: Path, config: BrandConfig) -> list[str]:
    """What in a valid file cannot work, judged with the workflow's review labels."""
    from pydantic import ValidationError

    from workflow.config import WorkflowSettings

    try:
        review = WorkflowSettings().review
    except ValidationError as exc:
        fail_on_settings(exc)
    return brand_config_warnings(path, config, review_labels=review)


def echo_warnings(warnings: list[str]) -> None:
    for line in warnings:
        typer.secho(f"warning: {line}", err=True, fg=typer.colors.YELLOW)


@app.command("check-config")
def check_config(path: Path = typer.Argument(..., help="Brand configuration file (YAML).")) -> None:
    """Validate a brand configuration file; print what it defines, or where it is wrong.

    Errors (exit 2) stop `vigie up`; warnings (file:line, exit 0) name what would not work, such
    as a label needing a second reviewer owned by a team of one."""
    try:
        config = load_brand_config(path)
    except ConfigError as exc:
        fail(str(exc))
    warnings = warnings_of(path, config)
    typer.echo(
        f"{path}: valid — brand {config.brand.name!r}, {plural(len(config.staff), 'staff account')}, "
        f"{plural(len(config.teams), 'team')}, {plural(len(config.routing), 'routing rule')}, "
        f"{plural(len(config.sla_policies), 'SLA policy', 'SLA policies')}, "
        f"{plural(sum(map(len, config.replies.templates.values())), 'reply template')}"
        + (f"; {plural(len(warnings), 'warning')}" if warnings else "")
    )
    echo_warnings(warnings)
