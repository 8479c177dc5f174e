"""The shared part of the local platform servers: threaded HTTP, scripted failures, budgets."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

__all__ = ["Logged", "PlatformServer", "Reply", "T0", "iso", "one"]

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Logged:
    method: str
    path: str
    at: float
    status: int
    headers: dict[str, str]


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[Any], None] | None = None  # writes a streaming body until it returns
    hold: threading.Event | None = None  # the answer waits for it (a send cut off mid-way)


class PlatformServer:
    """Threaded HTTP server; subclasses route (method, path, query, body) to a Reply."""

    token = "local-test-token"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Logged] = []
        self.on_request: Callable[[Logged], None] | None = None
        self.scripted: deque[Reply] = deque()
        self.storm_every = 0  # answer every n-th request with 429 when > 0
        self.limit = 450
        self.remaining = self.limit
        self.window = 900.0  # seconds of a rate-limit window
        self._window_ends = time.time() + self.window
        self.revoked = False
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> PlatformServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def fail_next(self, count: int, status: int, reset_in: float = 1.0) -> None:
        """The next `count` requests answer `status` (429s carry a reset `reset_in` s ahead)."""
        with self.lock:
            for _ in range(count):
                self.scripted.append(
                    Reply(
                        status,
                        {"error": "scripted"},
                        self.limit_headers(0, reset_in) if status == 429 else {},
                    )
                )

    def limit_headers(self, remaining: int, reset_in: float) -> dict[str, str]:
        raise NotImplementedError

    def spend(self) -> dict[str, str]:
        """One request of the window spent: the headers that say what is left."""
        now = time.time()
        if now >= self._window_ends:
            self.remaining, self._window_ends = self.limit, now + self.window
        self.remaining = max(0, self.remaining - 1)
        return self.limit_headers(self.remaining, self._window_ends - now)

    def spend_all_but(self, left: int, window: float) -> None:
        """Leave `left` requests in a window that ends in `window` seconds."""
        with self.lock:
            self.remaining, self.window, self._window_ends = left + 1, window, time.time() + window

    def authorized(self, headers: Any) -> bool:
        return headers.get("Authorization") == f"Bearer {self.token}"

    def route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> Reply:
        raise NotImplementedError

    def unauthorized(self) -> Reply:
        return Reply(401, {"error": "The access token was revoked"})

    def _answer(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> Reply:
        with self.lock:
            reply = self._reply(method, path, query, body, headers)
            self.requests.append(
                Logged(method, path, time.time(), reply.status, dict(reply.headers))
            )
            if self.on_request is not None:
                self.on_request(self.requests[-1])
            return reply

    def _reply(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> Reply:
        if self.scripted:
            return self.scripted.popleft()
        if self.storm_every and (len(self.requests) + 1) % self.storm_every == 0:
            return Reply(429, {"error": "storm"}, self.limit_headers(0, 1.0))
        if self.revoked or (not path.endswith("createSession") and not self.authorized(headers)):
            return self.unauthorized()
        return self.route(method, path, query, body, headers)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                kind = self.headers.get("Content-Type") or ""
                body = (
                    json.loads(raw)
                    if raw and "json" in kind
                    else {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                    if raw and "form-urlencoded" in kind
                    else None
                )
                reply = server._answer(
                    method, parsed.path, parse_qs(parsed.query), body, self.headers
                )
                if reply.stream is not None:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    try:
                        reply.stream(self.wfile)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                if reply.hold is not None:
                    reply.hold.wait(120)
                payload = json.dumps(reply.body).encode() if reply.body is not None else b""
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:
                self._serve("PUT")

        return Handler


def one(query: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    values = query.get(name) or query.get(f"{name}[]")
    return values[0] if values else default


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
