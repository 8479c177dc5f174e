"""Which case events alert, what the alert says, and escalations folded into their warning."""

from __future__ import annotations

from datetime import UTC, datetime

from events.schemas import CaseEvent, CaseEventType, Label, Severity
from workflow.alerts.model import AlertKind
from workflow.alerts.rules import case_alerts

AT = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
URL = "https://vigie.example/"


def event(kind: CaseEventType, **fields: object) -> CaseEvent:
    base: dict[str, object] = {"type": kind, "case_id": 42, "thread_id": "x:1", "at": AT}
    return CaseEvent(**(base | fields))


def alerts(*events: CaseEvent, quotes: dict[str, str] | None = None) -> list:
    return case_alerts(list(events), public_url=URL, excerpt_of=(quotes or {}).get)


def test_a_critical_case_alerts_with_its_link_and_quote() -> None:
    opened = event(
        CaseEventType.opened,
        severity=Severity.critical,
        labels=[Label.risky_disclosure],
        details={"post_id": "x:99", "teams": ["legal"], "copy_to": ["security"]},
    )
    (alert,) = alerts(opened, quotes={"x:99": "voici le courriel du client [courriel/email]"})
    assert alert.kind is AlertKind.critical
    assert alert.link == "https://vigie.example/cases/42"
    assert alert.teams == ("legal", "security")
    assert alert.excerpt and "[courriel/email]" in alert.excerpt
    assert ("Étiquettes / Labels", "risky_disclosure") in alert.facts


def test_ordinary_case_events_do_not_alert() -> None:
    quiet = [
        event(CaseEventType.opened, severity=Severity.high, labels=[Label.press_inquiry]),
        event(CaseEventType.assigned, team="pr", assignee="marc-andre"),
        event(CaseEventType.state_changed, team="pr", state="acknowledged"),
        event(CaseEventType.note_added),
        event(CaseEventType.post_added, severity=Severity.normal),
    ]
    assert alerts(*quiet) == []


def test_a_critical_post_joining_a_case_alerts_as_the_same_incident() -> None:
    opened = alerts(event(CaseEventType.opened, severity=Severity.critical))[0]
    joined = alerts(event(CaseEventType.post_added, severity=Severity.critical))[0]
    assert opened.incident == joined.incident


def test_a_critical_case_quotes_the_post_that_made_it_critical() -> None:
    """A reply joining a critical case alerts with the leak it is about, not the reply."""
    joined = event(
        CaseEventType.post_added,
        severity=Severity.critical,
        details={"post_id": "x:100", "quote_post_id": "x:99"},
    )
    quotes = {"x:99": "le mot de passe du routeur est [secret]", "x:100": "ok merci"}
    (alert,) = alerts(joined, quotes=quotes)
    assert alert.excerpt and "[secret]" in alert.excerpt


def test_escalation_of_the_same_rung_is_folded_into_the_breach() -> None:
    details = {
        "milestone": "first_response",
        "due_at": "2025-03-03T14:00:00+00:00",
        "rung": 1,
        "policy": "complaint",
    }
    breach = event(CaseEventType.sla_breached, task_id=7, team="customer_care", details=details)
    step = event(
        CaseEventType.escalated,
        task_id=7,
        team="customer_care",
        details=details | {"step": "notify_lead", "notify": "priya"},
    )
    (alert,) = alerts(breach, step)
    assert alert.kind is AlertKind.sla_breached
    assert ("Escalade / Escalation", "notify_lead → priya") in alert.facts
    assert ("Échéance / Due", "2025-03-03T14:00:00+00:00 (first_response)") in alert.facts


def test_a_later_escalation_alone_is_its_own_alert() -> None:
    step = event(
        CaseEventType.escalated,
        task_id=7,
        team="customer_care",
        details={"rung": 2, "step": "reassign", "reassigned_to": "kevin"},
    )
    (alert,) = alerts(step)
    assert alert.kind is AlertKind.escalated
    assert ("Escalade / Escalation", "reassign → kevin") in alert.facts


def test_a_new_deadline_is_a_new_incident() -> None:
    first = event(CaseEventType.sla_at_risk, task_id=7, details={"due_at": "a", "rung": 0})
    second = event(CaseEventType.sla_at_risk, task_id=7, details={"due_at": "b", "rung": 0})
    assert alerts(first)[0].incident != alerts(second)[0].incident


def test_a_high_risk_closing_waiting_for_review_alerts_the_team() -> None:
    waiting = event(
        CaseEventType.state_changed, team="legal", state="pending_review", actor="sophie",
        severity=Severity.critical, labels=[Label.risky_disclosure], task_id=7,
        details={"action": "resolve", "from": "assigned"},
    )
    (alert,) = alerts(waiting)
    assert alert.kind is AlertKind.review_requested
    assert alert.teams == ("legal",)
    assert ("Demandé par / Requested by", "sophie (resolve)") in alert.facts
    approved = event(CaseEventType.state_changed, team="legal", state="resolved", task_id=7,
                     details={"action": "approve", "from": "pending_review"})
    assert alerts(approved) == []


def test_a_critical_case_alert_names_the_assignees_of_its_tasks() -> None:
    opened = event(
        CaseEventType.opened,
        severity=Severity.critical,
        labels=[Label.risky_disclosure],
        details={"post_id": "x:7", "teams": ["legal"], "assignees": {"legal": "sophie"}},
    )
    (alert,) = alerts(opened)
    assert ("Responsable / Assignee", "sophie (legal)") in alert.facts
    unassigned = event(
        CaseEventType.opened, severity=Severity.critical, details={"teams": ["legal"]}
    )
    assert ("Responsable / Assignee", "—") in alerts(unassigned)[0].facts
