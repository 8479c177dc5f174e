"""Run the services of `vigie up` as child processes and stop them together."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

from events.runtime import die_with_parent

log = logging.getLogger(__name__)


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]
    may_finish: bool
    on_finish: Callable[[], None] | None = None


class Supervisor:
    """Starts named services; if one fails, or a stop is requested, stops all of them."""

    def __init__(self, env: dict[str, str], *, grace_seconds: float = 20) -> None:
        self.env = env
        self.grace_seconds = grace_seconds
        self.children: list[_Child] = []
        self._stop = threading.Event()

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
        # A session of its own: Ctrl-C reaches only `vigie up`, which then stops the services in
        # order (each finishes its batch and commits while the broker is still up).
        process = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL,
                                   preexec_fn=die_with_parent, start_new_session=True)
        self.children.append(_Child(name, process, may_finish, on_finish))
        log.info("started %s (pid %d)", name, process.pid)

    def request_stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait(self) -> int:
        """Block until a stop is requested or a service fails; then stop all. Returns an exit code."""
        code = 0
        while not self._stop.wait(0.5):
            failed = self._failed_child()
            if failed is not None:
                code = failed.process.returncode or 1
                print(f"vigie: {failed.name} exited with code {failed.process.returncode}; "
                      "stopping the other services", flush=True)
                break
        self.stop_all()
        return code

    def _failed_child(self) -> _Child | None:
        for child in self.children:
            rc = child.process.poll()
            if rc == 0 and child.on_finish is not None and not self._stop.is_set():
                done, child.on_finish = child.on_finish, None
                done()
            if rc is not None and not (rc == 0 and child.may_finish):
                return child
        return None

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
