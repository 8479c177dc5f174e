"""SLA reports: tasks met or breached per team, label or assignee, and per period.

A closed task met its SLA unless a deadline was met late; an open task counts as breached once
its running deadline passed, and as open otherwise.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from workflow.models import Task
from workflow.principal import Principal
from workflow.transitions import OPEN_STATES

__all__ = ["GROUPS", "PERIODS", "ReportRow", "sla_report", "to_csv"]

GROUPS = ("team", "label", "assignee")
PERIODS = ("all", "day", "week", "month")


@dataclass
class ReportRow:
    period: str
    group: str
    tasks: int = 0
    met: int = 0
    breached: int = 0
    open: int = 0
    at_risk: int = 0

    @property
    def met_ratio(self) -> float | None:
        decided = self.met + self.breached
        return round(self.met / decided, 4) if decided else None


def sla_report(
    session: Session,
    principal: Principal,
    *,
    group_by: str,
    period: str,
    since: datetime,
    until: datetime,
) -> list[ReportRow]:
    statement = (
        select(Task.team_id, Task.label, Task.assignee, Task.state, Task.sla_state, Task.opened_at)
        .where(col(Task.opened_at) >= since)
        .where(col(Task.opened_at) < until)
    )
    if not principal.is_admin:
        statement = statement.where(col(Task.team_id).in_(principal.teams))
    rows: dict[tuple[str, str], ReportRow] = {}
    for team, label, assignee, state, sla_state, opened_at in session.exec(statement):
        group = {"team": team, "label": label, "assignee": assignee or "(unassigned)"}[group_by]
        key = (_period(opened_at, period), group)
        row = rows.setdefault(key, ReportRow(*key))
        row.tasks += 1
        if state in OPEN_STATES:
            row.open += 1
            row.breached += sla_state == "breached"
            row.at_risk += sla_state == "at_risk"
        elif sla_state == "breached":
            row.breached += 1
        else:
            row.met += 1
    return [rows[k] for k in sorted(rows)]


def _period(moment: datetime, period: str) -> str:
    if period == "day":
        return moment.date().isoformat()
    if period == "week":
        monday = moment.date() - timedelta(days=moment.weekday())
        return f"week of {monday.isoformat()}"
    if period == "month":
        return moment.strftime("%Y-%m")
    return "all"


def to_csv(rows: list[ReportRow]) -> str:
    out = io.StringIO()
    fields = ["period", "group", "tasks", "met", "breached", "open", "at_risk", "met_ratio"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row) | {"met_ratio": row.met_ratio})
    return out.getvalue()
