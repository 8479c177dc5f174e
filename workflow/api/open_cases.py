"""`vigie_cases_open{team,label,state}`, counted in the database at each scrape.

A gauge moved by the processes that change cases would drift: intake, the API and the SLA clock
all change them, on several replicas, across restarts. Counting the open tasks when Prometheus
asks gives the true figure on every API replica; the replicas agree, so dashboards aggregate
them with max, never sum.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from workflow.models import Task
from workflow.transitions import OPEN_STATE_VALUES

__all__ = ["OpenCasesCollector"]

log = logging.getLogger(__name__)

HELP = (
    "Open cases per owning team (one per team's task), its label and state, counted in the "
    "database at scrape time: every API replica reports the same figure (aggregate with max)."
)


class OpenCasesCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[Metric]:
        return []  # no database query when the collector is registered

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("vigie_cases_open", HELP, labels=["team", "label", "state"])
        for team, label, state, count in self._rows():
            family.add_metric([team, label, state], count)
        yield family

    def _rows(self) -> list[tuple[str, str, str, int]]:
        statement = (
            select(Task.team_id, Task.label, Task.state, func.count())
            .where(col(Task.state).in_(OPEN_STATE_VALUES))
            .group_by(col(Task.team_id), col(Task.label), col(Task.state))
        )
        try:
            with Session(self.engine) as session:
                return [tuple(row) for row in session.exec(statement)]  # type: ignore[misc]
        except SQLAlchemyError as exc:
            log.warning("cannot count open cases for /metrics: %s", exc)
            return []
