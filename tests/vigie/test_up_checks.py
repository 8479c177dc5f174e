"""`vigie up` names an unusable data folder, database file or busy port at once, before it starts
anything; and picks the demo sample only where a demo is."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from events.broker import free_port
from events.settings import Settings
from vigie.cli import app
from vigie.commands.up import SAMPLE_MARKER, SAMPLE_STREAM, _choose_replay

runner = CliRunner()


def _up(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["up", "--port", str(free_port()), *args], env=env)
    return result.exit_code, result.output


def test_an_unusable_data_folder_is_named(tmp_path: Path) -> None:
    code, output = _up({"VIGIE_DATA_DIR": "/proc/vigie-x"})
    assert code == 2
    assert output.count("\n") == 1 and "data folder /proc/vigie-x is not usable" in output


def test_a_database_that_is_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "vigie.db").mkdir()
    code, output = _up({"VIGIE_DATA_DIR": str(tmp_path)})
    assert code == 2
    assert output.count("\n") == 1 and f"database {tmp_path / 'vigie.db'} is not a file" in output


def test_a_busy_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = runner.invoke(app, ["up", "--port", str(port)],
                               env={"VIGIE_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is not free" in result.output
    assert not (tmp_path / "vigie.db").exists()  # nothing was started or created


def test_a_blank_admin_password_is_refused(tmp_path: Path) -> None:
    code, output = _up({"VIGIE_DATA_DIR": str(tmp_path), "VIGIE_ADMIN_PASSWORD": "  "})
    assert code == 2 and "VIGIE_ADMIN_PASSWORD: the admin password is blank" in output


@pytest.mark.parametrize(
    ("overrides", "sample", "marked", "expected"),
    [
        ({}, None, False, "sample"),  # embedded defaults, first start
        ({}, None, True, None),  # embedded defaults, restart: the sample is already there
        ({}, True, True, "sample"),  # asked again
        ({}, False, False, None),
        ({"kafka_bootstrap_servers": "kafka:9092"}, None, False, None),
        ({"database_url": "postgresql+psycopg://db/vigie"}, None, False, None),
        ({"database_url": "postgresql+psycopg://db/vigie"}, True, False, "sample"),
    ],
)
def test_the_sample_is_replayed_only_on_embedded_defaults_once(
    tmp_path: Path, overrides: dict[str, str], sample: bool | None, marked: bool, expected: str | None
) -> None:
    embedded: dict[str, str | None] = {"kafka_bootstrap_servers": None, "database_url": None}
    settings = Settings(data_dir=tmp_path, **(embedded | overrides))
    if marked:
        (tmp_path / SAMPLE_MARKER).touch()
        (tmp_path / "vigie.db").touch()
    chosen = _choose_replay(settings, sample, None)
    if expected is None:
        assert chosen is None
    else:
        assert chosen is not None and chosen.path == SAMPLE_STREAM
        assert chosen.marker == tmp_path / SAMPLE_MARKER


def test_a_marker_without_its_database_is_stale(tmp_path: Path) -> None:
    """A deleted database gets the sample again, whatever the folder says."""
    (tmp_path / SAMPLE_MARKER).touch()
    chosen = _choose_replay(Settings(data_dir=tmp_path, kafka_bootstrap_servers=None,
                                     database_url=None), None, None)
    assert chosen is not None and chosen.path == SAMPLE_STREAM


def test_a_replay_file_is_always_replayed_and_never_marked(tmp_path: Path) -> None:
    (tmp_path / SAMPLE_MARKER).touch()
    own = tmp_path / "posts.jsonl"
    chosen = _choose_replay(Settings(data_dir=tmp_path, database_url=None), None, own)
    assert chosen is not None and chosen.path == own and chosen.marker is None
