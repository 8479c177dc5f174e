"""Commands that need no model, no Kafka and no web stack do not load them (they start in a
fraction of a second; benchmarks/cli_startup.py measures it)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from events.settings import BUNDLED_BRAND_CONFIG

HEAVY = ("sklearn", "numpy", "kafka", "fastapi", "uvicorn", "alembic", "sqlalchemy", "classify",
         "prometheus_client", "workflow.db", "workflow.api", "workflow.service")


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["check-config", "--help"],
        ["check-config", str(BUNDLED_BRAND_CONFIG)],
        ["check-draft", "--help"],
        ["up", "--help"],
    ],
)
def test_light_commands_import_nothing_heavy(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "vigie.cli", *argv],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    loaded = sorted(name for name in imported if name.startswith(HEAVY))
    assert not loaded, loaded


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    result = subprocess.run([sys.executable, "-m", "vigie.cli", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"vigie {version('vigie')}"
