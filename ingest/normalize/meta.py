"""Meta webhook notifications (Facebook Page feed/mention, Instagram comments/mentions) -> Posts.

A change that carries no text (a like, a removal, an Instagram mention that only names a media id)
is not a post: it is returned as ignored with the reason, so the caller counts it.
"""

from __future__ import annotations

from typing import Any

from events.schemas import Post, Source
from ingest.errors import PayloadError
from ingest.normalize.common import build_post, parse_time

__all__ = ["posts_from_meta"]

_TEXT_VERBS = {"add", "edited", "edit"}


def posts_from_meta(payload: Any, *, collected_by: str) -> tuple[list[Post], list[str]]:
    """(posts, reasons for the changes ignored) of one webhook delivery."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise PayloadError("a Meta notification is an object with an `entry` list")
    platform = {"page": "facebook", "instagram": "instagram"}.get(payload.get("object", ""))
    if platform is None:
        raise PayloadError(f"unsupported Meta object {payload.get('object')!r} (page or instagram)")
    posts: list[Post] = []
    ignored: list[str] = []
    for entry in payload["entry"]:
        for change in (entry or {}).get("changes") or []:
            field, value = change.get("field"), change.get("value") or {}
            reader = _READERS.get((platform, field))
            post = reader(value, entry, collected_by) if reader else None
            if post is None:
                ignored.append(
                    f"{platform} {field} change without text ({value.get('verb', 'no verb')})"
                )
            else:
                posts.append(post)
    return posts, ignored


def _facebook(value: dict[str, Any], entry: dict[str, Any], collected_by: str) -> Post | None:
    message = value.get("message")
    if not message or value.get("verb", "add") not in _TEXT_VERBS:
        return None
    sender = value.get("from") or {"id": value.get("sender_id"), "name": value.get("sender_name")}
    item_id = str(value.get("comment_id") or value.get("post_id") or "")
    post_id, parent = value.get("post_id"), value.get("parent_id")
    return build_post(
        {
            "platform": "facebook",
            "platform_post_id": item_id,
            "url": f"https://www.facebook.com/{item_id}" if item_id else None,
            "author": {
                "id": str(sender.get("id") or ""),
                "handle": str(sender.get("id") or ""),
                "display_name": sender.get("name"),
            },
            "source": Source.mention,
            "text": message,
            "created_at": parse_time(value.get("created_time") or entry.get("time")),
            "conversation_id": post_id,
            "reply_to_id": parent if parent and parent != item_id else None,
            "media": [{"type": "photo", "url": value["photo"]}] if value.get("photo") else [],
            "collected_by": collected_by,
        },
        what=f"facebook item {item_id}",
    )


def _instagram(value: dict[str, Any], entry: dict[str, Any], collected_by: str) -> Post | None:
    text = value.get("text")
    if not text:
        return None
    sender = value.get("from") or {}
    media = value.get("media") or {}
    comment_id = str(value.get("id") or "")
    if not sender.get("id"):
        raise PayloadError(f"instagram comment {comment_id}: no `from` user")
    return build_post(
        {
            "platform": "instagram",
            "platform_post_id": comment_id,
            "author": {
                "id": str(sender["id"]),
                "handle": sender.get("username") or str(sender["id"]),
            },
            "source": Source.mention,
            "text": text,
            "created_at": parse_time(value.get("timestamp") or entry.get("time")),
            "conversation_id": media.get("id"),
            "reply_to_id": value.get("parent_id"),
            "collected_by": collected_by,
        },
        what=f"instagram comment {comment_id}",
    )


_READERS = {
    ("facebook", "feed"): _facebook,
    ("facebook", "mention"): _facebook,
    ("instagram", "comments"): _instagram,
    ("instagram", "live_comments"): _instagram,
    ("instagram", "mentions"): _instagram,
}
