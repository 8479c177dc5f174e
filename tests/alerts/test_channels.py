"""Each channel against a local receiver: retries with backoff, permanent refusals, signatures,
secrets from the environment only."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from prometheus_client import REGISTRY

from events.brand import AlertChannel, AlertPolicy
from events.schemas import Severity
from workflow.alerts.channels import RetryPolicy, build_channels, verify_signature
from workflow.alerts.model import Alert, AlertKind, Notification

FAST = RetryPolicy(attempts=4, initial=0.01, cap=0.2, timeout=5)
AT = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


def note(severity: Severity = Severity.critical, team: str = "legal") -> Notification:
    return Notification(
        (
            Alert(
                kind=AlertKind.critical,
                incident="critical:9",
                title="Cas critique / Critical case #9",
                link="https://v.example/cases/9",
                at=AT,
                severity=severity,
                teams=(team,),
                labels=("risky_disclosure",),
                facts=(("Équipe / Team", team),),
                excerpt="voici le courriel du client [courriel/email]",
                case_id=9,
            ),
        )
    )


def one(config: dict, env: dict[str, str]):
    (channel,) = build_channels(AlertPolicy(channels=[AlertChannel(**config)]), env, FAST)
    return channel


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_slack_retries_server_errors_then_delivers(receiver) -> None:
    receiver.script = [(500, {}), (503, {})]
    channel = one(
        {"name": "slack-retry", "type": "slack", "url_env": "SLACK_URL"},
        {"SLACK_URL": receiver.url},
    )
    assert channel.deliver(note())
    (request,) = receiver.requests
    assert request.json()["blocks"][1]["text"]["text"].startswith("*<https://v.example/cases/9|")
    assert metric("vigie_alerts_sent_total", channel="slack-retry", kind="critical") == 1


def test_rate_limit_waits_for_retry_after(receiver) -> None:
    receiver.script = [(429, {"Retry-After": "0.15"})]
    channel = one(
        {"name": "teams-429", "type": "teams", "url_env": "TEAMS_URL"}, {"TEAMS_URL": receiver.url}
    )
    assert channel.deliver(note())
    card = receiver.requests[0].json()["attachments"][0]["content"]
    assert card["actions"][0]["url"] == "https://v.example/cases/9"


def test_a_permanent_refusal_is_not_retried_and_is_counted(receiver) -> None:
    receiver.script = [(400, {}), (200, {})]
    channel = one(
        {"name": "slack-bad", "type": "slack", "url_env": "SLACK_URL"}, {"SLACK_URL": receiver.url}
    )
    assert not channel.deliver(note())
    assert receiver.requests == [] and len(receiver.script) == 1  # asked once only
    assert metric("vigie_alerts_failed_total", channel="slack-bad", kind="critical") == 1


def test_gives_up_after_the_last_attempt(receiver) -> None:
    receiver.script = [(502, {})] * 4
    channel = one(
        {"name": "slack-down", "type": "slack", "url_env": "SLACK_URL"}, {"SLACK_URL": receiver.url}
    )
    assert not channel.deliver(note())
    assert receiver.script == []
    assert metric("vigie_alerts_failed_total", channel="slack-down", kind="critical") == 1


def test_webhook_is_signed_and_verifiable(receiver) -> None:
    env = {"HOOK_URL": receiver.url, "HOOK_KEY": "s3cr3t-signing-key"}
    channel = one(
        {"name": "hook", "type": "webhook", "url_env": "HOOK_URL", "secret_env": "HOOK_KEY"}, env
    )
    sent = note()
    assert channel.deliver(sent)
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-vigie-delivery"] == sent.delivery_id
    args = {
        "timestamp": headers["x-vigie-timestamp"],
        "body": request.body,
        "signature": headers["x-vigie-signature"],
    }
    assert verify_signature(b"s3cr3t-signing-key", **args)
    assert not verify_signature(b"another-key", **args)
    assert not verify_signature(b"s3cr3t-signing-key", **(args | {"body": request.body + b" "}))
    assert not verify_signature(b"s3cr3t-signing-key", **args, now=float(args["timestamp"]) + 3600)
    assert request.json()["alerts"][0]["link"] == "https://v.example/cases/9"


def test_email_through_a_real_smtp_server(mailbox) -> None:
    config = {
        "name": "mail",
        "type": "email",
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "smtp_starttls": False,
        "sender": "vigie@laurentia.example",
        "recipients": ["garde@laurentia.example", "legal@laurentia.example"],
    }
    mailbox.refuse = [451]  # a temporary refusal: retried
    assert one(config, {}).deliver(note())
    (envelope,) = mailbox.wait_for(1)
    assert envelope.rcpt_tos == ["garde@laurentia.example", "legal@laurentia.example"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"].startswith("[Vigie · critical] Cas critique / Critical case #9")
    body = message.get_content()
    assert "https://v.example/cases/9" in body and "[courriel/email]" in body


def test_email_permanent_refusal_fails_once(mailbox) -> None:
    config = {
        "name": "mail-550",
        "type": "email",
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "smtp_starttls": False,
        "sender": "vigie@laurentia.example",
        "recipients": ["x@l.example"],
    }
    mailbox.refuse = [554, 554]
    assert not one(config, {}).deliver(note())
    assert mailbox.refuse == [554]


def test_channels_without_their_secret_are_disabled(caplog: pytest.LogCaptureFixture) -> None:
    policy = AlertPolicy(
        channels=[
            AlertChannel(name="nourl", type="slack", url_env="UNSET_SLACK_URL"),
            AlertChannel(name="notaurl", type="teams", url_env="TEAMS_URL"),
            AlertChannel(
                name="nopass",
                type="email",
                smtp_host="h",
                smtp_username="vigie",
                password_env="UNSET_PASSWORD",
                sender="a@b.c",
                recipients=["d@e.f"],
            ),
        ]
    )
    assert build_channels(policy, {"TEAMS_URL": "ftp://nope"}, FAST) == []
    assert "UNSET_SLACK_URL not set" in caplog.text and "UNSET_PASSWORD not set" in caplog.text
    assert "TEAMS_URL is not an http(s) URL" in caplog.text
    assert metric("vigie_alert_channel_enabled", channel="nourl", type="slack") == 0


@pytest.mark.parametrize(
    ("config", "alert_fields", "accepted"),
    [
        ({}, {}, True),
        ({"min_severity": "critical"}, {"severity": Severity.high}, False),
        ({"teams": ["security"]}, {"team": "legal"}, False),
        ({"teams": ["legal"]}, {"team": "legal"}, True),
        ({"kinds": ["sla_breached"]}, {}, False),
    ],
)
def test_channel_filters(config: dict, alert_fields: dict, accepted: bool) -> None:
    channel = one(
        {"name": "f", "type": "slack", "url_env": "U"} | config, {"U": "https://h.example/x"}
    )
    assert channel.accepts(note(**alert_fields).first) is accepted
