"""The whole pipeline under injected faults, for the fault suite (tests/faults) and its benchmark.

One `FaultPipeline` runs every service as its own process (tests/processes.py) on its own
embedded broker with durable storage, on SQLite or PostgreSQL, with a local receiver for the
alert webhook. Each round replays one copy of a stream of made-up posts (fresh post and thread
ids per round, so rounds never touch each other's cases) while one fault is injected, then
waits until the pipeline has recovered: every post of the round recorded, no consumer group
lagging, the outbox empty. `summary()` is what the round produced with its ids made
round-independent, so a faulty round compares equal to the fault-free one.

Faults: SIGKILL of one service (restarted at once, as `vigie up`'s supervisor would), SIGKILL of
the broker and its store (restarted on the same address and folder), the database unavailable
(PostgreSQL: a TCP proxy in front of it cuts every connection and refuses new ones; SQLite: a
writer holds the database's write lock, as a long maintenance job would), a burst replayed
faster than the pipeline drains, and poison records written straight to each topic.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from processes import SAMPLE_STREAM, Services

from events.broker import EmbeddedBroker, free_port
from events.codec import header
from events.settings import BUNDLED_BRAND_CONFIG, Settings

SERVICES = ("api", "classify", "workflow", "alerts")
"""Long-running services; ingest runs once per round (a replay)."""
GROUPS = ("classify", "workflow", "alerts", "alerts-volume")
"""Every consumer group of the pipeline: recovered means none of them lags."""
_SUFFIX = 3  # digits appended to every id of a round
SETTLED_SECONDS = 10.0


@dataclass(frozen=True)
class Poison:
    """A record no service can accept, written straight to a topic."""

    name: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]] = field(default_factory=list)


def poison_records(event: bytes = b"{}") -> list[Poison]:
    """What a consumer can receive that is not an event it knows, each of which must reach the
    dead-letter topic; `event` is a valid event of the topic, sent back as version 99."""
    future = json.loads(event) | {"schema_version": 99}
    return [
        Poison("null-key-and-value", None, None),
        Poison("null-header", b"k-header", b'{"text": "x"}', [("trace", None)]),
        Poison("one-mebibyte", b"k-big", b"x" * (1024 * 1024)),
        Poison("not-json", b"k-text", b"pas du JSON, not JSON"),
        Poison("unknown-schema-version", b"k-version", json.dumps(future).encode(),
               [("schema-version", b"99")]),
    ]


class AlertReceiver:
    """The alert webhook, as a receiver honouring the delivery id: records every alert of every
    delivery once. A delivery sent again with the same `X-Vigie-Delivery` (the documented
    at-least-once resend after a crash between sending and recording it) is counted apart."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        self.deliveries: set[str] = set()
        self.redelivered = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                delivery = self.headers.get("X-Vigie-Delivery", "")
                with receiver._lock:
                    if delivery and delivery in receiver.deliveries:
                        receiver.redelivered += 1
                    else:
                        receiver.deliveries.add(delivery)
                        receiver.alerts.extend(body["alerts"])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/alerts"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.alerts)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class TcpGate:
    """A TCP proxy in front of PostgreSQL: `cut()` drops every connection and refuses new ones
    (connection refused) until `restore()`, like a database host gone from the network."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            doomed, self._sockets = self._sockets, set()
        for sock in doomed:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                _close(sock)
                with self._lock:
                    self._sockets.discard(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


@dataclass
class Round:
    """One replayed copy of the stream and what happened to it."""

    number: int
    fault: str
    post_ids: set[str]
    fault_ended: float = 0.0
    replay_ended: float | None = None
    recovered_after: float | None = None
    """Seconds from the fault's end (or the replay's, if later) until recovered; None: lost."""
    rss_kib: dict[str, int] = field(default_factory=dict)
    poison: list[tuple[str, int, int, str]] = field(default_factory=list)
    """(topic, partition, offset, poison name) of each poison record written."""


class FaultPipeline:
    """The pipeline on one database, with its own durable broker; see the module docstring."""

    def __init__(
        self, workdir: Path, database_url: str, *, posts: int, rate: float, outage_seconds: float = 30
    ) -> None:
        self.workdir = workdir
        self.database_url = database_url
        self.rate = rate
        self.outage_seconds = outage_seconds
        self.rows = _sample(posts)
        self.broker = EmbeddedBroker(port=free_port(), storage_dir=workdir / "broker",
                                     log_file=workdir / "broker.log")
        self.receiver = AlertReceiver()
        self.gate: TcpGate | None = None
        service_url = database_url
        url = sa.engine.make_url(database_url)
        if url.get_backend_name() == "postgresql":
            self.gate = TcpGate((url.host or "127.0.0.1", url.port or 5432))
            service_url = url.set(host="127.0.0.1", port=self.gate.port).render_as_string(
                hide_password=False)
        self.settings = Settings(
            kafka_bootstrap_servers=self.broker.bootstrap_servers, topic_prefix="faults",
            group_prefix="faults", topic_partitions=3, data_dir=workdir / "data",
        )
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        (workdir / "logs").mkdir(exist_ok=True)
        self.services = Services(self.settings, service_url, workdir / "logs")
        self.services.env.update(
            VIGIE_BRAND_CONFIG=str(self._brand_file()),
            FAULTS_ALERT_URL=self.receiver.url,
            FAULTS_ALERT_SECRET="fault-suite-signing-key-0123456789",
            VIGIE_LOG_LEVEL="WARNING",
        )
        self.engine = sa.create_engine(database_url)
        self.rounds: list[Round] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FaultPipeline:
        self.broker.start()
        for name in SERVICES:
            self.services.start(name)
        self.services.wait_api(120)
        return self

    def close(self) -> None:
        try:
            self.services.stop_all()
        finally:
            self.broker.stop()
            self.receiver.close()
            if self.gate is not None:
                self.gate.cut()
            self.engine.dispose()

    def _brand_file(self) -> Path:
        """The bundled brand with one alert channel, the local webhook, taking every alert; no
        volume spikes (a burst would raise one that a steady run does not) and no rumour stories
        (every round replays the same claims, which would join the first round's stories)."""
        data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
        data["stories"] = {"enabled": False}
        data["alerts"] = {
            "group_interval": "0.05m",
            "spike": {"min_count": 1_000_000},
            "channels": [{"name": "hook", "type": "webhook", "url_env": "FAULTS_ALERT_URL",
                          "secret_env": "FAULTS_ALERT_SECRET", "min_severity": "normal"}],
        }
        path = self.workdir / "brand.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    # -- rounds ------------------------------------------------------------------------------

    def run_round(self, fault: str, timeout: float = 180) -> Round:
        """Replay a fresh copy of the stream with `fault` injected, then wait for recovery."""
        number = len(self.rounds)
        stream = self.workdir / f"round{number:03d}.jsonl"
        ids = _write_copy(self.rows, number, stream)
        this = Round(number, fault, ids)
        self.rounds.append(this)
        # Ingest is killed while it replays: at half the rate, early, so it is still at it.
        rate = self.rate * {"burst": 3.0, "kill-ingest": 0.5}.get(fault, 1.0)
        replay = ["--replay", str(stream), "--rate", f"{rate:g}"]
        self.services.start("ingest", *replay)
        if fault == "poison":
            this.poison = self.write_poison()
        if fault not in ("none", "burst", "poison"):
            part = 10 if fault == "kill-ingest" else 3
            self._wait(lambda: self.recorded(number) >= len(ids) // part, timeout, "posts recorded")
            self.inject(fault, replay)
        this.fault_ended = time.monotonic()
        settled_since: list[float] = []

        def over() -> bool:
            """Recovered, or settled (nothing left to read or publish) for SETTLED_SECONDS
            with posts still missing: they are lost, waiting longer would not bring them."""
            if this.replay_ended is None and self.services.processes["ingest"].poll() is not None:
                this.replay_ended = time.monotonic()
            if not self.settled():
                settled_since.clear()
                return False
            if self.recorded(number) >= len(ids):
                return True
            settled_since[:] = settled_since or [time.monotonic()]
            return time.monotonic() - settled_since[0] > SETTLED_SECONDS

        self._wait(over, timeout, f"recovery from {fault}")
        if fault == "kill-api":
            self.services.wait_api(timeout)
        if self.recorded(number) >= len(ids):
            this.recovered_after = time.monotonic() - max(this.fault_ended, this.replay_ended or 0)
        this.rss_kib = self.rss_kib()
        return this

    def inject(self, fault: str, replay: list[str]) -> None:
        if fault.startswith("kill-"):
            name = fault.removeprefix("kill-")
            ingest_done = name == "ingest" and self.services.processes["ingest"].poll() is not None
            self.services.kill(name)
            self.services.start(name, *(replay if name == "ingest" else ()))
            assert not ingest_done, "the replay ended before ingest could be killed mid-stream"
        elif fault == "broker":
            self._kill_broker()
            time.sleep(3)  # an outage, not a blip
            self.broker.start()
        elif fault == "database":
            with self.database_outage():
                time.sleep(self.outage_seconds)
        else:
            raise ValueError(f"unknown fault {fault}")

    def _kill_broker(self) -> None:
        """SIGKILL the broker and its store, as a crash or the OOM killer would."""
        for process in (self.broker._process, self.broker._store):  # noqa: SLF001
            if process is not None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(10)
        self.broker._process = self.broker._store = None  # noqa: SLF001

    @contextmanager
    def database_outage(self) -> Iterator[None]:
        if self.gate is not None:
            self.gate.cut()
            try:
                yield
            finally:
                self.gate.restore()
            return
        # SQLite: the write lock held by another connection (reads still work, as in WAL).
        holder = sqlite3.connect(sa.engine.make_url(self.database_url).database, timeout=60,
                                 isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.25)
        logs = "\n".join(f"--- {n}\n{self.services.log(n)[-1500:]}"
                         for n in (*SERVICES, "ingest"))
        raise AssertionError(f"no {what} within {timeout}s\n{logs}")

    # -- what the pipeline did ---------------------------------------------------------------

    def recorded(self, number: int) -> int:
        suffix = f"%{number:0{_SUFFIX}d}"
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(sa.text("SELECT count(*) FROM posts WHERE id LIKE :s"),
                                        {"s": suffix}).scalar_one())
        except sa.exc.OperationalError:
            return 0

    def settled(self) -> bool:
        """The replay is over, every consumer group has read everything, the outbox is empty."""
        ingest = self.services.processes.get("ingest")
        if ingest is None or ingest.poll() is None:
            return False
        assert ingest.returncode == 0, self.services.log("ingest")[-3000:]
        with self.engine.connect() as conn:
            if conn.execute(sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar_one():
                return False
        return all(lag == 0 for lag in self.lag().values())

    def lag(self) -> dict[str, int]:
        """Records not yet committed, per consumer group (None end offsets count as lag)."""
        topics = self.settings.topics
        read = {"classify": topics.posts.name, "workflow": topics.verdicts.name,
                "alerts": topics.cases.name, "alerts-volume": topics.verdicts.name}
        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap_servers)
        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap_servers)
        try:
            lags = {}
            for group in GROUPS:
                name = self.settings.group(group)
                committed = admin.list_group_offsets({name: None}).get(name, {})
                tps = [TopicPartition(read[group], p)
                       for p in consumer.partitions_for_topic(read[group]) or ()]
                ends = consumer.end_offsets(tps)
                lags[group] = sum(
                    max(0, ends[tp] - (committed[tp].offset if tp in committed else 0))
                    for tp in tps)
            return lags
        except Exception as exc:  # noqa: BLE001 - the broker may be on its way back: not recovered yet
            return {f"broker: {exc!r}": 1}
        finally:
            admin.close()
            consumer.close()

    def summary(self, number: int) -> dict[str, Any]:
        """What round `number` produced, with its ids made round-independent.

        A post joins its thread's open case sharing a concern, else its author's: which case an
        author's posts in two threads land in depends on which partition was read first, so
        cases (even their concerns: a post with two labels joins whichever case came first) are
        compared per *linked group* (posts linked by thread or author): the posts of the group
        that are in a case, the severities and the alert kinds of its cases.
        Each post is compared alone: how many times it is stored, its outcome and labels.
        """
        suffix = f"{number:0{_SUFFIX}d}"

        def plain(identifier: str) -> str:
            assert identifier.endswith(suffix), identifier
            return identifier[:-_SUFFIX]

        with self.engine.connect() as conn:
            posts = conn.execute(sa.text(
                "SELECT id, thread_id, author_id, case_id, outcome, labels FROM posts "
                "WHERE id LIKE :s"), {"s": f"%{suffix}"}).all()
            cases = {row.id: row for row in conn.execute(sa.text(
                "SELECT id, concern, severity FROM cases WHERE thread_id LIKE :s"),
                {"s": f"%{suffix}"})}
        group = _linked_groups([(plain(p.id), p.thread_id, p.author_id) for p in posts])
        case_group = {p.case_id: group[plain(p.id)] for p in posts if p.case_id is not None}
        alerts = self.alerts_of(set(cases))
        grouped: dict[str, dict[str, set[str]]] = {}
        for post in posts:
            if post.case_id is None:
                continue
            entry = grouped.setdefault(group[plain(post.id)], {"posts": set(), "severity": set()})
            entry["posts"].add(plain(post.id))
            entry["severity"].add(cases[post.case_id].severity)
        for (kind, case_id), _count in alerts.items():
            grouped[case_group[case_id]].setdefault("alerts", set()).add(kind)
        return {
            "posts": Counter(plain(p.id) for p in posts),
            "outcomes": sorted(
                (plain(p.id), p.outcome, sorted(label["label"] for label in _json(p.labels)))
                for p in posts),
            "cases": sorted((name, {k: sorted(v) for k, v in entry.items()})
                            for name, entry in grouped.items()),
            "orphans": sorted(plain(p.id) for p in posts
                              if p.outcome == "case" and p.case_id is None),
        }

    def alerts_of(self, case_ids: set[int]) -> Counter[tuple[str, int]]:
        """How many alerts of each kind each of these cases got."""
        return Counter((a["kind"], a["case_id"]) for a in self.receiver.received()
                       if a.get("case_id") in case_ids)

    def critical_cases(self, number: int) -> set[int]:
        suffix = f"%{number:0{_SUFFIX}d}"
        with self.engine.connect() as conn:
            return {row.id for row in conn.execute(sa.text(
                "SELECT id FROM cases WHERE thread_id LIKE :s AND severity = 'critical'"),
                {"s": suffix})}

    def dead_letters(self) -> list[dict[str, Any]]:
        """Every record of the three dead-letter topics, with its dlq-* headers."""
        topics = [t.dlq for t in (self.settings.topics.posts, self.settings.topics.verdicts,
                                  self.settings.topics.cases)]
        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap_servers,
                                 enable_auto_commit=False)
        try:
            tps = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            found, quiet = [], 0
            while quiet < 3:
                batch = consumer.poll(timeout_ms=500)
                quiet = 0 if batch else quiet + 1
                for records in batch.values():
                    for record in records:
                        found.append({
                            name: header(record.headers, f"dlq-{name}")
                            for name in ("topic", "partition", "offset", "reason", "service", "stub")
                        } | {"value_size": len(record.value or b"")})
            return found
        finally:
            consumer.close()

    def write_poison(self) -> list[tuple[str, int, int, str]]:
        """Each poison record on each topic (posts, verdicts, cases); their coordinates."""
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap_servers,
                                 max_request_size=4 * 1024 * 1024)
        written = []
        try:
            for topic in (self.settings.topics.posts, self.settings.topics.verdicts,
                          self.settings.topics.cases):
                poisons = poison_records(self._first_event(topic.name))
                offsets = _send_any(producer, topic.name, poisons)
                written += [(topic.name, 0, offset, p.name) for p, offset in zip(poisons, offsets, strict=True)]
        finally:
            producer.close()
        return written

    def _first_event(self, topic: str) -> bytes:
        """The first record of a topic's partition 0 (written by the baseline round)."""
        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap_servers,
                                 enable_auto_commit=False)
        try:
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            for _ in range(20):
                for records in consumer.poll(timeout_ms=500, max_records=1).values():
                    return bytes(records[0].value)
            raise AssertionError(f"{topic} has no record to copy")
        finally:
            consumer.close()

    def rss_kib(self) -> dict[str, int]:
        """Resident memory of every process of the pipeline (services, broker, its store)."""
        pids = {name: p.pid for name, p in self.services.processes.items() if p.poll() is None}
        pids["broker"] = self.broker.pid or 0
        if self.broker._store is not None:  # noqa: SLF001
            pids["broker-store"] = self.broker._store.pid  # noqa: SLF001
        found = {}
        for name, pid in pids.items():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(r"^VmRSS:\s+(\d+)", status, re.M):
                found[name] = int(match.group(1))
        return found


def _send_any(producer: KafkaProducer, topic: str, poisons: list[Poison]) -> list[int]:
    """Append records to partition 0 as any Kafka client may write them; their offsets.

    kafka-python's `send` refuses a record with neither key nor value and a header without
    value, which other clients write (and the broker accepts), so this goes one layer down, to
    its record accumulator. For a null header value the accumulator's bookkeeping fails after
    the record joined the open batch: it still goes out with that batch, right after the record
    before it (so it must not come first)."""
    producer._wait_on_metadata(topic, 30_000)  # noqa: SLF001
    futures = []
    for poison in poisons:
        try:
            future, *_ = producer._accumulator.append(  # noqa: SLF001
                TopicPartition(topic, 0), int(time.time() * 1000), poison.key, poison.value,
                poison.headers)
        except TypeError:
            assert futures, "a record with a null header value cannot open a batch"
            future = None
        futures.append(future)
    producer._sender.wakeup()  # noqa: SLF001
    producer.flush(30)
    offsets: list[int] = []
    for future in futures:
        offsets.append(future.get(timeout=30).offset if future else offsets[-1] + 1)
    return offsets


def _json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


def _linked_groups(posts: list[tuple[str, str, str]]) -> dict[str, str]:
    """Each post's group: posts sharing a thread or an author, transitively (named by the
    smallest post id in it)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for post_id, thread, author in posts:
        for other in (f"thread {thread}", f"author {author}"):
            a, b = root(post_id), root(other)
            if a != b:
                parent[a] = b
    name: dict[str, str] = {}
    for post_id, _, _ in posts:
        name[root(post_id)] = min(name.get(root(post_id), post_id), post_id)
    return {post_id: name[root(post_id)] for post_id, _, _ in posts}


def _sample(posts: int) -> list[dict[str, Any]]:
    """The first `posts` rows of the bundled sample stream."""
    lines = SAMPLE_STREAM.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return rows[:posts]


def _write_copy(rows: list[dict[str, Any]], number: int, path: Path) -> set[str]:
    """The stream with round `number` appended to every post and thread id; the post ids."""
    ids = set()
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            row = dict(row)
            for key in ("platform_post_id", "conversation_id", "reply_to_id"):
                if row.get(key):
                    row[key] = f"{row[key]}{number:0{_SUFFIX}d}"
            # Cases also gather an author's posts: authors are new each round too (the staff
            # roster matches handles, which stay).
            row["author"] = {**row["author"], "id": f"{row['author']['id']}{number:0{_SUFFIX}d}"}
            ids.add(f"{row['platform']}:{row['platform_post_id']}")
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return ids
