"""How a notification reads on each channel: plain text, Slack blocks, a Teams card, JSON.

Everything here is built from already-masked alerts; nothing renders raw post text. Text that
comes from posts or people is never read as markup: Slack gets `&<>` escaped (no `<url|text>`
links, no `<!channel>`), Teams gets post excerpts in a RichTextBlock (which has no Markdown)
and other values with Markdown escaped, so `[text](https://evil.example)` stays text; e-mail
is text/plain.
"""

from __future__ import annotations

import re
from typing import Any

from workflow.alerts.model import Alert, Notification

__all__ = ["as_json", "slack_payload", "subject", "teams_payload", "text"]

OPEN_CASE = "Ouvrir / Open"
MAX_LISTED = 20


def subject(notification: Notification) -> str:
    first = notification.first
    if len(notification.alerts) == 1:
        labels = f" — {', '.join(first.labels)}" if first.labels else ""
        return f"[Vigie · {first.severity.value}] {first.title}{labels}"
    teams = f" ({first.teams[0]})" if first.teams else ""
    count = len(notification.alerts)
    return f"[Vigie · {notification.severity.value}] {count} × {first.title.split(' #')[0]}{teams}"


def _listed(notification: Notification) -> tuple[list[Alert], int]:
    alerts = list(notification.alerts)
    return alerts[:MAX_LISTED], max(0, len(alerts) - MAX_LISTED)


def text(notification: Notification) -> str:
    """Plain text: e-mail bodies and logs."""
    lines = [subject(notification), ""]
    shown, more = _listed(notification)
    for alert in shown:
        if len(shown) > 1:
            lines.append(f"• {alert.title}")
        lines += [f"  {name}: {value}" for name, value in alert.facts]
        if alert.excerpt:
            lines.append(f"  « {alert.excerpt} »")
        lines += [f"  {OPEN_CASE}: {alert.link}", ""]
    if more:
        lines.append(f"… +{more}")
    return "\n".join(lines).rstrip() + "\n"


_TEAMS_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def _teams_escape(value: str) -> str:
    """CommonMark backslash escapes: Teams renders the characters, not the markup."""
    return _TEAMS_MARKDOWN.sub(r"\\\1", value)


def _slack_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(notification: Notification) -> dict[str, Any]:
    """Slack incoming webhook body: a fallback `text` and one section block per alert."""
    shown, more = _listed(notification)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": subject(notification)[:150]}}
    ]
    for alert in shown:
        facts = "\n".join(f"*{_slack_escape(n)}*: {_slack_escape(v)}" for n, v in alert.facts)
        quote = f"\n> {_slack_escape(alert.excerpt)}" if alert.excerpt else ""
        body = f"*<{alert.link}|{_slack_escape(alert.title)}>*\n{facts}{quote}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}})
    if more:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"+{more}"}]})
    return {"text": subject(notification), "blocks": blocks}


def teams_payload(notification: Notification) -> dict[str, Any]:
    """Teams incoming webhook (Workflows) body: one Adaptive Card."""
    shown, more = _listed(notification)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": _teams_escape(subject(notification)),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    for alert in shown:
        body.append(
            {
                "type": "TextBlock",
                "text": f"[{_teams_escape(alert.title)}]({alert.link})",
                "wrap": True,
                "separator": True,
            }
        )
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": _teams_escape(n), "value": _teams_escape(v)} for n, v in alert.facts
                ],
            }
        )
        if alert.excerpt:
            body.append(
                {
                    "type": "RichTextBlock",
                    "inlines": [
                        {"type": "TextRun", "text": f"« {alert.excerpt} »", "isSubtle": True}
                    ],
                }
            )
    if more:
        body.append({"type": "TextBlock", "text": f"+{more}"})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": OPEN_CASE, "url": shown[0].link}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def as_json(notification: Notification) -> dict[str, Any]:
    """The signed generic webhook's body: every alert as data."""
    return {
        "delivery_id": notification.delivery_id,
        "kind": notification.kind.value,
        "severity": notification.severity.value,
        "summary": subject(notification),
        "alerts": [
            {
                "kind": a.kind.value,
                "title": a.title,
                "severity": a.severity.value,
                "case_id": a.case_id,
                "teams": list(a.teams),
                "labels": list(a.labels),
                "facts": dict(a.facts),
                "excerpt": a.excerpt,
                "link": a.link,
                "at": a.at.isoformat(),
            }
            for a in notification.alerts
        ],
    }
