"""X API v2 responses (tweets with expansions) -> Posts.

The request fields are REQUEST_FIELDS below (tweet, user, media and place fields, and the
expansions author_id, attachments.media_keys, geo.place_id). Replies are recognized from the
tweet's own referenced_tweets ids, so the referenced tweets are not expanded.
"""

from __future__ import annotations

from typing import Any

from events.schemas import Post, Source
from ingest.errors import PayloadError
from ingest.normalize.common import build_post, parse_time, raw_json

__all__ = [
    "TWEET_FIELDS",
    "EXPANSIONS",
    "MEDIA_FIELDS",
    "PLACE_FIELDS",
    "REQUEST_FIELDS",
    "USER_FIELDS",
    "posts_from_x",
]

TWEET_FIELDS = [
    "author_id",
    "conversation_id",
    "created_at",
    "lang",
    "referenced_tweets",
    "public_metrics",
    "attachments",
    "geo",
    "note_tweet",
]
EXPANSIONS = ["author_id", "attachments.media_keys", "geo.place_id"]
USER_FIELDS = ["description", "name", "username"]
MEDIA_FIELDS = ["type", "url", "preview_image_url", "alt_text"]
PLACE_FIELDS = ["full_name"]
# The keyword arguments every tweepy call that returns tweets takes, so posts_from_x finds them.
REQUEST_FIELDS = {
    "tweet_fields": TWEET_FIELDS,
    "expansions": EXPANSIONS,
    "user_fields": USER_FIELDS,
    "media_fields": MEDIA_FIELDS,
    "place_fields": PLACE_FIELDS,
}

_MEDIA_TYPES = {"photo": "photo", "video": "video", "animated_gif": "gif"}
_METRICS = {
    "like_count": "likes",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "quote_count": "quotes",
}


def posts_from_x(
    payload: dict[str, Any],
    *,
    collected_by: str,
    staff_member_id: str | None = None,
    rejects: list[tuple[bytes, str]] | None = None,
) -> list[Post]:
    """Every tweet of `data`, resolved against `includes`; staff when a member id is given.

    With a `rejects` list, a tweet that cannot become a post is appended there as (its JSON,
    the reason) and the others are still returned; without one, PayloadError is raised.
    """
    data = payload.get("data") or []
    if isinstance(data, dict):  # a single-tweet lookup or a stream message
        data = [data]
    includes = payload.get("includes") or {}
    users = {u["id"]: u for u in includes.get("users", []) if "id" in u}
    media = {m["media_key"]: m for m in includes.get("media", []) if "media_key" in m}
    places = {p["id"]: p for p in includes.get("places", []) if "id" in p}
    posts = []
    for tweet in data:
        try:
            posts.append(_post(tweet, users, media, places, collected_by, staff_member_id))
        except PayloadError as exc:
            if rejects is None:
                raise
            rejects.append((raw_json(tweet), str(exc)))
    return posts


def _post(
    tweet: dict[str, Any],
    users: dict[str, Any],
    media: dict[str, Any],
    places: dict[str, Any],
    collected_by: str,
    staff_member_id: str | None,
) -> Post:
    tweet_id = str(tweet.get("id", ""))
    user = users.get(str(tweet.get("author_id")))
    if user is None:
        raise PayloadError(
            f"x tweet {tweet_id}: author {tweet.get('author_id')!r} not in includes.users"
        )
    text = (tweet.get("note_tweet") or {}).get("text") or tweet.get("text", "")
    lang = tweet.get("lang")
    place = places.get((tweet.get("geo") or {}).get("place_id", ""))
    return build_post(
        {
            "platform": "x",
            "platform_post_id": tweet_id,
            "url": f"https://x.com/{user.get('username', 'i')}/status/{tweet_id}",
            "author": {
                "id": str(user["id"]),
                "handle": user.get("username", ""),
                "display_name": user.get("name"),
                "description": user.get("description"),
            },
            "source": Source.staff if staff_member_id else Source.mention,
            "staff_member_id": staff_member_id,
            "text": text,
            "lang": None if lang in (None, "und", "zxx", "qme", "qht") else lang,
            "created_at": parse_time(tweet.get("created_at")),
            "conversation_id": tweet.get("conversation_id"),
            "reply_to_id": _replied_to(tweet),
            "media": [
                _media(media[k])
                for k in (tweet.get("attachments") or {}).get("media_keys", [])
                if k in media
            ],
            "metrics": {
                name: int(v)
                for key, name in _METRICS.items()
                if isinstance(v := (tweet.get("public_metrics") or {}).get(key), int)
            },
            "place": place.get("full_name") if place else None,
            "collected_by": collected_by,
        },
        what=f"x tweet {tweet_id}",
    )


def _replied_to(tweet: dict[str, Any]) -> str | None:
    for ref in tweet.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            return str(ref.get("id"))
    return None


def _media(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": _MEDIA_TYPES.get(item.get("type", ""), "other"),
        "url": item.get("url") or item.get("preview_image_url"),
        "alt_text": item.get("alt_text"),
    }
