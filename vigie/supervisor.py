"""Run the services of `vigie up` as child processes: restart one that crashes, stop them together.

A service that exits unexpectedly (a crash, a kill -9, the OOM killer) is started again after a
backoff (1 s, 2 s, 4 s … 30 s), with a line on the console and `vigie_service_restarts_total`;
the others go on, and since every service commits only what it finished, the restarted one picks
up where it stopped. Only a service that keeps failing (`max_restarts` within `window_seconds`)
stops everything, with the reason.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from events.runtime import die_with_parent

log = logging.getLogger(__name__)


@dataclass
class _Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes]
    may_finish: bool
    on_finish: Callable[[], None] | None = None
    restarts: deque[float] = field(default_factory=deque)
    restart_at: float | None = None


class Supervisor:
    """Starts named services, restarts one that crashes, and stops them all on request or when
    one keeps failing."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        grace_seconds: float = 20,
        max_restarts: int = 5,
        window_seconds: float = 600,
        backoff_cap: float = 30,
        state_file: Path | None = None,
    ) -> None:
        self.env = env
        self.state_file = state_file
        self.grace_seconds = grace_seconds
        self.max_restarts = max_restarts
        self.window_seconds = window_seconds
        self.backoff_cap = backoff_cap
        self.children: list[_Child] = []
        self._stop = threading.Event()
        self._restarts_metric = _restart_counter()

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        may_finish: bool = False,
        on_finish: Callable[[], None] | None = None,
    ) -> None:
        """Start a service; `on_finish` runs once if it ends by itself with code 0 (before any
        stop was asked, so it finished its work rather than being interrupted)."""
        self.children.append(_Child(name, argv, self._spawn(name, argv), may_finish, on_finish))
        self._write_state()

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C reaches only `vigie up`, which then stops the services in
        # order (each finishes its batch and commits while the broker is still up).
        process = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL,
                                   preexec_fn=die_with_parent, start_new_session=True)
        log.info("started %s (pid %d)", name, process.pid)
        return process

    def request_stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait(self) -> int:
        """Block until a stop is requested or a service keeps failing; then stop all. Returns
        an exit code."""
        code = 0
        while not self._stop.wait(0.5):
            failing = self._tend()
            if failing is not None:
                code = failing.process.returncode or 1
                print(f"vigie: {failing.name} keeps failing ({self.max_restarts} restarts within "
                      f"{self.window_seconds / 60:.0f} min, last exit code "
                      f"{failing.process.returncode}); stopping the other services", flush=True)
                break
        self.stop_all()
        return code

    def _tend(self) -> _Child | None:
        """Restart what crashed (once its backoff is over); the child that keeps failing, if any."""
        now = time.monotonic()
        for child in self.children:
            rc = child.process.poll()
            if rc is None:
                continue
            if rc == 0 and child.may_finish:
                if child.on_finish is not None and not self._stop.is_set():
                    done, child.on_finish = child.on_finish, None
                    done()
                continue
            if child.restart_at is None:
                while child.restarts and now - child.restarts[0] > self.window_seconds:
                    child.restarts.popleft()
                if len(child.restarts) >= self.max_restarts:
                    return child
                delay = min(self.backoff_cap, 2.0 ** len(child.restarts))
                child.restart_at = now + delay
                print(f"vigie: {child.name} exited with code {rc}; restarting it in {delay:.0f} s "
                      f"(restart {len(child.restarts) + 1} of {self.max_restarts} within "
                      f"{self.window_seconds / 60:.0f} min)", flush=True)
                self._write_state()
            elif now >= child.restart_at:
                child.restarts.append(now)
                child.restart_at = None
                child.process = self._spawn(child.name, child.argv)
                self._write_state()
                self._restarts_metric.labels(child.name).inc()
        return None

    def _write_state(self) -> None:
        """Which services run and which wait for a restart, for the API's /readyz (replaced
        atomically, so a reader never sees half a file)."""
        if self.state_file is None:
            return
        state = {
            child.name: "restarting" if child.restart_at is not None else "running"
            for child in self.children
            if not (child.may_finish and child.process.poll() == 0)
        }
        partial = self.state_file.with_suffix(".tmp")
        partial.write_text(json.dumps(state), encoding="utf-8")
        os.replace(partial, self.state_file)

    def stop_all(self) -> None:
        """SIGTERM everyone (each finishes its batch and commits), then SIGKILL stragglers."""
        self._stop.set()
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.process.wait(self.grace_seconds)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %ss, killing it", child.name, self.grace_seconds)
                child.process.kill()
                child.process.wait()


def _restart_counter():  # noqa: ANN202 - a prometheus Counter, imported here (light CLI)
    """Counted in the services' multiprocess directory (set before this is called), so the
    API's /metrics shows it with every other process's figures."""
    from prometheus_client import Counter

    try:
        return Counter("vigie_service_restarts_total",
                       "Services of `vigie up` restarted after an unexpected exit.", ["service"])
    except ValueError:  # already registered (several supervisors in one process: tests)
        from prometheus_client import REGISTRY

        return REGISTRY._names_to_collectors["vigie_service_restarts_total"]  # noqa: SLF001
