"""Where the alerting state lives: in memory (one process, tests) or in the workflow database
(the service, any number of replicas).

Two stores, one interface each. The grouping store (`AlertStore`) keeps incident cooldowns,
when each group last went out, and the queue of alerts waiting to go out; its `transaction()`
makes a batch of decisions atomic, so an incident is never claimed without its alert being
queued. The spike store (`SpikeStore`) keeps the posts counted per volume series over the
baseline period. In the database every claim is one conditional statement (an upsert with a
WHERE, an UPDATE of unclaimed rows), the same on SQLite and PostgreSQL, so two replicas
racing for the same incident or the same queued alert see exactly one of them win.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from workflow.alerts.model import Alert
from workflow.db import transient_errors
from workflow.models import AlertGroup, AlertIncident, AlertQueued, SpikeSighting

__all__ = [
    "AlertStore",
    "DbAlertStore",
    "DbSpikeStore",
    "GroupState",
    "MemoryAlertStore",
    "MemorySpikeStore",
    "Queued",
    "SpikeStore",
]


@dataclass(frozen=True)
class Queued:
    """An alert claimed for delivery: alone, or one of its group's held digest."""

    id: int
    group: str
    held: bool
    delivery_id: str
    alert: Alert
    reclaimed: bool = False
    """Its previous claim outlived the lease: the replica that held it died while sending."""


class GroupState(Protocol):
    """The grouping state, inside one transaction."""

    def claim_incident(self, incident: str, now: datetime, cooldown: timedelta) -> bool:
        """True (and the incident alerted `now`) unless it alerted within `cooldown`."""

    def claim_group(self, group: str, now: datetime, interval: timedelta) -> datetime | None:
        """None (and the group sent `now`) unless it was sent within `interval`: then when."""

    def mark_group(self, group: str, now: datetime) -> None:
        """The group went out `now`."""

    def held_due(self, group: str) -> datetime | None:
        """When the group's held digest is due, if one is waiting."""

    def enqueue(self, alert: Alert, *, due: datetime, held: bool, delivery_id: str) -> None:
        """Queue an alert: due now (alone) or held for its group's digest."""

    def claim_due(self, now: datetime, owner: str, lease: timedelta) -> list[Queued]:
        """Take the queued alerts that are due, unclaimed or whose claim outlived `lease`."""

    def delete(self, ids: Sequence[int]) -> None:
        """Delivered: out of the queue."""

    def prune(self, incidents_before: datetime, groups_before: datetime) -> None:
        """Forget cooldowns and group times too old to matter."""


class AlertStore(Protocol):
    def anything_due(self, now: datetime) -> bool:
        """Whether a queued alert may be due (read outside any transaction: a cheap check)."""

    def transaction(self) -> AbstractContextManager[GroupState]:
        """The state for one batch of decisions (in the database: committed only if the block
        exits cleanly)."""


# In memory ------------------------------------------------------------------------------------


@dataclass
class _Row:
    group: str
    held: bool
    due: datetime
    delivery_id: str
    alert: Alert
    claimed_at: datetime | None = None


@dataclass
class MemoryAlertStore:
    """One process's grouping state, lost with it: for tests, and an Alerter without database."""

    incidents: dict[str, datetime] = field(default_factory=dict)
    groups: dict[str, datetime] = field(default_factory=dict)
    queue: dict[int, _Row] = field(default_factory=dict)
    _next_id: int = 1
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def anything_due(self, now: datetime) -> bool:
        return any(row.due <= now for row in self.queue.values())

    @contextmanager
    def transaction(self) -> Iterator[MemoryAlertStore]:
        with self._lock:
            yield self

    def claim_incident(self, incident: str, now: datetime, cooldown: timedelta) -> bool:
        last = self.incidents.get(incident)
        if last is not None and now - last < cooldown:
            return False
        self.incidents[incident] = now
        return True

    def claim_group(self, group: str, now: datetime, interval: timedelta) -> datetime | None:
        sent = self.groups.get(group)
        if sent is not None and now - sent < interval:
            return sent
        self.groups[group] = now
        return None

    def mark_group(self, group: str, now: datetime) -> None:
        self.groups[group] = now

    def held_due(self, group: str) -> datetime | None:
        dues = [
            r.due for r in self.queue.values() if r.group == group and r.held and not r.claimed_at
        ]
        return min(dues, default=None)

    def enqueue(self, alert: Alert, *, due: datetime, held: bool, delivery_id: str) -> None:
        self.queue[self._next_id] = _Row(alert.group, held, due, delivery_id, alert)
        self._next_id += 1

    def claim_due(self, now: datetime, owner: str, lease: timedelta) -> list[Queued]:
        taken = []
        for id_, row in self.queue.items():
            expired = row.claimed_at is not None and row.claimed_at <= now - lease
            if row.due <= now and (row.claimed_at is None or expired):
                row.claimed_at = now
                taken.append(Queued(id_, row.group, row.held, row.delivery_id, row.alert, expired))
        return taken

    def delete(self, ids: Sequence[int]) -> None:
        for id_ in ids:
            self.queue.pop(id_, None)

    def prune(self, incidents_before: datetime, groups_before: datetime) -> None:
        for table, before in ((self.incidents, incidents_before), (self.groups, groups_before)):
            for key in [k for k, at in table.items() if at < before]:
                del table[key]


# In the database ------------------------------------------------------------------------------

_INCIDENTS = AlertIncident.__table__  # type: ignore[attr-defined]
_GROUPS = AlertGroup.__table__  # type: ignore[attr-defined]
_QUEUE = AlertQueued.__table__  # type: ignore[attr-defined]
_SIGHTINGS = SpikeSighting.__table__  # type: ignore[attr-defined]


def _insert(connection: Connection, table: sa.Table) -> Any:
    """INSERT with ON CONFLICT (PostgreSQL and SQLite spell it the same)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _claim(
    connection: Connection,
    table: sa.Table,
    key: str,
    when: str,
    now: datetime,
    unless_after: datetime,
) -> bool:
    """Insert the key at `now`, or move its time to `now` if it is at or before `unless_after`;
    True when this statement did either (a concurrent claimer waits for it, then loses)."""
    statement = (
        _insert(connection, table)
        .values({table.primary_key.columns[0].name: key, when: now})
        .on_conflict_do_update(
            index_elements=[table.primary_key.columns[0]],
            set_={when: now},
            where=table.c[when] <= unless_after,
        )
        .returning(table.primary_key.columns[0])
    )
    return connection.execute(statement).first() is not None


class _DbState:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def claim_incident(self, incident: str, now: datetime, cooldown: timedelta) -> bool:
        return _claim(self.connection, _INCIDENTS, incident, "alerted_at", now, now - cooldown)

    def claim_group(self, group: str, now: datetime, interval: timedelta) -> datetime | None:
        if _claim(self.connection, _GROUPS, group, "sent_at", now, now - interval):
            return None
        return self.connection.execute(
            sa.select(_GROUPS.c.sent_at).where(_GROUPS.c.group_key == group)
        ).scalar_one()

    def mark_group(self, group: str, now: datetime) -> None:
        statement = _insert(self.connection, _GROUPS).values(group_key=group, sent_at=now)
        self.connection.execute(
            statement.on_conflict_do_update(
                index_elements=[_GROUPS.c.group_key], set_={"sent_at": now}
            )
        )

    def held_due(self, group: str) -> datetime | None:
        return self.connection.execute(
            sa.select(sa.func.min(_QUEUE.c.due_at)).where(
                _QUEUE.c.group_key == group, _QUEUE.c.held, _QUEUE.c.claimed_at.is_(None)
            )
        ).scalar_one()

    def enqueue(self, alert: Alert, *, due: datetime, held: bool, delivery_id: str) -> None:
        self.connection.execute(
            sa.insert(_QUEUE).values(
                group_key=alert.group,
                held=held,
                due_at=due,
                delivery_id=delivery_id,
                alert=alert.as_record(),
            )
        )

    def claim_due(self, now: datetime, owner: str, lease: timedelta) -> list[Queued]:
        # Unclaimed first, then claims that outlived the lease: a plain UPDATE re-checks its
        # WHERE after waiting for a concurrent claimer's row locks, so each row goes to one.
        taken = []
        for unclaimed, reclaimed in (
            (_QUEUE.c.claimed_at.is_(None), False),
            (_QUEUE.c.claimed_at <= now - lease, True),
        ):
            rows = self.connection.execute(
                sa.update(_QUEUE)
                .where(_QUEUE.c.due_at <= now, unclaimed)
                .values(claimed_by=owner, claimed_at=now)
                .returning(
                    _QUEUE.c.id,
                    _QUEUE.c.group_key,
                    _QUEUE.c.held,
                    _QUEUE.c.delivery_id,
                    _QUEUE.c.alert,
                )
            ).all()
            taken += [
                Queued(
                    r.id, r.group_key, r.held, r.delivery_id, Alert.from_record(r.alert), reclaimed
                )
                for r in rows
            ]
        return sorted(taken, key=lambda q: q.id)

    def delete(self, ids: Sequence[int]) -> None:
        if ids:
            self.connection.execute(sa.delete(_QUEUE).where(_QUEUE.c.id.in_(list(ids))))

    def prune(self, incidents_before: datetime, groups_before: datetime) -> None:
        self.connection.execute(
            sa.delete(_INCIDENTS).where(_INCIDENTS.c.alerted_at < incidents_before)
        )
        self.connection.execute(sa.delete(_GROUPS).where(_GROUPS.c.sent_at < groups_before))


class DbAlertStore:
    """The grouping state in the workflow database, shared by every replica."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def anything_due(self, now: datetime) -> bool:
        due = sa.select(_QUEUE.c.id).where(_QUEUE.c.due_at <= now).limit(1)
        with transient_errors("alert state"), self.engine.connect() as connection:
            return connection.execute(due).first() is not None

    def release_dead_claims(self, me: str) -> int:
        """Free the claims of this host's earlier alerts processes (a restart after a crash), so
        their alerts go out now rather than after the lease; returns how many were freed.

        `me` is `host:pid:start`. A claim of the same host whose process is gone, or whose pid is
        this one's (a container restarted as PID 1), was left by a dead process. Claims of other
        hosts (replicas elsewhere) and of live processes are left to the lease."""
        host, pid, _ = me.rsplit(":", 2)
        mine = sa.and_(_QUEUE.c.claimed_by.like(f"{host}:%"), _QUEUE.c.claimed_by != me)
        with transient_errors("alert state"), self.engine.begin() as connection:
            owners = connection.execute(sa.select(_QUEUE.c.claimed_by).where(mine).distinct())
            dead = [o for (o,) in owners if _dead(o, int(pid))]
            if not dead:
                return 0
            freed = connection.execute(
                sa.update(_QUEUE)
                .where(_QUEUE.c.claimed_by.in_(dead))
                .values(claimed_by=None, claimed_at=None)
            )
            return freed.rowcount or 0

    @contextmanager
    def transaction(self) -> Iterator[_DbState]:
        # Each transaction writes first (a claim, an insert, a delete), so on SQLite it takes
        # the write lock at once instead of upgrading a read, which would fail under a writer.
        with transient_errors("alert state"), self.engine.begin() as connection:
            yield _DbState(connection)


def _dead(owner: str, my_pid: int) -> bool:
    """Whether the process that made a claim (`host:pid:start`, same host) is gone."""
    try:
        pid = int(owner.rsplit(":", 2)[1])
    except (IndexError, ValueError):
        return False  # not ours to judge: the lease decides
    if pid == my_pid:
        return True  # an earlier process with this pid: this one has just started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


# Spike sightings ------------------------------------------------------------------------------

Sighting = tuple[str, str, datetime]
"""(series, post reference, when the post was classified)."""


class SpikeStore(Protocol):
    def add(self, sightings: Iterable[Sighting]) -> None:
        """Count each post once per series, however often it is read."""

    def span(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest sighting kept."""

    def counts(self, since: datetime, split: datetime) -> dict[str, tuple[int, int]]:
        """Per series: sightings in [since, split] (the baseline), and after split (now)."""

    def prune(self, before: datetime) -> None:
        """Drop sightings older than the baseline needs."""

    def forget(self, post_refs: Iterable[str]) -> None:
        """Drop the sightings of erased posts."""


@dataclass
class MemorySpikeStore:
    sightings: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def add(self, sightings: Iterable[Sighting]) -> None:
        for series, ref, at in sightings:
            self.sightings.setdefault((series, ref), at)

    def span(self) -> tuple[datetime, datetime] | None:
        times = self.sightings.values()
        return (min(times), max(times)) if times else None

    def counts(self, since: datetime, split: datetime) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for (series, _), at in self.sightings.items():
            if at >= since:
                before, now = found.get(series, (0, 0))
                found[series] = (before + (at <= split), now + (at > split))
        return found

    def prune(self, before: datetime) -> None:
        for key in [k for k, at in self.sightings.items() if at < before]:
            del self.sightings[key]

    def forget(self, post_refs: Iterable[str]) -> None:
        refs = set(post_refs)
        for key in [k for k in self.sightings if k[1] in refs]:
            del self.sightings[key]


class DbSpikeStore:
    """Sightings in the workflow database: the baseline survives a restart, and replicas that
    each read part of the verdicts count them together."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, sightings: Iterable[Sighting]) -> None:
        rows = [{"series": s, "post_ref": r, "at": at} for s, r, at in sightings]
        if not rows:
            return
        with transient_errors("spike counts"), self.engine.begin() as connection:
            connection.execute(_insert(connection, _SIGHTINGS).on_conflict_do_nothing(), rows)

    def span(self) -> tuple[datetime, datetime] | None:
        with transient_errors("spike counts"), self.engine.connect() as connection:
            first, last = connection.execute(
                sa.select(sa.func.min(_SIGHTINGS.c.at), sa.func.max(_SIGHTINGS.c.at))
            ).one()
        return None if first is None or last is None else (first, last)

    def counts(self, since: datetime, split: datetime) -> dict[str, tuple[int, int]]:
        after = _SIGHTINGS.c.at > split
        statement = (
            sa.select(
                _SIGHTINGS.c.series,
                sa.func.sum(sa.case((after, 0), else_=1)),
                sa.func.sum(sa.case((after, 1), else_=0)),
            )
            .where(_SIGHTINGS.c.at >= since)
            .group_by(_SIGHTINGS.c.series)
        )
        with transient_errors("spike counts"), self.engine.connect() as connection:
            return {s: (int(b), int(n)) for s, b, n in connection.execute(statement)}

    def prune(self, before: datetime) -> None:
        with transient_errors("spike counts"), self.engine.begin() as connection:
            connection.execute(sa.delete(_SIGHTINGS).where(_SIGHTINGS.c.at < before))

    def forget(self, post_refs: Iterable[str]) -> None:
        refs = list(post_refs)
        if refs:
            with transient_errors("spike counts"), self.engine.begin() as connection:
                connection.execute(sa.delete(_SIGHTINGS).where(_SIGHTINGS.c.post_ref.in_(refs)))
