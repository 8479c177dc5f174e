"""Cooldown and grouping: one incident is one alert, follow-ups leave together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.schemas import Severity
from workflow.alerts.grouping import Grouper
from workflow.alerts.model import Alert, AlertKind

T0 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


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


def grouper() -> Grouper:
    return Grouper(cooldown=timedelta(minutes=30), group_interval=timedelta(minutes=5))


def test_same_incident_alerts_once_within_the_cooldown() -> None:
    g = grouper()
    assert g.add(alert("1"), T0)[0] == "send"
    assert g.add(alert("1"), T0 + timedelta(minutes=10)) == ("suppress", None)
    assert g.add(alert("1"), T0 + timedelta(minutes=31))[0] in ("send", "hold")


def test_follow_ups_of_a_group_leave_as_one_digest() -> None:
    g = grouper()
    decision, first = g.add(alert("1"), T0)
    assert decision == "send" and first is not None and len(first.alerts) == 1
    assert g.add(alert("2"), T0 + timedelta(minutes=1)) == ("hold", None)
    assert g.add(alert("3"), T0 + timedelta(minutes=2)) == ("hold", None)
    assert g.due(T0 + timedelta(minutes=4)) == []
    (digest,) = g.due(T0 + timedelta(minutes=5))
    assert [a.incident for a in digest.alerts] == ["2", "3"]
    assert g.due(T0 + timedelta(minutes=20)) == []


def test_other_teams_and_kinds_are_other_groups() -> None:
    g = grouper()
    assert g.add(alert("1"), T0)[0] == "send"
    assert g.add(alert("2", team="legal"), T0)[0] == "send"
    assert g.add(alert("3", kind=AlertKind.sla_at_risk), T0)[0] == "send"


def test_drain_sends_what_is_held() -> None:
    g = grouper()
    g.add(alert("1"), T0)
    g.add(alert("2"), T0 + timedelta(seconds=5))
    (held,) = g.drain()
    assert [a.incident for a in held.alerts] == ["2"]
    assert g.drain() == []


def test_restricted_notification_keeps_its_delivery_id() -> None:
    _, note = grouper().add(alert("1"), T0)
    assert note is not None
    assert note.only(note.alerts[:1]).delivery_id == note.delivery_id


def test_a_critical_case_is_never_held_for_a_digest() -> None:
    g = grouper()
    assert g.add(alert("1", kind=AlertKind.critical, severity=Severity.critical), T0)[0] == "send"
    decision, sent = g.add(
        alert("2", kind=AlertKind.critical, severity=Severity.critical), T0 + timedelta(seconds=30)
    )
    assert decision == "send" and sent is not None and sent.alerts[0].incident == "2"
    assert g.add(alert("3", kind=AlertKind.critical), T0 + timedelta(minutes=1))[0] == "hold"
    again = alert("2", kind=AlertKind.critical, severity=Severity.critical)
    assert g.add(again, T0 + timedelta(minutes=2)) == ("suppress", None), "cooldown still holds"
