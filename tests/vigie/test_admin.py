"""The admin password: settled by VIGIE_ADMIN_PASSWORD, reset from the command line, never blank."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select
from typer.testing import CliRunner

from events.settings import Settings
from vigie.cli import app
from workflow.auth import issue_token, resolve_token, verify_password
from workflow.db import init_db
from workflow.models import User
from workflow.seed import admin_exists, ensure_admin, set_password

runner = CliRunner()


def _stored_hash(engine, username: str = "admin") -> str | None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return user.password_hash


def test_the_variable_creates_then_replaces_the_admin_password(database_url: str) -> None:
    engine = init_db(database_url)
    assert not admin_exists(engine)
    assert ensure_admin(engine, None) is None and not admin_exists(engine)
    assert ensure_admin(engine, SecretStr("first-pass-1")) == "created"
    assert ensure_admin(engine, SecretStr("first-pass-1")) == "unchanged"
    assert ensure_admin(engine, SecretStr("second-pass-2")) == "updated"
    stored = _stored_hash(engine)
    assert verify_password("second-pass-2", stored) and not verify_password("first-pass-1", stored)
    engine.dispose()


def test_set_password_ends_every_session_and_token_and_is_logged(database_url: str) -> None:
    from datetime import timedelta

    from events.schemas import utcnow
    from workflow.models import SecurityEvent

    engine = init_db(database_url)
    ensure_admin(engine, SecretStr("first-pass-1"))
    day = timedelta(days=1)
    with Session(engine) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        login, _ = issue_token(session, admin, kind="session", now=utcnow(), ttl=day)
        api, _ = issue_token(session, admin, kind="api", now=utcnow(), ttl=day, name="crm")
        session.commit()
    assert set_password(engine, "admin", "second-pass-2")
    assert not set_password(engine, "nobody", "second-pass-2")
    with Session(engine) as session:
        assert resolve_token(session, login, now=utcnow()) is None
        assert resolve_token(session, api, now=utcnow()) is None, "whoever had the old password"
        events = session.exec(select(SecurityEvent)).all()
        assert [(e.kind, e.username, e.actor) for e in events] == [("password_reset", "admin", "cli")]
    assert verify_password("second-pass-2", _stored_hash(engine))
    engine.dispose()


def _env(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    env = {"VIGIE_DATA_DIR": str(tmp_path / "var")}
    if database_url:
        env["VIGIE_DATABASE_URL"] = database_url
    return env


def test_reset_password_from_stdin_and_generated(database_url: str, tmp_path: Path) -> None:
    engine = init_db(database_url)
    ensure_admin(engine, SecretStr("first-pass-1"))
    env = _env(tmp_path, database_url)
    result = runner.invoke(app, ["admin", "reset-password", "--password-stdin"],
                           input="typed-pass-3\n", env=env)
    assert result.exit_code == 0, result.output
    assert verify_password("typed-pass-3", _stored_hash(engine))

    result = runner.invoke(app, ["admin", "reset-password", "--generate"], env=env)
    assert result.exit_code == 0, result.output
    generated = result.output.split("new password: ")[1].strip()
    stored = _stored_hash(engine)
    assert len(generated) >= 12 and verify_password(generated, stored)
    assert not verify_password("typed-pass-3", stored)
    engine.dispose()


def test_reset_password_asks_twice(database_url: str, tmp_path: Path) -> None:
    engine = init_db(database_url)
    env = _env(tmp_path, database_url)
    mismatch = runner.invoke(app, ["admin", "reset-password"],
                             input="asked-pass-4\nother-pass-5\nasked-pass-4\nasked-pass-4\n", env=env)
    assert mismatch.exit_code == 0, mismatch.output
    assert "do not match" in mismatch.output.lower()
    # No admin yet: the command creates it, so a lost first password never locks anyone out.
    assert verify_password("asked-pass-4", _stored_hash(engine))
    engine.dispose()


@pytest.mark.parametrize("typed", ["", "   ", "changeme"])
def test_reset_password_refuses_a_blank_or_placeholder(
    typed: str, database_url: str, tmp_path: Path
) -> None:
    engine = init_db(database_url)
    ensure_admin(engine, SecretStr("first-pass-1"))
    result = runner.invoke(app, ["admin", "reset-password", "--password-stdin"],
                           input=typed + "\n", env=_env(tmp_path, database_url))
    assert result.exit_code == 2
    assert "blank" in result.output or "placeholder" in result.output
    assert verify_password("first-pass-1", _stored_hash(engine))
    engine.dispose()


def test_reset_password_names_an_unknown_user(database_url: str, tmp_path: Path) -> None:
    init_db(database_url).dispose()
    result = runner.invoke(app, ["admin", "reset-password", "--username", "bob", "--generate"],
                           env=_env(tmp_path, database_url))
    assert result.exit_code == 1
    assert "no user 'bob'" in result.output and "new password" not in result.output


def test_reset_password_and_status_do_not_create_a_database(tmp_path: Path) -> None:
    database = tmp_path / "var" / "vigie.db"
    for argv in (["admin", "reset-password", "--generate"], ["status"]):
        result = runner.invoke(app, argv, env=_env(tmp_path))
        assert result.exit_code == 2
        assert f"no database found at {database}" in result.output
        assert not database.exists() and not database.parent.exists()


def test_a_blank_admin_variable_is_refused() -> None:
    with pytest.raises(ValueError, match="admin password is blank"):
        Settings(admin_password=SecretStr("  \t"))
