"""Cooldown and grouping: one incident is one alert, follow-ups leave together, and a queued
alert is taken by one replica only, on both databases and in memory."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from events.schemas import Severity
from workflow.alerts.grouping import Grouper
from workflow.alerts.model import Alert, AlertKind
from workflow.alerts.store import DbAlertStore, MemoryAlertStore
from workflow.db import init_db

T0 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)

Make = Callable[[], Grouper]
"""A new grouper (a replica, or the service after a restart) on the test's one store."""

SCENARIOS: list[Callable[[Make], None]] = []


def scenario(check: Callable[[Make], None]) -> Callable[[Make], None]:
    SCENARIOS.append(check)
    return check


def alert(
    incident: str,
    *,
    kind: AlertKind = AlertKind.sla_breached,
    team: str = "customer_care",
    severity: Severity = Severity.normal,
) -> Alert:
    return Alert(
        kind=kind,
        incident=incident,
        title=f"case {incident}",
        link="http://x/cases/1",
        at=T0,
        teams=(team,),
        severity=severity,
    )


def sent(grouper: Grouper, now: datetime) -> list[list[str]]:
    """Take what is due, mark it delivered, and say which incidents each message carried."""
    claimed = grouper.take(now)
    grouper.sent(claimed)
    return [[a.incident for a in c.notification.alerts] for c in claimed]


@scenario
def same_incident_alerts_once_within_the_cooldown(make: Make) -> None:
    g = make()
    assert g.add([alert("1")], T0) == ["send"]
    assert g.add([alert("1")], T0 + timedelta(minutes=10)) == ["suppress"]
    assert sent(g, T0 + timedelta(minutes=10)) == [["1"]]
    assert g.add([alert("1")], T0 + timedelta(minutes=31))[0] in ("send", "hold")


@scenario
def follow_ups_of_a_group_leave_as_one_digest(make: Make) -> None:
    g = make()
    assert g.add([alert("1")], T0) == ["send"]
    assert sent(g, T0) == [["1"]]
    assert g.add([alert("2"), alert("3")], T0 + timedelta(minutes=1)) == ["hold", "hold"]
    assert sent(g, T0 + timedelta(minutes=4)) == []
    (digest,) = g.take(T0 + timedelta(minutes=5))
    assert [a.incident for a in digest.notification.alerts] == ["2", "3"] and digest.held
    g.sent([digest])
    assert sent(g, T0 + timedelta(minutes=5)) == []
    # The digest counts as the group's last message: the next follow-up waits again.
    assert g.add([alert("4")], T0 + timedelta(minutes=6)) == ["hold"]
    assert sent(g, T0 + timedelta(minutes=9, seconds=59)) == []
    assert sent(g, T0 + timedelta(minutes=10)) == [["4"]]


@scenario
def other_teams_and_kinds_are_other_groups(make: Make) -> None:
    g = make()
    batch = [alert("1"), alert("2", team="legal"), alert("3", kind=AlertKind.sla_at_risk)]
    assert g.add(batch, T0) == ["send", "send", "send"]
    assert sorted(sent(g, T0)) == [["1"], ["2"], ["3"]]


@scenario
def a_critical_case_is_never_held_for_a_digest(make: Make) -> None:
    g = make()
    critical = {"kind": AlertKind.critical, "severity": Severity.critical}
    assert g.add([alert("1", **critical)], T0) == ["send"]
    assert g.add([alert("2", **critical)], T0 + timedelta(seconds=30)) == ["send"]
    assert g.add([alert("3", kind=AlertKind.critical)], T0 + timedelta(minutes=1)) == ["hold"]
    assert g.add([alert("2", **critical)], T0 + timedelta(minutes=2)) == ["suppress"]
    assert sent(g, T0 + timedelta(minutes=2)) == [["1"], ["2"]]


@scenario
def a_held_digest_outlives_the_process_that_held_it(make: Make) -> None:
    first = make()
    first.add([alert("1")], T0)
    sent(first, T0)
    first.add([alert("2")], T0 + timedelta(minutes=1))
    del first  # killed while the digest is held
    restarted = make()
    assert sent(restarted, T0 + timedelta(minutes=2)) == []
    assert sent(restarted, T0 + timedelta(minutes=5)) == [["2"]]


@scenario
def an_unfinished_delivery_is_taken_again_after_the_lease(make: Make) -> None:
    crashed, other = make(), make()
    crashed.add([alert("1")], T0)
    (claimed,) = crashed.take(T0)  # and never marked sent: the process died while sending
    assert other.take(T0 + LEASE - timedelta(seconds=1)) == []
    (again,) = other.take(T0 + LEASE)
    assert again.reclaimed and again.notification.delivery_id == claimed.notification.delivery_id
    other.sent([again])
    assert other.take(T0 + 3 * LEASE) == []


@scenario
def two_replicas_racing_send_each_alert_once(make: Make) -> None:
    replicas = [make(), make()]
    incidents = [
        alert(str(i), kind=AlertKind.critical, severity=Severity.critical) for i in range(40)
    ]
    decisions: list[list[str]] = [[], []]
    messages: list[list[list[str]]] = [[], []]
    start = threading.Barrier(2)

    def work(n: int) -> None:
        start.wait()
        for i in range(0, len(incidents), 5):  # both see every event, as after a rebalance
            decisions[n] += replicas[n].add(incidents[i : i + 5], T0)
            messages[n] += sent(replicas[n], T0)

    threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert decisions[0].count("send") + decisions[1].count("send") == 40
    delivered = sorted(i for m in messages[0] + messages[1] for i in m)
    assert delivered == sorted(a.incident for a in incidents)


@pytest.mark.parametrize("check", SCENARIOS, ids=lambda c: c.__name__)
def test_on_the_database(check: Callable[[Make], None], database_url: str) -> None:
    engine = init_db(database_url)
    store = DbAlertStore(engine)
    try:
        check(
            lambda: Grouper(
                cooldown=timedelta(minutes=30),
                group_interval=timedelta(minutes=5),
                store=store,
                lease=LEASE,
            )
        )
    finally:
        engine.dispose()


@pytest.mark.parametrize("check", SCENARIOS, ids=lambda c: c.__name__)
def test_in_memory(check: Callable[[Make], None]) -> None:
    store = MemoryAlertStore()
    check(
        lambda: Grouper(
            cooldown=timedelta(minutes=30),
            group_interval=timedelta(minutes=5),
            store=store,
            lease=LEASE,
        )
    )


def test_restricted_notification_keeps_its_delivery_id() -> None:
    g = Grouper(cooldown=timedelta(minutes=30), group_interval=timedelta(minutes=5))
    g.add([alert("1")], T0)
    (claimed,) = g.take(T0)
    note = claimed.notification
    assert note.only(note.alerts[:1]).delivery_id == note.delivery_id


def test_a_restarted_process_frees_the_claims_of_dead_processes_of_its_host(
    database_url: str,
) -> None:
    """A kill -9 between claiming an alert and sending it: the restarted process sends it at
    once instead of after the lease; a live process's or another host's claim is left alone."""
    engine = init_db(database_url)
    store = DbAlertStore(engine)
    now = T0
    claims = {"dead": "host-a:999999:1", "live": "host-a:1:1", "elsewhere": "host-b:999999:1"}
    try:
        for name, owner in claims.items():
            with store.transaction() as state:
                state.enqueue(alert(name), due=now, held=False, delivery_id=name)
                assert [q.alert.incident for q in state.claim_due(now, owner, LEASE)] == [name]
        assert store.release_dead_claims(f"host-a:{os.getpid()}:2") == 1
        with store.transaction() as state:  # well within the lease: only the freed one is due
            taken = state.claim_due(now + timedelta(seconds=1), "host-a:2:2", LEASE)
        assert [q.alert.incident for q in taken] == ["dead"]
    finally:
        engine.dispose()
