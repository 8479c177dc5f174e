"""The alerting service drops what it holds about an erased author: an `erased` case event makes
it forget the quotes of their posts, so no later alert quotes them (a real Slack channel to a
local receiver)."""

from __future__ import annotations

from typing import Any

from helpers import make_post

from events.brand import AlertChannel, AlertPolicy, load_brand_config
from events.kafka_io import Delivery
from events.schemas import (
    Author,
    CaseEvent,
    CaseEventType,
    Evidence,
    Label,
    LabelVerdict,
    Severity,
    Verdict,
    utcnow,
)
from events.settings import BUNDLED_BRAND_CONFIG
from workflow.alerts.alerter import Alerter
from workflow.alerts.channels import RetryPolicy, build_channels

FAST = RetryPolicy(attempts=2, initial=0.01, cap=0.1, timeout=5)


def _delivery(event: Any) -> Delivery[Any]:
    return Delivery(event, record=None)  # type: ignore[arg-type]  # the alerter reads the event only


def _critical(post_id: str, kind: CaseEventType, case_id: int) -> CaseEvent:
    return CaseEvent(
        type=kind, case_id=case_id, thread_id="x:1", severity=Severity.critical,
        labels=[Label.risky_disclosure], details={"post_id": post_id, "teams": ["legal"]},
    )


def test_an_erased_authors_posts_are_no_longer_quoted(receiver: Any) -> None:
    post = make_post("La fusion avec Boréal est signée, annonce lundi", author=Author(id="1", handle="leaker"))
    evidence = [Evidence(kind="rule", detector="test", version="1")]
    verdict = Verdict(
        post=post, lang="fr", model_version="m",
        labels=[LabelVerdict(label=Label.investor_sensitive, score=0.9, severity=Severity.critical, evidence=evidence)],
    )
    policy = AlertPolicy(channels=[AlertChannel(name="comms", type="slack", url_env="URL")])
    channels = build_channels(policy, {"URL": f"{receiver.url}/comms"}, FAST)
    alerter = Alerter(load_brand_config(BUNDLED_BRAND_CONFIG), channels, public_url="http://vigie.test")
    alerter.on_verdicts([_delivery(verdict)])
    alerter.on_cases([_delivery(_critical(post.post_id, CaseEventType.opened, 1))])
    [first] = receiver.wait_for(1)
    assert "fusion avec Boréal" in first.body.decode()  # quoted while the author is known
    erased = CaseEvent(type=CaseEventType.erased, case_id=1, thread_id="x:1", at=utcnow(),
                       details={"author_ref": "r", "post_ids": [post.post_id]})
    alerter.on_cases([_delivery(erased)])
    alerter.on_cases([_delivery(_critical(post.post_id, CaseEventType.opened, 2))])
    alerter.close()  # sends the follow-up held for its group interval
    second = receiver.wait_for(2)[1].body.decode()
    assert "cases/2" in second and "fusion avec Boréal" not in second
