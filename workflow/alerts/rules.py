"""Which case events become alerts, and how they read (pure functions).

A critical case alerts when it opens (or when a critical post joins it); a high-risk closing
waiting for a second person alerts the team, so the review does not sit unseen; SLA warnings and
breaches alert per task and deadline; an escalation step fired in the same clock pass as a
warning or breach is folded into that alert instead of sending a second one. A rumour story past
its threshold is an escalation of its case (workflow.stories), told with the story's number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from events.schemas import CaseEvent, CaseEventType, Severity
from workflow.alerts.model import Alert, AlertKind

__all__ = ["case_alerts"]

ExcerptLookup = Callable[[str], str | None]

_TITLES = {
    AlertKind.critical: "Cas critique / Critical case",
    AlertKind.sla_at_risk: "Échéance proche / SLA at risk",
    AlertKind.sla_breached: "Échéance dépassée / SLA breached",
    AlertKind.escalated: "Escalade / Escalation",
    AlertKind.review_requested: "Deuxième avis demandé / Second review needed",
}
_SLA_KINDS = {
    CaseEventType.sla_at_risk: AlertKind.sla_at_risk,
    CaseEventType.sla_breached: AlertKind.sla_breached,
}


def case_alerts(
    events: Sequence[CaseEvent], *, public_url: str, excerpt_of: ExcerptLookup
) -> list[Alert]:
    """The alerts a batch of case events raises, in order."""
    sla_rungs = {_rung_key(e) for e in events if e.type in _SLA_KINDS}
    steps = {
        _rung_key(e): e
        for e in events
        if e.type is CaseEventType.escalated and _rung_key(e) in sla_rungs
    }
    alerts: list[Alert] = []
    for event in events:
        key = _rung_key(event)
        if event.type is CaseEventType.escalated and key in sla_rungs:
            continue  # told inside the warning/breach of the same rung
        escalation = steps.get(key) if event.type in _SLA_KINDS else None
        alert = _alert(event, public_url, excerpt_of, escalation)
        if alert is not None:
            alerts.append(alert)
    return alerts


def _rung_key(event: CaseEvent) -> tuple[int, int | None, object]:
    return (event.case_id, event.task_id, event.details.get("rung"))


def _alert(
    event: CaseEvent, public_url: str, excerpt_of: ExcerptLookup, escalation: CaseEvent | None
) -> Alert | None:
    kind, incident = _classify(event)
    if kind is None:
        return None
    # Quote the post that set the case's severity, not a reply or follow-up that joined it.
    post_id = event.details.get("quote_post_id") or event.details.get("post_id")
    return Alert(
        kind=kind,
        incident=incident,
        title=f"{_TITLES[kind]} #{event.case_id}",
        link=f"{public_url.rstrip('/')}/cases/{event.case_id}",
        at=event.at,
        severity=event.severity or Severity.normal,
        teams=_teams(event),
        labels=tuple(label.value for label in event.labels),
        facts=_facts(event, escalation),
        excerpt=excerpt_of(post_id) if isinstance(post_id, str) else None,
        case_id=event.case_id,
        readers=_owners(event) if event.restricted else None,
    )


def _classify(event: CaseEvent) -> tuple[AlertKind | None, str]:
    """The alert kind and incident key of an event, or (None, '') when it does not alert."""
    critical = event.severity is Severity.critical
    if event.type in (CaseEventType.opened, CaseEventType.post_added) and critical:
        return AlertKind.critical, f"critical:{event.case_id}"
    if event.type in _SLA_KINDS:
        kind = _SLA_KINDS[event.type]
        due = event.details.get("due_at")
        return kind, f"{kind.value}:{event.case_id}:{event.task_id}:{due}"
    if event.type is CaseEventType.state_changed and event.state == "pending_review":
        return AlertKind.review_requested, f"review:{event.case_id}:{event.task_id}:{event.at}"
    if event.type is CaseEventType.escalated:
        rung = event.details.get("rung")
        return AlertKind.escalated, f"escalated:{event.case_id}:{event.task_id}:{rung}"
    return None, ""


def _teams(event: CaseEvent) -> tuple[str, ...]:
    teams = [event.team] if event.team else list(event.details.get("teams") or [])
    teams += list(event.details.get("copy_to") or [])
    return tuple(dict.fromkeys(t for t in teams if isinstance(t, str)))


def _owners(event: CaseEvent) -> tuple[str, ...]:
    """The teams owning a task of the case (copy teams do not see a restricted case)."""
    teams = [event.team] if event.team else list(event.details.get("teams") or [])
    return tuple(t for t in teams if isinstance(t, str))


def _facts(event: CaseEvent, escalation: CaseEvent | None) -> tuple[tuple[str, str], ...]:
    details = event.details
    facts = [
        ("Étiquettes / Labels", ", ".join(label.value for label in event.labels) or "—"),
        ("Gravité / Severity", event.severity.value if event.severity else "—"),
        ("Équipe / Team", ", ".join(_teams(event)) or "—"),
        ("Responsable / Assignee", event.assignee or _assignees(event) or "—"),
    ]
    if event.type is CaseEventType.state_changed:
        asked = f"{event.actor} ({details.get('action', '?')})"
        facts.append(("Demandé par / Requested by", asked))
    if details.get("due_at"):
        milestone = details.get("milestone", "deadline")
        facts.append(("Échéance / Due", f"{details['due_at']} ({milestone})"))
    if "story_id" in details:  # a rumour story reached the brand's threshold (workflow.stories)
        volume = details.get("story_volume", "?")
        facts.append(("Rumeur / Story", f"#{details['story_id']} · {volume} publications / posts"))
    for step_event in filter(
        None, [escalation, event if event.type is CaseEventType.escalated else None]
    ):
        facts.append(("Escalade / Escalation", _describe_step(step_event.details)))
    return tuple(facts)


def _assignees(event: CaseEvent) -> str:
    """A case-wide event (opened, post added) names each task's assignee: `member (team)`."""
    found = event.details.get("assignees")
    if not isinstance(found, dict):
        return ""
    return ", ".join(f"{member} ({team})" for team, member in found.items() if member)


def _describe_step(details: dict) -> str:
    step = str(details.get("step", "?"))
    for key in ("notify", "reassigned_to", "severity"):
        if key in details:
            return f"{step} → {details[key] or '—'}"
    return step
