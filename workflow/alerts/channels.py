"""Alert channels: Slack and Teams incoming webhooks, e-mail (SMTP), signed generic webhook.

Each delivery retries with exponential backoff and jitter (tenacity) on network errors, 5xx,
429 (honouring Retry-After) and temporary SMTP refusals; a permanent refusal (4xx, 5xx SMTP) is
not retried. A message still refused is counted in vigie_alerts_failed_total, which
Prometheus watches: the alerting path itself is monitored by a second one.
"""

from __future__ import annotations

import json
import logging
import smtplib
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_random_exponential

from events.brand import AlertChannel, AlertPolicy
from events.errors import VigieError
from events.signing import sign, verify_signature
from workflow.alerts import render
from workflow.alerts.metrics import CHANNEL_ENABLED, DELIVERY_SECONDS, FAILED, SENT
from workflow.alerts.model import Alert, AlertKind, Notification

__all__ = [
    "Channel",
    "DeliveryError",
    "EmailChannel",
    "RetryPolicy",
    "build_channel",
    "build_channels",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)


class DeliveryError(VigieError):
    """A channel refused or could not take a message."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    initial: float = 1.0
    cap: float = 60.0
    timeout: float = 10.0

    @property
    def longest(self) -> timedelta:
        """How long one delivery can take at most, every attempt timing out and waiting."""
        return timedelta(seconds=self.attempts * (self.timeout + self.cap))


class Channel(ABC):
    """One configured destination: what it accepts, and how a message reaches it."""

    def __init__(self, config: AlertChannel, retry: RetryPolicy) -> None:
        self.config = config
        self.name = config.name
        self.retry = retry

    def accepts(self, alert: Alert) -> bool:
        config = self.config
        if config.kinds and alert.kind.value not in config.kinds:
            return False
        if config.teams and not set(config.teams) & set(alert.teams):
            return False
        return alert.severity.rank <= config.min_severity.rank

    def shown(self, alert: Alert) -> Alert:
        """The alert as this channel may see it: a restricted case is quoted only on channels
        limited to teams that own it; others get its link and labels."""
        return alert if alert.may_be_quoted_to(self.config.teams) else alert.unquoted()

    def deliver(self, notification: Notification) -> bool:
        """Send with retries; True once accepted, False (logged, counted) when it never was."""
        kind = notification.kind.value
        started = time.perf_counter()
        try:
            for attempt in Retrying(
                retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.retryable),
                stop=stop_after_attempt(self.retry.attempts),
                wait=self._wait,
                reraise=True,
            ):
                with attempt:
                    self._send(notification)
        except DeliveryError as exc:
            FAILED.labels(self.name, kind).inc()
            log.error(
                "alert %s to %s failed for good: %s", notification.delivery_id, self.name, exc
            )
            return False
        finally:
            DELIVERY_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        SENT.labels(self.name, kind).inc()
        return True

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_random_exponential(multiplier=self.retry.initial, max=self.retry.cap)(state)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, DeliveryError) and exc.retry_after:
            return min(max(exc.retry_after, backoff), self.retry.cap)
        return backoff

    @abstractmethod
    def _send(self, notification: Notification) -> None:
        """One attempt; DeliveryError(retryable=...) when it did not go through."""

    def close(self) -> None:  # noqa: B027 - optional hook: most channels hold nothing
        """Release connections."""


class _HttpChannel(Channel):
    def __init__(self, config: AlertChannel, retry: RetryPolicy, url: str) -> None:
        super().__init__(config, retry)
        self.url = url
        self._client = httpx.Client(timeout=retry.timeout, follow_redirects=False)

    def _post(self, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            response = self._client.post(
                self.url, content=body, headers={"Content-Type": "application/json", **headers}
            )
        except httpx.HTTPError as exc:
            # The URL of a Slack or Teams webhook is its credential: never in a message or log.
            reason = str(exc).replace(self.url, "[webhook URL]")
            raise DeliveryError(
                f"{self.name}: {type(exc).__name__}: {reason}", retryable=True
            ) from None
        if response.is_success:
            return
        status = response.status_code
        retryable = status == 429 or status >= 500 or status == 408
        raise DeliveryError(
            f"{self.name}: HTTP {status}: {response.text[:200]}",
            retryable=retryable,
            retry_after=_retry_after(response),
        )

    def close(self) -> None:
        self._client.close()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _json_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class SlackChannel(_HttpChannel):
    def _send(self, notification: Notification) -> None:
        self._post(_json_bytes(render.slack_payload(notification)), {})


class TeamsChannel(_HttpChannel):
    def _send(self, notification: Notification) -> None:
        self._post(_json_bytes(render.teams_payload(notification)), {})


class WebhookChannel(_HttpChannel):
    def __init__(self, config: AlertChannel, retry: RetryPolicy, url: str, secret: bytes) -> None:
        super().__init__(config, retry, url)
        self._secret = secret

    def _send(self, notification: Notification) -> None:
        body = _json_bytes(render.as_json(notification))
        timestamp = str(int(time.time()))
        self._post(
            body,
            {
                "X-Vigie-Delivery": notification.delivery_id,
                "X-Vigie-Timestamp": timestamp,
                "X-Vigie-Signature": sign(self._secret, timestamp, body),
            },
        )


class EmailChannel(Channel):
    def __init__(self, config: AlertChannel, retry: RetryPolicy, password: str | None) -> None:
        super().__init__(config, retry)
        self._password = password

    def _message(self, notification: Notification) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = render.subject(notification)
        message["From"] = self.config.sender
        message["To"] = ", ".join(self.config.recipients)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(idstring=notification.delivery_id, domain="vigie")
        message["X-Vigie-Delivery"] = notification.delivery_id
        message.set_content(render.text(notification))
        return message

    def _send(self, notification: Notification) -> None:
        self.send_message(self._message(notification))

    def send_message(self, message: EmailMessage) -> None:
        """One SMTP attempt with this channel's server and login (alerts, and mails to a person
        such as workflow.staff_mail's); DeliveryError(retryable=...) when it did not go through."""
        config = self.config
        try:
            with smtplib.SMTP(
                config.smtp_host or "", config.smtp_port, timeout=self.retry.timeout
            ) as smtp:
                if config.smtp_starttls:
                    smtp.starttls()
                if config.smtp_username and self._password:
                    smtp.login(config.smtp_username, self._password)
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"{self.name}: SMTP {exc.smtp_code} {exc.smtp_error!r}",
                retryable=400 <= exc.smtp_code < 500,
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(
                f"{self.name}: recipients refused: {exc.recipients}", retryable=False
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"{self.name}: {type(exc).__name__}: {exc}", retryable=True
            ) from exc


def _secret(environ: Mapping[str, str], name: str | None) -> str | None:
    value = environ.get(name, "").strip() if name else ""
    return value or None


def _build_one(
    config: AlertChannel, environ: Mapping[str, str], retry: RetryPolicy
) -> Channel | str:
    """The channel, or why it stays disabled (a secret it names is not set)."""
    missing = [v for v in (config.url_env, config.secret_env) if v and not _secret(environ, v)]
    if config.smtp_username and not _secret(environ, config.password_env):
        missing.append(config.password_env or "password_env")
    if missing:
        return f"{', '.join(missing)} not set"
    url = _secret(environ, config.url_env) or ""
    if config.type != "email" and not url.startswith(("https://", "http://")):
        return f"{config.url_env} is not an http(s) URL"
    if config.type == "slack":
        return SlackChannel(config, retry, url)
    if config.type == "teams":
        return TeamsChannel(config, retry, url)
    if config.type == "webhook":
        return WebhookChannel(
            config, retry, url, (_secret(environ, config.secret_env) or "").encode()
        )
    return EmailChannel(config, retry, _secret(environ, config.password_env))


def build_channel(
    config: AlertChannel, environ: Mapping[str, str], retry: RetryPolicy | None = None
) -> Channel | str:
    """One channel, or why it stays disabled (people's escalation notices and staff mails use it
    too); unlike build_channels, sets no alert metric."""
    return _build_one(config, environ, retry or RetryPolicy())


def build_channels(
    policy: AlertPolicy, environ: Mapping[str, str], retry: RetryPolicy | None = None
) -> list[Channel]:
    """The channels whose secrets are set; the others are logged and reported as disabled."""
    channels = []
    for config in policy.channels:
        built = _build_one(config, environ, retry or RetryPolicy())
        enabled = isinstance(built, Channel)
        CHANNEL_ENABLED.labels(config.name, config.type).set(1 if enabled else 0)
        if isinstance(built, Channel):
            channels.append(built)
            for kind in config.kinds or [k.value for k in AlertKind]:
                # Series at 0 from the start: Prometheus's increase() then sees the first failure.
                SENT.labels(config.name, kind)
                FAILED.labels(config.name, kind)
        else:
            log.warning("alert channel %s (%s) is disabled: %s", config.name, config.type, built)
    return channels
