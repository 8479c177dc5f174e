"""The workflow's Prometheus metrics: prefix vigie_, bounded labels (outcomes, teams, labels).

`vigie_cases_open` is not here: the API computes it from the database at each scrape
(workflow.api.open_cases), so it is right whichever process changed a case.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "CASE_EVENTS",
    "FIRST_RESPONSE_SECONDS",
    "ERASURES",
    "INTAKE_SECONDS",
    "PURGED",
    "RELABELS",
    "RESOLUTION_SECONDS",
    "STAFF_HIGHLIGHTS",
    "STAFF_MAILS",
    "VERDICTS",
]

VERDICTS = Counter(
    "vigie_workflow_verdicts_total",
    "Verdicts received by the workflow, by outcome (routed, triage, joined: a reply or follow-up "
    "raising no concern that joined its conversation's case, recorded, duplicate, shadow, "
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
_MINUTE, _HOUR, _DAY = 60, 3600, 86400
FIRST_RESPONSE_SECONDS = Histogram(
    "vigie_first_response_seconds",
    "Wall-clock time (not business time) from a task's opening to its team's first response "
    "(acknowledge, wait on the customer, a closing, or the brand's reply on the platform), by "
    "owning team.",
    ["team"],
    buckets=(
        *(x * _MINUTE for x in (1, 5, 15, 30)),
        *(x * _HOUR for x in (1, 2, 4, 8, 24)),
        *(x * _DAY for x in (2, 3, 5, 10)),
    ),
)
RESOLUTION_SECONDS = Histogram(
    "vigie_resolution_seconds",
    "Wall-clock time (not business time, pauses included) from a task's opening to its "
    "resolution (approval, on high-risk cases), by owning team; dismissals are not counted.",
    ["team"],
    buckets=(
        *(x * _MINUTE for x in (5, 15, 30)),
        *(x * _HOUR for x in (1, 2, 4, 8, 24)),
        *(x * _DAY for x in (2, 3, 5, 10, 20, 30)),
    ),
)
RELABELS = Counter(
    "vigie_relabels_total",
    "Labels people added to or removed from cases (corrections the next model trains on).",
    ["label", "change"],
)
PURGED = Counter(
    "vigie_purged_records_total",
    "Records deleted (or, for cases whose posts expired, blanked) by the retention purge, by "
    "kind (closed_case_posts, unrouted_posts, cases, audit, feedback, shadow_verdicts, "
    "case_events).",
    ["kind"],
)
ERASURES = Counter(
    "vigie_erasures_total",
    "Erasure requests carried out (all that Vigie held about one author removed).",
)

STAFF_HIGHLIGHTS = Counter(
    "vigie_staff_highlights_total",
    "Staff posts gathered as highlights, by kind (helpful_answer, customer_story, well_received).",
    ["kind"],
)
STAFF_MAILS = Counter(
    "vigie_staff_mails_total",
    "Staff-programme mails, by kind (policy_reminder, policy_overdue, highlights_digest) and "
    "outcome (sent, failed).",
    ["kind", "outcome"],
)
