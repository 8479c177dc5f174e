"""Liveness and readiness of a service's own loops, not of the thread that serves /metrics.

Each long-running loop (a consumer, a poller, a clock) beats on every pass. A service is *live*
while every loop it registered has beaten recently: a consumer stuck in a handler, or a dead
thread, fails the liveness probe and gets restarted. It is *ready* while no loop is waiting out a
failure (a broker or database outage): readiness turns false during the outage and back by
itself, so an orchestrator stops routing to it without killing it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from prometheus_client import Gauge

__all__ = ["HEALTH", "LoopHealth"]

LOOP_HEARTBEAT = Gauge(
    "vigie_loop_heartbeat_timestamp_seconds",
    "When a service loop last made progress (Unix time); a stale value means a stuck loop.",
    ["loop"],
    multiprocess_mode="max",
)
LOOP_READY = Gauge(
    "vigie_loop_ready",
    "1 while a service loop works normally, 0 while it waits out a failure.",
    ["loop"],
    multiprocess_mode="min",
)

STALE_AFTER = 120.0
"""Seconds without a beat after which a loop counts as stuck (a batch never takes this long)."""


@dataclass
class _Loop:
    last_beat: float
    problem: str | None = None


class LoopHealth:
    def __init__(self, stale_after: float = STALE_AFTER) -> None:
        self.stale_after = stale_after
        self._loops: dict[str, _Loop] = {}
        self._lock = threading.Lock()

    def beat(self, loop: str) -> None:
        """The loop is alive (call on every pass, also while it waits on purpose)."""
        with self._lock:
            state = self._loops.setdefault(loop, _Loop(time.monotonic()))
            state.last_beat = time.monotonic()
        LOOP_HEARTBEAT.labels(loop).set_to_current_time()

    def trouble(self, loop: str, problem: str) -> None:
        """The loop waits out a failure: alive, not ready."""
        self.beat(loop)
        with self._lock:
            self._loops[loop].problem = problem
        LOOP_READY.labels(loop).set(0)

    def recovered(self, loop: str) -> None:
        self.beat(loop)
        with self._lock:
            self._loops[loop].problem = None
        LOOP_READY.labels(loop).set(1)

    def done(self, loop: str) -> None:
        """The loop ended on purpose (stop requested): forget it."""
        with self._lock:
            self._loops.pop(loop, None)

    def live(self) -> tuple[bool, dict[str, str]]:
        now = time.monotonic()
        with self._lock:
            detail = {
                name: "stuck" if now - s.last_beat > self.stale_after else "ok"
                for name, s in self._loops.items()
            }
        return all(v == "ok" for v in detail.values()), detail

    def ready(self) -> tuple[bool, dict[str, str]]:
        alive, detail = self.live()
        with self._lock:
            for name, state in self._loops.items():
                if state.problem and detail.get(name) == "ok":
                    detail[name] = state.problem
        return alive and all(v == "ok" for v in detail.values()), detail


HEALTH = LoopHealth()
"""The process's loops (one process runs one service)."""
