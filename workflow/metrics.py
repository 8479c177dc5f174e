"""The workflow's Prometheus metrics: prefix vigie_, bounded labels (outcomes, teams, types)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["CASE_EVENTS", "INTAKE_SECONDS", "VERDICTS"]

VERDICTS = Counter(
    "vigie_workflow_verdicts_total",
    "Verdicts received by the workflow, by outcome (routed, triage, recorded, duplicate, shadow, "
    "rejected).",
    ["outcome"],
)
CASE_EVENTS = Counter(
    "vigie_case_events_total",
    "Case lifecycle events written (opened, assigned, sla_at_risk, sla_breached, escalated...).",
    ["type", "team"],
)
INTAKE_SECONDS = Histogram(
    "vigie_workflow_intake_duration_seconds",
    "Time to turn one batch of verdicts into cases (one database transaction).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
