"""Mastodon statuses (REST API v1 entities) -> Posts.

Mastodon's public API has no thread root, so a reply's thread is the status it answers: a post
and its direct replies share a thread, deeper replies start their own.
"""

from __future__ import annotations

from typing import Any

from events.schemas import Post, Source
from ingest.errors import PayloadError
from ingest.normalize.common import build_post, html_to_text, parse_time

__all__ = ["post_from_status"]

_MEDIA_TYPES = {"image": "photo", "video": "video", "gifv": "gif"}


def post_from_status(
    status: dict[str, Any], *, collected_by: str, staff_member_id: str | None = None
) -> Post:
    """One status (a boost is read as the status it boosts)."""
    if status.get("reblog"):
        status = status["reblog"]
    status_id = str(status.get("id", ""))
    account = status.get("account")
    if not isinstance(account, dict):
        raise PayloadError(f"mastodon status {status_id}: no account")
    reply_to = status.get("in_reply_to_id")
    return build_post(
        {
            "platform": "mastodon",
            "platform_post_id": status_id,
            "url": status.get("url") or status.get("uri"),
            "author": {
                "id": str(account.get("id", "")),
                "handle": account.get("acct", ""),
                "display_name": account.get("display_name") or None,
                "description": html_to_text(account.get("note")) or None,
            },
            "source": Source.staff if staff_member_id else Source.mention,
            "staff_member_id": staff_member_id,
            "text": _text(status),
            "lang": status.get("language"),
            "created_at": parse_time(status.get("created_at")),
            "conversation_id": str(reply_to) if reply_to else None,
            "reply_to_id": str(reply_to) if reply_to else None,
            "media": [_media(m) for m in status.get("media_attachments") or []],
            "metrics": _metrics(status),
            "collected_by": collected_by,
        },
        what=f"mastodon status {status_id}",
    )


def _text(status: dict[str, Any]) -> str:
    body = html_to_text(status.get("content"))
    warning = status.get("spoiler_text")
    return f"{warning}\n\n{body}" if warning else body


def _media(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": _MEDIA_TYPES.get(item.get("type", ""), "other"),
        "url": item.get("url") or item.get("remote_url"),
        "alt_text": item.get("description"),
    }


def _metrics(status: dict[str, Any]) -> dict[str, int]:
    names = {
        "favourites_count": "likes",
        "reblogs_count": "reposts",
        "replies_count": "replies",
        "quotes_count": "quotes",
    }
    return {
        name: int(status[key]) for key, name in names.items() if isinstance(status.get(key), int)
    }
