"""Vigie services as real processes for end-to-end tests: start, SIGKILL, restart, read logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from events.broker import free_port
from events.settings import Settings

ADMIN_PASSWORD = "e2e-admin-password"
SAMPLE_STREAM = Path(__file__).resolve().parents[1] / "ingest" / "samples" / "sample_stream.jsonl"


class Services:
    """Starts `python -m vigie.cli <service>` processes and stops them at the end of the test."""

    def __init__(self, settings: Settings, database_url: str, log_dir: Path) -> None:
        self.api_port = free_port()
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "VIGIE_KAFKA_BOOTSTRAP_SERVERS": str(settings.kafka_bootstrap_servers),
            "VIGIE_TOPIC_PREFIX": settings.topic_prefix,
            "VIGIE_GROUP_PREFIX": settings.group_prefix,
            "VIGIE_TOPIC_PARTITIONS": str(settings.topic_partitions),
            "VIGIE_DATA_DIR": str(settings.data_dir),
            "VIGIE_DATABASE_URL": database_url,
            "VIGIE_API_PORT": str(self.api_port),
            "VIGIE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str, instance: str | None = None) -> subprocess.Popen[bytes]:
        """Start `vigie <name> args`; `instance` names a second replica of the same service
        (its key for kill and log)."""
        key = instance or name
        log = open(self.log_dir / f"{key}.log", "ab")  # noqa: SIM115 - kept open by the child
        process = subprocess.Popen(
            [sys.executable, "-m", "vigie.cli", name, *args],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        self.processes[key] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL: no chance to finish the batch or commit."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                pytest.fail(f"{name} did not stop within 20 s of SIGTERM:\n{self.log(name)[-2000:]}")

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def token(self) -> str:
        response = httpx.post(f"{self.api}/api/auth/token",
                              data={"username": "admin", "password": ADMIN_PASSWORD}, timeout=10)
        response.raise_for_status()
        return str(response.json()["access_token"])

    def wait_api(self, timeout: float = 60) -> None:
        wait_until(lambda: _ok(f"{self.api}/readyz"), timeout, lambda: self.log("api"))


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(
    condition: Callable[[], object], timeout: float, explain: Callable[[], str] = lambda: ""
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"condition not met within {timeout}s\n{explain()[-3000:]}")
