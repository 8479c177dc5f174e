"""Replay of a JSONL or CSV file of post records (backfills and demos) into the posts topic.

A line that cannot become a Post is not lost: it goes to the posts dead-letter topic with its raw
bytes, the reason (file and line) in `dlq-reason` and `replay-file`/`replay-line` headers, and the
replay goes on. A post id met twice in the file is produced once.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from events.errors import ConfigError, SchemaError, TransientError
from events.kafka_io import Backoff
from events.records import record_from_csv_row
from events.schemas import Post
from ingest import metrics
from ingest.errors import PayloadError
from ingest.normalize.record import post_from_record
from ingest.publish import Publisher

__all__ = ["ReplayResult", "replay_file"]

log = logging.getLogger(__name__)

SOURCE = "replay"
_BATCH = 500


@dataclass
class ReplayResult:
    lines: int = 0
    produced: int = 0
    dead_lettered: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class _Line:
    number: int
    raw: bytes
    post: Post | None
    error: str | None


def replay_file(
    path: Path,
    *,
    publisher: Publisher,
    stop: threading.Event,
    rate: float | None = None,
) -> ReplayResult:
    """Produce every post of the file (at `rate` posts/s, or as fast as possible)."""
    if rate is not None and rate <= 0:
        raise ConfigError(f"replay rate must be positive, got {rate}")
    result, seen = ReplayResult(), set[str]()
    pending: list[Post] = []
    started = time.monotonic()
    for line in _lines(path):
        if stop.is_set():
            log.info("replay of %s stopped at line %d", path, line.number)
            break
        result.lines += 1
        if line.post is None:
            origin = [("replay-file", str(path).encode()), ("replay-line", str(line.number).encode())]
            why = f"{path.name}:{line.number}: {line.error}"
            send = partial(publisher.dead_letter, line.raw, why, origin=origin)
            if _until_sent(send, stop):
                result.dead_lettered += 1
            continue
        if rate is not None and (delay := started + len(seen) / rate - time.monotonic()) > 0:
            _flush(publisher, pending, result, stop)
            stop.wait(delay)
        if line.post.post_id not in seen:
            seen.add(line.post.post_id)
            pending.append(line.post)
        if len(pending) >= _BATCH:
            _flush(publisher, pending, result, stop)
    _flush(publisher, pending, result, stop)
    result.skipped = result.lines - result.dead_lettered - result.produced
    metrics.REPLAY_LINES.labels("ok").inc(result.produced)
    metrics.REPLAY_LINES.labels("dead_letter").inc(result.dead_lettered)
    metrics.REPLAY_LINES.labels("skipped").inc(result.skipped)
    log.info(
        "replayed %s: %d lines, %d posts, %d dead-lettered, %d skipped",
        path,
        result.lines,
        result.produced,
        result.dead_lettered,
        result.skipped,
    )
    return result


def _flush(publisher: Publisher, pending: list[Post], result: ReplayResult, stop: threading.Event) -> None:
    posts = publisher.prepare(pending, source=SOURCE)
    if _until_sent(lambda: publisher.send(posts, source=SOURCE), stop):
        result.produced += len(posts)
        pending.clear()


def _until_sent(call: Callable[[], None], stop: threading.Event) -> bool:
    """Run `call` until the broker acknowledged it (a broker restart is waited out, with
    backoff); False only when stopped first, so the replay ends where it really stopped."""
    backoff = Backoff(cap=10.0)
    while not stop.is_set():
        try:
            call()
            return True
        except TransientError as exc:
            delay = backoff.next_delay()
            log.warning("replay: %s; retrying in %.1fs", exc, delay)
            stop.wait(delay)
    return False


def _lines(path: Path) -> Iterator[_Line]:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return _jsonl_lines(path)
    if suffix == ".csv":
        return _csv_lines(path)
    raise ConfigError(
        f"{path}: cannot replay a {suffix or 'suffix-less'} file (use .jsonl or .csv)"
    )


def _open(path: Path, mode: str, **kwargs: Any) -> IO[Any]:
    try:
        return open(path, mode, **kwargs)  # noqa: SIM115 - closed by the caller's with
    except OSError as exc:
        raise ConfigError(f"cannot open replay file {path}: {exc}") from exc


def _jsonl_lines(path: Path) -> Iterator[_Line]:
    collected_by = f"replay:{path.name}"
    with _open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            try:
                post = post_from_record(json.loads(raw.decode("utf-8")), collected_by=collected_by)
            except (
                ValueError,
                PayloadError,
            ) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                yield _Line(number, raw, None, _why(exc))
            else:
                yield _Line(number, raw, post, None)


def _csv_lines(path: Path) -> Iterator[_Line]:
    collected_by = f"replay:{path.name}"
    with _open(path, "r", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            fieldnames, start = list(reader.fieldnames or []), reader.line_num + 1
            for row in reader:
                raw = _row_bytes(fieldnames, row)
                try:
                    post = post_from_record(record_from_csv_row(row), collected_by=collected_by)
                except SchemaError as exc:  # PayloadError is one
                    yield _Line(start, raw, None, _why(exc))
                else:
                    yield _Line(start, raw, post, None)
                start = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}:{reader.line_num}: not readable as CSV: {exc}") from exc


def _row_bytes(fieldnames: list[str], row: dict[str | None, Any]) -> bytes:
    """The row as one CSV line (quoted as needed), the closest thing to its raw bytes."""
    out = io.StringIO()
    cells = [row.get(name, "") for name in fieldnames] + list(row.get(None) or [])
    csv.writer(out).writerow(cells)
    return out.getvalue().rstrip("\r\n").encode("utf-8")


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg} at column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8: {exc.reason} at byte {exc.start}"
    return str(exc)
