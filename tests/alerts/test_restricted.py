"""What an alert may quote: a restricted case only to channels limited to its owning teams,
secrets and personal data never, post text never as markup. Real channels, local receivers."""

from __future__ import annotations

import json
from typing import Any

from helpers import make_post

from events.brand import AlertChannel, AlertPolicy, load_brand_config
from events.kafka_io import Delivery
from events.schemas import (
    CaseEvent,
    CaseEventType,
    Evidence,
    Label,
    LabelVerdict,
    Severity,
    Verdict,
)
from events.settings import BUNDLED_BRAND_CONFIG
from workflow.alerts.alerter import Alerter
from workflow.alerts.channels import RetryPolicy, build_channels

FAST = RetryPolicy(attempts=2, initial=0.01, cap=0.1, timeout=5)
LEAK = (
    "Le wifi du bureau: mot de passe Laurentia2026! et le VPN pass is Hx7#kq9, "
    "voir [la note](https://evil.example/phish) du client"
)


def _delivery(event: Any) -> Delivery[Any]:
    return Delivery(event=event, record=None)  # type: ignore[arg-type]


def _alerter(receiver: Any, channels: list[dict[str, Any]]) -> Alerter:
    config = load_brand_config(BUNDLED_BRAND_CONFIG)
    env = {f"URL_{i}": f"{receiver.url}/{c['name']}" for i, c in enumerate(channels)}
    env["KEY"] = "signing-key"
    policy = AlertPolicy(
        channels=[
            AlertChannel(**({"url_env": f"URL_{i}", "min_severity": "normal"} | c))
            for i, c in enumerate(channels)
        ]
    )
    return Alerter(config, build_channels(policy, env, FAST), public_url="https://v.example")


def _leak_and_open(alerter: Alerter, *, restricted: bool) -> None:
    verdict = Verdict(
        post=make_post(LEAK, source="staff", staff_member_id="s-003"),
        lang="fr",
        model_version="t",
        labels=[
            LabelVerdict(
                label=Label.risky_disclosure,
                score=0.9,
                severity=Severity.critical,
                evidence=[Evidence(kind="rule", detector="t", version="1")],
            )
        ],
    )
    alerter.on_verdicts([_delivery(verdict)])
    opened = CaseEvent(
        type=CaseEventType.opened,
        case_id=7,
        thread_id=verdict.post.thread_id,
        severity=Severity.critical,
        labels=[Label.risky_disclosure],
        details={"post_id": verdict.post.post_id, "teams": ["legal"], "copy_to": ["security"]},
        restricted=restricted,
    )
    alerter.on_cases([_delivery(opened)])


def _by_channel(receiver: Any, count: int) -> dict[str, str]:
    return {r.path.rsplit("/", 1)[1]: r.body.decode() for r in receiver.wait_for(count)}


def test_a_restricted_case_is_quoted_only_where_every_reader_owns_it(receiver: Any) -> None:
    alerter = _alerter(
        receiver,
        [
            {"name": "everyone", "type": "slack"},
            {"name": "legal", "type": "slack", "teams": ["legal"]},
            {"name": "legal-and-security", "type": "teams", "teams": ["legal", "security"]},
            {"name": "signed", "type": "webhook", "secret_env": "KEY"},
        ],
    )
    try:
        _leak_and_open(alerter, restricted=True)
    finally:
        alerter.close()
    bodies = _by_channel(receiver, 4)
    assert "wifi du bureau" in bodies["legal"]
    for name in ("everyone", "legal-and-security", "signed"):
        assert "wifi du bureau" not in bodies[name], name
        assert "https://v.example/cases/7" in bodies[name] and "disclosure" in bodies[name]


def test_an_open_case_is_quoted_everywhere_it_goes(receiver: Any) -> None:
    alerter = _alerter(receiver, [{"name": "everyone", "type": "slack"}])
    try:
        _leak_and_open(alerter, restricted=False)
    finally:
        alerter.close()
    assert "wifi du bureau" in _by_channel(receiver, 1)["everyone"]


def test_no_secret_and_no_disguised_link_reaches_a_channel_or_the_log(
    receiver: Any, caplog: Any
) -> None:
    alerter = _alerter(
        receiver, [{"name": "slack", "type": "slack"}, {"name": "teams", "type": "teams"}]
    )
    with caplog.at_level("INFO"):
        try:
            _leak_and_open(alerter, restricted=False)
        finally:
            alerter.close()
    bodies = _by_channel(receiver, 2)
    for body in [*bodies.values(), caplog.text]:
        assert "Laurentia2026" not in body and "Hx7#kq9" not in body
    assert "mot de passe [secret]" in bodies["slack"]
    card = json.loads(bodies["teams"])["attachments"][0]["content"]
    markdown = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    assert not any("evil.example" in text for text in markdown)  # only in a RichTextBlock
    quoted = [b for b in card["body"] if b["type"] == "RichTextBlock"]
    assert "[la note](https://evil.example/phish)" in quoted[0]["inlines"][0]["text"]
