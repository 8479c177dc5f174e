"""Telling people of their escalations: notify_assignee and notify_lead reach the person.

The SLA clock queues a notice in the transaction that fires the step (`queue`). `Notifier`
delivers it to the member's own alert channel when the brand configuration names one
(`notify`), else by e-mail to their address in the directory, through the SMTP server and sender
of the alerts' e-mail channel (`alerts.people_email`, else the first one): the same channel
code, retries and metrics as alerts. A notice is claimed before it is sent, so workflow replicas
never both send it; a crash between the server's answer and the commit sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from events.brand import AlertChannel, BrandConfig
from events.schemas import Severity
from workflow.alerts.channels import Channel, RetryPolicy, build_channel
from workflow.alerts.model import Alert, AlertKind, Notification
from workflow.db import transient_errors
from workflow.models import Case, Member, Notice, Task

__all__ = ["MAX_ATTEMPTS", "Notifier", "queue"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
"""Passes (each with the channel's own retries) before a notice is given up, with its reason."""
CLAIM_TIMEOUT = timedelta(minutes=10)
"""A claim older than this belonged to a process that died: the notice is free again."""
BATCH = 50

_ROLES = {"notify_assignee": "responsable / assignee", "notify_lead": "chef d'équipe / lead"}


def queue(
    session: Session,
    *,
    case: Case,
    task: Task,
    member_id: str,
    step: str,
    now: datetime,
    details: dict[str, Any],
) -> None:
    """Queue a notice to `member_id` in the caller's transaction."""
    session.add(
        Notice(
            case_id=case.id,  # type: ignore[arg-type]
            task_id=task.id,
            member_id=member_id,
            step=step,
            details=details,
            created_at=now,
        )
    )


class Notifier:
    """Delivers queued notices; one per workflow process, safe across replicas."""

    def __init__(
        self,
        engine: Engine,
        config: BrandConfig,
        *,
        public_url: str,
        environ: Mapping[str, str],
        retry: RetryPolicy | None = None,
        keep_sent: timedelta = timedelta(days=30),
    ) -> None:
        self.engine = engine
        self.public_url = (config.alerts.public_url or public_url).rstrip("/")
        self.environ = environ
        self.retry = retry or RetryPolicy()
        self.keep_sent = keep_sent
        channels = config.alerts.channels
        self.mail: AlertChannel | None = config.people_mail_channel()
        self.personal = {m.id: m.notify for t in config.teams for m in t.members if m.notify}
        self.channel_configs = {c.name: c for c in channels}
        self._built: dict[str, Channel | str] = {}

    def send_pending(self, now: datetime) -> int:
        """Deliver every notice that is due; returns how many reached their person."""
        sent = sum(self._deliver(notice_id, now) for notice_id in self._claim(now))
        self._forget_sent(now)
        return sent

    def close(self) -> None:
        for channel in self._built.values():
            if isinstance(channel, Channel):
                channel.close()

    def _claim(self, now: datetime) -> list[int]:
        free = sa.or_(col(Notice.claimed_at).is_(None), col(Notice.claimed_at) < now - CLAIM_TIMEOUT)
        due = [col(Notice.sent_at).is_(None), col(Notice.attempts) < MAX_ATTEMPTS, free]
        claimed = []
        with transient_errors("claiming notices"), Session(self.engine) as session:
            ids = session.exec(select(Notice.id).where(*due).order_by(col(Notice.id)).limit(BATCH))
            for notice_id in list(ids):
                taken = session.execute(
                    sa.update(Notice).where(col(Notice.id) == notice_id, *due).values(claimed_at=now)
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(notice_id)
            session.commit()
        return claimed  # type: ignore[return-value]

    def _deliver(self, notice_id: int, now: datetime) -> int:
        with transient_errors("sending a notice"), Session(self.engine) as session:
            notice = session.get(Notice, notice_id)
            if notice is None:
                return 0
            member = session.get(Member, notice.member_id)
            case = session.get(Case, notice.case_id)
            task = session.get(Task, notice.task_id) if notice.task_id else None
            channel, why_not = self._channel_for(member)
            if case is None or task is None or member is None or channel is None:
                reason = why_not or "the case or the member no longer exists"
                log.warning("notice %s to %s cannot be sent: %s", notice_id, notice.member_id, reason)
                notice.attempts, notice.last_error = MAX_ATTEMPTS, reason[:500]
                session.commit()
                return 0
            delivered = channel.deliver(Notification((self._alert(notice, member, case, task),)))
            notice.attempts += 1
            notice.claimed_at = None
            if delivered:
                notice.sent_at, notice.last_error = now, ""
            else:
                notice.last_error = f"{channel.name} did not take it (see the log)"
            session.commit()
            return int(delivered)

    def _channel_for(self, member: Member | None) -> tuple[Channel | None, str]:
        """The member's own channel, else e-mail to them; or None and why."""
        if member is None:
            return None, "no such member"
        own = self.personal.get(member.id)
        if own:
            built = self._built.get(own) or build_channel(
                self.channel_configs[own], self.environ, self.retry
            )
            self._built[own] = built
            return (built, "") if isinstance(built, Channel) else (None, f"{own}: {built}")
        if not member.email:
            return None, f"{member.id} has no e-mail address and no channel (`notify`)"
        if self.mail is None:
            return None, "no e-mail channel in the alerts configuration to send it through"
        personal = self.mail.model_copy(
            update={"recipients": [member.email], "kinds": [], "teams": []}
        )
        built = build_channel(personal, self.environ, self.retry)
        if isinstance(built, Channel):
            return built, ""
        return None, f"{self.mail.name}: {built}"

    def _alert(self, notice: Notice, member: Member, case: Case, task: Task) -> Alert:
        details = notice.details
        facts = [
            ("Pour / For", f"{member.name} ({_ROLES.get(notice.step, notice.step)})"),
            ("Étiquettes / Labels", ", ".join(task.labels) or "—"),
            ("Gravité / Severity", task.severity),
            ("Équipe / Team", task.team_id),
            ("Responsable / Assignee", task.assignee or "—"),
        ]
        if details.get("due_at"):
            facts.append(
                ("Échéance / Due", f"{details['due_at']} ({details.get('milestone', 'deadline')})")
            )
        return Alert(
            kind=AlertKind.escalated,
            incident=f"notice:{notice.id}",
            title=f"Escalade / Escalation #{case.id}",
            link=f"{self.public_url}/cases/{case.id}",
            at=notice.created_at,
            severity=Severity(task.severity),
            teams=(task.team_id,),
            labels=tuple(task.labels),
            facts=tuple(facts),
            case_id=case.id,
        )

    def _forget_sent(self, now: datetime) -> None:
        """Sent and given-up notices go once they are older than `keep_sent`."""
        cutoff = now - self.keep_sent
        given_up = sa.and_(col(Notice.attempts) >= MAX_ATTEMPTS, col(Notice.created_at) < cutoff)
        with transient_errors("forgetting sent notices"), Session(self.engine) as session:
            session.execute(sa.delete(Notice).where(sa.or_(col(Notice.sent_at) < cutoff, given_up)))
            session.commit()
