"""Mail to a person (an employee, their manager, the comms lead): the staff programme's one way
to send e-mail, through the SMTP server, login and sender of the channel that writes to people
(`alerts.people_email`; escalation notices use the same one).

One attempt per call: the scheduled pass that sends (workflow.staff_programme) records a mail
as sent only when the server took it, so a refused one goes again at the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from events.brand import BrandConfig
from workflow.alerts.channels import DeliveryError, EmailChannel, build_channel

__all__ = ["StaffMailer"]

log = logging.getLogger(__name__)


class StaffMailer:
    def __init__(self, channel: EmailChannel) -> None:
        self.channel = channel

    @classmethod
    def from_config(cls, config: BrandConfig, environ: Mapping[str, str]) -> StaffMailer | None:
        """The mailer of the channel that writes to people (`alerts.people_email`, else the first
        email channel); None when there is none or its password variable is unset (logged: the
        pages still show who is due)."""
        chosen = config.people_mail_channel()
        if chosen is None:
            log.warning("staff mails are off: no email channel in the brand configuration")
            return None
        built = build_channel(chosen, environ)
        if not isinstance(built, EmailChannel):
            log.warning("staff mails are off: email channel %s is disabled: %s", chosen.name, built)
            return None
        return cls(built)

    def send(self, to: Sequence[str], subject: str, body: str, *, key: str) -> bool:
        """True once the SMTP server accepted the mail; False (logged) when it did not."""
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.channel.config.sender
        message["To"] = ", ".join(to)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="vigie")
        message["X-Vigie-Mail"] = key
        message.set_content(body)
        try:
            self.channel.send_message(message)
        except DeliveryError as exc:
            log.warning("mail %s not sent, will retry at the next pass: %s", key, exc)
            return False
        return True
