"""The staff programme's scheduled pass (run by the workflow service beside the purge): policy
reminders and the weekly highlights digest, each mail once per step.

Steps, each keyed by the employee and their due date (a new due date starts new steps):
`policy_reminder` to the employee from `remind_before` the due date, with a signed link to the
acknowledgement page; `policy_overdue` to the employee and, separately (no link),
`policy_manager` to their manager once the date has passed. The digest goes to the highlight
recipients once per week, at `digest_day` and `digest_hour` in the triage team's time zone,
listing the highlights of the seven days before.

A mail's key is claimed in the database before it is sent and released when the SMTP server
refuses it, so several workflow replicas send each mail once and a refused one goes again at
the next pass.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from events.brand import BrandConfig
from workflow.db import transient_errors
from workflow.draft_links import DraftLink, sign
from workflow.highlights import HighlightView, describe, shown_highlights
from workflow.intake_posts import insert_ignore
from workflow.metrics import STAFF_MAILS
from workflow.models import StaffMail
from workflow.staff_mail import StaffMailer
from workflow.staff_policy import Standing, roster_standing

__all__ = [
    "KIND_NAMES",
    "StaffProgramme",
    "digest_moment",
    "link_expiry",
    "programme_from_settings",
]

log = logging.getLogger(__name__)

KIND_NAMES = {
    "helpful_answer": ("Réponse utile", "Helpful answer"),
    "customer_story": ("Histoire client", "Customer story"),
    "well_received": ("Très bien reçue", "Well received"),
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LINK_MINIMUM = timedelta(days=14)


def link_expiry(standing: Standing, now: datetime) -> datetime:
    """A reminder's link works until 30 days after the due date, and at least two weeks."""
    return max(standing.due_at + timedelta(days=30), now + LINK_MINIMUM).replace(microsecond=0)


def digest_moment(config: BrandConfig, now: datetime) -> datetime:
    """The latest digest time at or before `now` (weekday and hour in the triage team's zone)."""
    team = next(t for t in config.teams if t.id == config.triage_team)
    zone = ZoneInfo(config.calendars[team.calendar].timezone)
    local = now.astimezone(zone)
    policy = config.highlights
    back = (local.weekday() - _DAYS.index(policy.digest_day)) % 7
    moment = (local - timedelta(days=back)).replace(
        hour=policy.digest_hour, minute=0, second=0, microsecond=0
    )
    if moment > local:
        moment -= timedelta(days=7)
    return moment


@dataclass
class StaffProgramme:
    config: BrandConfig
    policy_mailer: StaffMailer | None
    digest_mailer: StaffMailer | None
    link_key: bytes
    public_url: str

    def run(self, engine: Engine, now: datetime) -> dict[str, int]:
        """One pass: mails due as of `now`; returns how many of each kind went out."""
        sent = {"policy_reminder": 0, "policy_overdue": 0, "policy_manager": 0, "highlights_digest": 0}
        if self.config.staff_policy is not None and self.policy_mailer is not None:
            with transient_errors("reading the policy roster"), Session(engine) as session:
                standings = roster_standing(session, self.config, now)
                session.commit()
            for found in standings:
                for kind, to, subject, body in self._policy_mails(found, now):
                    key = f"{kind}:{found.staff_id}:{found.due_at:%Y-%m-%dT%H:%M}"
                    if self._send_once(engine, self.policy_mailer, kind, key, to, subject, body):
                        sent[kind] += 1
        if self.digest_mailer is not None and self.config.highlights.recipients:
            moment = digest_moment(self.config, now)
            key = f"highlights_digest:{moment:%Y-%m-%d}"
            with transient_errors("reading highlights"), Session(engine) as session:
                week = shown_highlights(
                    session, self.config, since=moment - timedelta(days=7), until=moment
                )
            if week:
                subject, body = self._digest(moment, week)
                recipients = list(self.config.highlights.recipients)
                if self._send_once(
                    engine, self.digest_mailer, "highlights_digest", key, recipients, subject, body
                ):
                    sent["highlights_digest"] += 1
        return sent

    def _send_once(
        self,
        engine: Engine,
        mailer: StaffMailer,
        kind: str,
        key: str,
        to: list[str],
        subject: str,
        body: str,
    ) -> bool:
        with transient_errors("claiming a staff mail"), Session(engine) as session:
            claimed = insert_ignore(session, StaffMail, [{"key": key[:200]}])
            session.commit()
        if not claimed:
            return False
        if mailer.send(to, subject, body, key=key):
            STAFF_MAILS.labels(kind, "sent").inc()
            return True
        STAFF_MAILS.labels(kind, "failed").inc()
        with transient_errors("releasing a staff mail"), Session(engine) as session:
            session.execute(sa.delete(StaffMail).where(StaffMail.key == key[:200]))  # type: ignore[arg-type]
            session.commit()
        return False

    def _policy_mails(
        self, found: Standing, now: datetime
    ) -> list[tuple[str, list[str], str, str]]:
        policy = self.config.staff_policy
        assert policy is not None
        member = next(m for m in self.config.staff if m.id == found.staff_id)
        due = f"{found.due_at:%Y-%m-%d}"
        mails: list[tuple[str, list[str], str, str]] = []
        if found.status == "current":
            return mails
        link = self._link(found, now)
        words = (
            f"Bonjour {member.name},\n\n"
            f"La politique d'utilisation des médias sociaux (version {policy.version}) est à "
            f"lire et à accepter {'avant le' if found.status == 'due' else 'depuis le'} {due} :\n"
            f"  {policy.url}\nPour l'accepter (aucun compte requis) : {link}\n\n"
            f"Hello {member.name},\n\n"
            f"The social media policy (version {policy.version}) is to be read and accepted "
            f"{'by' if found.status == 'due' else 'since'} {due}:\n  {policy.url}\n"
            f"To accept it (no account needed): {link}\n"
        )
        if member.email:
            kind = "policy_reminder" if found.status == "due" else "policy_overdue"
            subject = (
                f"Politique médias sociaux {policy.version} : à accepter d'ici le {due} / "
                f"Social media policy {policy.version}: please accept by {due}"
                if found.status == "due"
                else f"Politique médias sociaux {policy.version} : acceptation en retard / "
                f"Social media policy {policy.version}: acceptance overdue"
            )
            mails.append((kind, [member.email], subject, words))
        manager = self.config.person_email(member.manager) if member.manager else None
        if found.status == "overdue" and manager:
            mails.append((
                "policy_manager",
                [manager],
                f"{member.name} : politique médias sociaux non acceptée / policy not accepted",
                f"{member.name} n'a pas accepté la politique d'utilisation des médias sociaux "
                f"(version {policy.version}), attendue le {due}. Un rappel lui a été envoyé.\n\n"
                f"{member.name} has not accepted the social media policy (version "
                f"{policy.version}), due on {due}. A reminder was sent to them.\n"
                f"{self.public_url}/staff\n",
            ))
        return mails

    def _link(self, found: Standing, now: datetime) -> str:
        token = sign(self.link_key, DraftLink(found.staff_id, link_expiry(found, now), "policy"))
        return f"{self.public_url}/acknowledge?link={token}"

    def _digest(self, moment: datetime, week: list[HighlightView]) -> tuple[str, str]:
        start = f"{moment - timedelta(days=7):%Y-%m-%d}"
        lines = [
            f"Points forts de l'équipe / Staff highlights, {start} – {moment:%Y-%m-%d}",
            f"{len(week)} publication(s) / post(s)",
            "",
        ]
        for view in week:
            fr, en = KIND_NAMES.get(view.kind, (view.kind, view.kind))
            lines.append(f"* {view.name} — {fr} / {en} — {view.posted_at:%Y-%m-%d %H:%M} UTC")
            if view.text:
                lines.append(f"  « {view.text[:280]} »")
            if view.url:
                lines.append(f"  {view.url}")
            lines.extend(f"  - {describe(item)}" for item in view.evidence)
            lines.append("")
        lines.append(f"{self.public_url}/staff")
        subject = f"Points forts de l'équipe / Staff highlights — {moment:%Y-%m-%d}"
        return subject, "\n".join(lines)


def programme_from_settings(
    config: BrandConfig,
    environ: Mapping[str, str] | None,
    link_key: Callable[[], bytes],
    public_url: str,
) -> StaffProgramme:
    """The pass as the workflow service runs it (mailers from the brand's email channels)."""
    env = os.environ if environ is None else environ
    mailer = StaffMailer.from_config(config, env)
    return StaffProgramme(
        config=config,
        policy_mailer=mailer if config.staff_policy else None,
        digest_mailer=mailer if config.highlights.recipients else None,
        link_key=link_key(),
        public_url=public_url.rstrip("/"),
    )
