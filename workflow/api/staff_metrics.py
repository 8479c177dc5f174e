"""`vigie_staff_policy_employees{status}`: employees of the roster current, due or overdue with
the social-media policy, computed at each scrape (like vigie_cases_open: every API replica
reports the same figure; aggregate with max). Reading writes nothing: an employee the workflow
has not seen yet counts from now."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from events.brand import BrandConfig
from events.schemas import utcnow
from workflow.staff_policy import roster_standing

__all__ = ["PolicyStandingCollector"]

log = logging.getLogger(__name__)


class PolicyStandingCollector(Collector):
    def __init__(self, engine: Engine, config: BrandConfig) -> None:
        self.engine = engine
        self.config = config

    def describe(self) -> list[Metric]:
        return []  # no database query when the collector is registered

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "vigie_staff_policy_employees",
            "Employees of the staff roster by standing with the social-media policy (current, "
            "due, overdue), computed at scrape time (aggregate replicas with max).",
            labels=["status"],
        )
        counts = dict.fromkeys(("current", "due", "overdue"), 0)
        try:
            with Session(self.engine) as session:
                for standing in roster_standing(session, self.config, utcnow()):
                    counts[standing.status] += 1
                session.rollback()
        except SQLAlchemyError as exc:
            log.warning("cannot count the policy standing for /metrics: %s", exc)
            return
        for status, count in counts.items():
            family.add_metric([status], count)
        yield family
