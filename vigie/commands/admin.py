"""`vigie admin reset-password`: set a user's password from the command line (a lost admin
password never locks anyone out)."""

from __future__ import annotations

import secrets
import sys

import typer

from events.errors import VigieError
from events.settings import weak_password_reason
from vigie.app import app, fail, load_settings, open_database, require_database

admin_app = typer.Typer(help="Administration from the command line.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


@admin_app.command("reset-password")
def reset_password(
    username: str = typer.Option("admin", "--username", help="Whose password to set."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from the first line of stdin."
    ),
    generate: bool = typer.Option(
        False, "--generate", help="Generate a password and print it (once)."
    ),
    database_url: str | None = typer.Option(None, help="SQLAlchemy URL (VIGIE_DATABASE_URL)."),
) -> None:
    """Set a user's password (asked twice unless --password-stdin or --generate); their login
    sessions and API tokens end. `admin` is created if it does not exist."""
    if password_stdin and generate:
        fail("--password-stdin and --generate exclude each other")
    settings = load_settings(database_url=database_url)
    require_database(settings.resolved_database_url)
    if generate:
        password = secrets.token_urlsafe(12)
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    if reason := weak_password_reason(password):
        fail(reason.replace("the admin password", "the password"))

    try:
        engine = open_database(settings.resolved_database_url)
        from workflow.seed import set_password

        found = set_password(engine, username, password, create_admin=True)
        engine.dispose()
    except VigieError as exc:
        fail(str(exc))
    if not found:
        fail(f"no user {username!r} (users are created by an admin: settings page or POST /api/users)",
             code=1)
    typer.echo(f"password of {username!r} set; their login sessions have ended")
    if generate:
        typer.echo(f"new password: {password}")
