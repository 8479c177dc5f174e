"""`vigie up`'s supervisor with real child processes: a crash is restarted, a crash loop stops all."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

from prometheus_client import REGISTRY

from vigie.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _crashes_once(flag: Path) -> list[str]:
    """Exits 3 the first time (leaving a flag), then runs like a healthy service."""
    code = (f"import pathlib, sys, time; f = pathlib.Path({str(flag)!r})\n"
            "if not f.exists():\n    f.touch(); sys.exit(3)\ntime.sleep(120)")
    return [sys.executable, "-c", code]


def _restarts(service: str) -> float:
    return REGISTRY.get_sample_value("vigie_service_restarts_total", {"service": service}) or 0.0


def _state(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_a_crashed_service_is_restarted_and_the_others_go_on(tmp_path: Path, capsys) -> None:
    state_file = tmp_path / "services.json"
    supervisor = Supervisor(dict(os.environ), grace_seconds=5, state_file=state_file)
    supervisor.start("steady", SLEEPER)
    supervisor.start("flaky", _crashes_once(tmp_path / "crashed"))
    steady_pid = supervisor.children[0].process.pid
    before = _restarts("flaky")
    result: list[int] = []
    waiter = threading.Thread(target=lambda: result.append(supervisor.wait()))
    waiter.start()
    try:
        deadline = time.monotonic() + 30
        seen: set[str] = set()
        while time.monotonic() < deadline and _restarts("flaky") == before:
            seen.add(_state(state_file).get("flaky", ""))
            time.sleep(0.1)
        assert "restarting" in seen, "the state file said so while it waited to restart"
        assert _state(state_file) == {"steady": "running", "flaky": "running"}
        time.sleep(1)  # the restarted one must stay up
        flaky = supervisor.children[1].process
        assert flaky.poll() is None, "restarted and running"
        assert supervisor.children[0].process.pid == steady_pid, "the other service was left alone"
        assert _restarts("flaky") == before + 1
    finally:
        supervisor.request_stop()
        waiter.join(30)
    assert result == [0]
    assert "flaky exited with code 3; restarting it in 1 s (restart 1 of 5" in capsys.readouterr().out


def test_a_service_that_keeps_failing_stops_everything(capsys) -> None:
    supervisor = Supervisor(dict(os.environ), grace_seconds=5, max_restarts=2, backoff_cap=0.5)
    supervisor.start("steady", SLEEPER)
    supervisor.start("broken", [sys.executable, "-c", "import sys; sys.exit(4)"])
    assert supervisor.wait() == 4
    assert supervisor.children[0].process.poll() is not None, "the others were stopped"
    out = capsys.readouterr().out
    assert out.count("broken exited with code 4; restarting it") == 2
    assert "broken keeps failing (2 restarts within 10 min, last exit code 4)" in out
