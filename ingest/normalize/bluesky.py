"""Bluesky (AT Protocol) post views and notifications -> Posts.

The post id is the at:// URI (what replies point to); the thread is the reply root's URI.
"""

from __future__ import annotations

from typing import Any

from events.schemas import Post, Source
from ingest.errors import PayloadError
from ingest.normalize.common import build_post, parse_time

__all__ = ["post_from_notification", "post_from_view", "web_url"]

_METRICS = {
    "likeCount": "likes",
    "repostCount": "reposts",
    "replyCount": "replies",
    "quoteCount": "quotes",
}


def web_url(uri: str, handle: str) -> str | None:
    """https://bsky.app/profile/<handle>/post/<rkey> for at://<did>/app.bsky.feed.post/<rkey>."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return f"https://bsky.app/profile/{handle}/post/{parts[2]}"


def post_from_view(
    view: dict[str, Any], *, collected_by: str, staff_member_id: str | None = None
) -> Post:
    """An app.bsky.feed.defs#postView (search results, author feeds)."""
    return _post(view, view.get("record"), view.get("embed"), collected_by, staff_member_id)


def post_from_notification(item: dict[str, Any], *, collected_by: str) -> Post:
    """An app.bsky.notification.listNotifications item (reason mention, reply or quote)."""
    return _post(
        item, item.get("record"), (item.get("record") or {}).get("embed"), collected_by, None
    )


def _post(
    item: dict[str, Any], record: Any, embed: Any, collected_by: str, staff_member_id: str | None
) -> Post:
    uri = str(item.get("uri", ""))
    author = item.get("author")
    if not isinstance(author, dict) or not isinstance(record, dict):
        raise PayloadError(f"bluesky post {uri}: no author or no record")
    handle = author.get("handle", "")
    reply = record.get("reply") or {}
    langs = record.get("langs") or []
    return build_post(
        {
            "platform": "bluesky",
            "platform_post_id": uri,
            "url": web_url(uri, handle),
            "author": {
                "id": author.get("did", ""),
                "handle": handle,
                "display_name": author.get("displayName") or None,
                "description": author.get("description") or None,
            },
            "source": Source.staff if staff_member_id else Source.mention,
            "staff_member_id": staff_member_id,
            "text": record.get("text", ""),
            "lang": langs[0] if langs else None,
            "created_at": parse_time(record.get("createdAt") or item.get("indexedAt")),
            "conversation_id": (reply.get("root") or {}).get("uri"),
            "reply_to_id": (reply.get("parent") or {}).get("uri"),
            "media": _media(embed),
            "metrics": {
                name: int(item[key])
                for key, name in _METRICS.items()
                if isinstance(item.get(key), int)
            },
            "collected_by": collected_by,
        },
        what=f"bluesky post {uri}",
    )


def _media(embed: Any) -> list[dict[str, Any]]:
    """Images (view or record form) with their alt text; an external card is a link."""
    if not isinstance(embed, dict):
        return []
    kind = embed.get("$type", "")
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _media(embed.get("media"))
    if kind.startswith("app.bsky.embed.images"):
        return [
            {
                "type": "photo",
                "url": _link(img.get("fullsize")) or _link(img.get("thumb")),
                "alt_text": img.get("alt") or None,
            }
            for img in embed.get("images", [])
        ]
    if kind.startswith("app.bsky.embed.video"):
        return [
            {"type": "video", "url": embed.get("playlist"), "alt_text": embed.get("alt") or None}
        ]
    if kind.startswith("app.bsky.embed.external"):
        external = embed.get("external") or {}
        return [
            {"type": "link", "url": external.get("uri"), "alt_text": external.get("title") or None}
        ]
    return []


def _link(value: Any) -> str | None:
    """A URL from a view; a record's image is a blob reference, which has none."""
    return value if isinstance(value, str) else None
