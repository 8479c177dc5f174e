"""What each channel receives: nothing unescaped, links present, digests listed."""

from __future__ import annotations

from datetime import UTC, datetime

from events.schemas import Severity
from workflow.alerts import render
from workflow.alerts.model import Alert, AlertKind, Notification

AT = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


def alert(case_id: int, **fields: object) -> Alert:
    base: dict[str, object] = {
        "kind": AlertKind.critical,
        "incident": f"critical:{case_id}",
        "title": f"Cas critique / Critical case #{case_id}",
        "link": f"https://v.example/cases/{case_id}",
        "at": AT,
        "severity": Severity.critical,
        "teams": ("legal",),
        "labels": ("risky_disclosure",),
        "facts": (("Équipe / Team", "legal"),),
        "excerpt": "a <b>leak</b> & more",
        "case_id": case_id,
    }
    return Alert(**(base | fields))  # type: ignore[arg-type]


def test_slack_escapes_text_and_links_the_case() -> None:
    payload = render.slack_payload(Notification((alert(7),)))
    section = payload["blocks"][1]["text"]["text"]
    assert "<https://v.example/cases/7|" in section
    assert "&lt;b&gt;leak&lt;/b&gt; &amp; more" in section
    assert "critical" in payload["text"]


def test_teams_card_opens_the_case() -> None:
    payload = render.teams_payload(Notification((alert(7),)))
    card = payload["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["actions"][0]["url"] == "https://v.example/cases/7"


def test_digest_lists_every_case() -> None:
    digest = Notification(tuple(alert(i) for i in (1, 2, 3)))
    body = render.text(digest)
    assert render.subject(digest).startswith("[Vigie · critical] 3 × Cas critique")
    for i in (1, 2, 3):
        assert f"https://v.example/cases/{i}" in body


def test_long_digests_are_cut_with_a_count() -> None:
    digest = Notification(tuple(alert(i) for i in range(25)))
    assert len(render.slack_payload(digest)["blocks"]) == 1 + render.MAX_LISTED + 1
    assert render.text(digest).rstrip().endswith("+5")


def test_webhook_json_carries_every_alert() -> None:
    data = render.as_json(Notification((alert(1), alert(2))))
    assert [a["case_id"] for a in data["alerts"]] == [1, 2]
    assert data["alerts"][0]["at"] == AT.isoformat()
