"""Normalization tables per platform: documented payloads in, Posts or a PayloadError out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.errors import SchemaError
from events.records import record_from_csv_row
from events.schemas import Source
from ingest.errors import PayloadError
from ingest.normalize import (
    post_from_notification,
    post_from_record,
    post_from_status,
    post_from_view,
    posts_from_meta,
    posts_from_x,
)
from ingest.normalize.common import html_to_text, parse_time

# ------------------------------------------------------------------------------------------ X

X_PAYLOAD = {
    "data": [
        {
            "id": "1893000000000000001",
            "text": "@LaurentiaMobile panne à Gatineau depuis 8h https://t.co/abc",
            "author_id": "2244",
            "conversation_id": "1892999999999999999",
            "created_at": "2025-02-21T13:05:09.000Z",
            "lang": "fr",
            "referenced_tweets": [
                {"type": "quoted", "id": "1"},
                {"type": "replied_to", "id": "1892999999999999999"},
            ],
            "attachments": {"media_keys": ["3_111", "16_222"]},
            "geo": {"place_id": "01a9a39529b27f36"},
            "public_metrics": {
                "retweet_count": 3,
                "reply_count": 1,
                "like_count": 12,
                "quote_count": 0,
                "bookmark_count": 2,
                "impression_count": 900,
            },
        },
        {
            "id": "1893000000000000002",
            "text": "Un aperçu tronqué…",
            "author_id": "2244",
            "created_at": "2025-02-21T13:06:00.000Z",
            "lang": "und",
            "note_tweet": {
                "text": "Un long texte complet qui dépasse deux cent quatre-vingts caractères."
            },
        },
    ],
    "includes": {
        "users": [
            {"id": "2244", "username": "GBergeron", "name": "Gisèle B.", "description": "Gatineau"}
        ],
        "media": [
            {
                "media_key": "3_111",
                "type": "photo",
                "url": "https://pbs.twimg.com/media/a.jpg",
                "alt_text": "Modem éteint",
            },
            {
                "media_key": "16_222",
                "type": "animated_gif",
                "preview_image_url": "https://pbs.twimg.com/p.jpg",
            },
        ],
        "places": [{"id": "01a9a39529b27f36", "full_name": "Gatineau, Québec"}],
    },
    "meta": {
        "result_count": 2,
        "newest_id": "1893000000000000002",
        "oldest_id": "1893000000000000001",
    },
}


def test_x_tweets_with_expansions() -> None:
    first, second = posts_from_x(X_PAYLOAD, collected_by="x:mentions")
    assert first.author.handle == "GBergeron" and first.author.description == "Gatineau"
    assert first.url == "https://x.com/GBergeron/status/1893000000000000001"
    assert first.created_at == datetime(2025, 2, 21, 13, 5, 9, tzinfo=UTC)
    assert first.thread_id == "x:1892999999999999999" and first.reply_to_id == "1892999999999999999"
    assert [(m.type, m.alt_text) for m in first.media] == [("photo", "Modem éteint"), ("gif", None)]
    assert first.media[1].url == "https://pbs.twimg.com/p.jpg"
    assert first.place == "Gatineau, Québec"
    assert first.metrics == {"likes": 12, "reposts": 3, "replies": 1, "quotes": 0}
    assert second.text.startswith("Un long texte complet") and second.lang is None
    assert second.thread_id == "x:1893000000000000002", (
        "no conversation id: the post is its own thread"
    )


def test_x_staff_timeline_posts_carry_the_member() -> None:
    posts = posts_from_x(X_PAYLOAD, collected_by="x:timeline", staff_member_id="s-004")
    assert {(p.source, p.staff_member_id) for p in posts} == {(Source.staff, "s-004")}


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"author_id": "9999"}, "not in includes.users"),
        ({"created_at": "hier"}, "bad timestamp"),
        ({"created_at": "2025-02-21T13:05:09"}, "no time zone"),
        ({"text": "x" * 10_001}, "text"),
    ],
)
def test_x_bad_tweets_raise_or_are_set_aside(change, reason) -> None:
    bad = {**X_PAYLOAD["data"][0], **change}
    payload = {**X_PAYLOAD, "data": [bad, X_PAYLOAD["data"][1]]}
    with pytest.raises(PayloadError, match=reason):
        posts_from_x(payload, collected_by="x:search")
    rejects: list[tuple[bytes, str]] = []
    assert len(posts_from_x(payload, collected_by="x:search", rejects=rejects)) == 1
    assert reason in rejects[0][1] and b"1893000000000000001" in rejects[0][0]


def test_x_empty_page() -> None:
    assert posts_from_x({"meta": {"result_count": 0}}, collected_by="x:search") == []


# ------------------------------------------------------------------------------------ Mastodon

STATUS = {
    "id": "113900000000000001",
    "created_at": "2025-02-21T13:05:09.000Z",
    "in_reply_to_id": "113899999999999999",
    "language": "fr",
    "url": "https://piaille.fr/@gisele/113900000000000001",
    "spoiler_text": "",
    "content": '<p>Bonjour <span class="h-card"><a href="https://mastodon.social/@laurentia">@<span>laurentia</span></a></span>,</p>'
    "<p>facture doublée &amp; aucun retour<br />depuis lundi</p>",
    "account": {
        "id": "1099",
        "acct": "gisele@piaille.fr",
        "display_name": "Gisèle",
        "note": "<p>Gatineau</p>",
    },
    "media_attachments": [
        {"type": "image", "url": "https://files/a.png", "description": "Capture de la facture"},
        {"type": "gifv", "url": "https://files/b.mp4", "description": None},
        {"type": "audio", "url": "https://files/c.mp3"},
    ],
    "favourites_count": 4,
    "reblogs_count": 1,
    "replies_count": 0,
    "reblog": None,
}


def test_mastodon_status() -> None:
    post = post_from_status(STATUS, collected_by="mastodon:mentions")
    assert post.text == "Bonjour @laurentia,\n\nfacture doublée & aucun retour\ndepuis lundi"
    assert post.author.handle == "gisele@piaille.fr" and post.author.description == "Gatineau"
    assert [m.type for m in post.media] == ["photo", "gif", "other"]
    assert post.media[0].alt_text == "Capture de la facture"
    assert (
        post.reply_to_id == "113899999999999999" and post.thread_id == "mastodon:113899999999999999"
    )
    assert post.metrics == {"likes": 4, "reposts": 1, "replies": 0}


def test_mastodon_content_warning_and_boost() -> None:
    warned = {**STATUS, "spoiler_text": "Fuite", "content": "<p>document interne</p>"}
    boost = {**STATUS, "id": "5", "reblog": warned, "content": ""}
    post = post_from_status(boost, collected_by="mastodon:hashtag")
    assert post.text == "Fuite\n\ndocument interne" and post.platform_post_id == STATUS["id"]


def test_mastodon_status_without_account_is_refused() -> None:
    with pytest.raises(PayloadError, match="no account"):
        post_from_status({**STATUS, "account": None}, collected_by="mastodon:mentions")


@pytest.mark.parametrize(
    "markup, text",
    [
        ("", ""),
        (None, ""),
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("a<br>b", "a\nb"),
        ("&lt;3 &eacute;t&eacute;", "<3 été"),
    ],
)
def test_html_to_text(markup, text) -> None:
    assert html_to_text(markup) == text


# ------------------------------------------------------------------------------------- Bluesky

VIEW = {
    "uri": "at://did:plc:abc123/app.bsky.feed.post/3lfqs2x",
    "cid": "bafy",
    "author": {
        "did": "did:plc:abc123",
        "handle": "gisele.bsky.social",
        "displayName": "Gisèle",
        "description": "Gatineau",
    },
    "record": {
        "$type": "app.bsky.feed.post",
        "text": "Laurentia Mobile: panne encore",
        "createdAt": "2025-02-21T13:05:09.123Z",
        "langs": ["fr", "en"],
        "reply": {
            "root": {"uri": "at://did:plc:root/app.bsky.feed.post/1", "cid": "r"},
            "parent": {"uri": "at://did:plc:par/app.bsky.feed.post/2", "cid": "p"},
        },
    },
    "embed": {
        "$type": "app.bsky.embed.images#view",
        "images": [
            {"thumb": "https://cdn/t.jpg", "fullsize": "https://cdn/f.jpg", "alt": "Écran noir"}
        ],
    },
    "likeCount": 3,
    "repostCount": 0,
    "replyCount": 1,
    "quoteCount": 0,
    "indexedAt": "2025-02-21T13:05:10.000Z",
}


def test_bluesky_post_view() -> None:
    post = post_from_view(VIEW, collected_by="bluesky:search")
    assert (
        post.platform_post_id == VIEW["uri"]
        and post.url == "https://bsky.app/profile/gisele.bsky.social/post/3lfqs2x"
    )
    assert post.lang == "fr" and post.thread_id == "bluesky:at://did:plc:root/app.bsky.feed.post/1"
    assert post.reply_to_id == "at://did:plc:par/app.bsky.feed.post/2"
    assert [(m.type, m.url, m.alt_text) for m in post.media] == [
        ("photo", "https://cdn/f.jpg", "Écran noir")
    ]
    assert post.metrics == {"likes": 3, "reposts": 0, "replies": 1, "quotes": 0}


@pytest.mark.parametrize(
    "embed, media",
    [
        (
            {
                "$type": "app.bsky.embed.external#view",
                "external": {"uri": "https://lapresse.ca/a", "title": "Article"},
            },
            [("link", "https://lapresse.ca/a", "Article")],
        ),
        (
            {
                "$type": "app.bsky.embed.recordWithMedia#view",
                "media": {
                    "$type": "app.bsky.embed.images#view",
                    "images": [{"thumb": "https://cdn/t.jpg", "alt": ""}],
                },
            },
            [("photo", "https://cdn/t.jpg", None)],
        ),
        (
            {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": "blob", "image": {"$type": "blob"}}],
            },
            [("photo", None, "blob")],
        ),
        ({"$type": "app.bsky.embed.record#view", "record": {}}, []),
    ],
)
def test_bluesky_embeds(embed, media) -> None:
    post = post_from_view({**VIEW, "embed": embed}, collected_by="bluesky:search")
    assert [(m.type, m.url, m.alt_text) for m in post.media] == media


def test_bluesky_notification() -> None:
    item = {
        "uri": VIEW["uri"],
        "cid": "c",
        "author": VIEW["author"],
        "reason": "mention",
        "record": VIEW["record"],
        "isRead": False,
        "indexedAt": VIEW["indexedAt"],
    }
    post = post_from_notification(item, collected_by="bluesky:mentions")
    assert post.text == "Laurentia Mobile: panne encore" and post.metrics == {}


def test_bluesky_item_without_record_is_refused() -> None:
    with pytest.raises(PayloadError, match="no author or no record"):
        post_from_view({**VIEW, "record": None}, collected_by="bluesky:search")


# ---------------------------------------------------------------------------------------- Meta


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            {
                "item": "comment",
                "verb": "edited",
                "comment_id": "1_2",
                "post_id": "1_1",
                "parent_id": "1_9",
                "from": {"id": "7", "name": "Luc"},
                "message": "modifié",
                "created_time": 1741000000,
            },
            "modifié",
        ),
        (
            {
                "item": "comment",
                "verb": "remove",
                "comment_id": "1_2",
                "post_id": "1_1",
                "from": {"id": "7"},
            },
            None,
        ),
        (
            {
                "item": "post",
                "verb": "add",
                "post_id": "1_5",
                "sender_id": "8",
                "sender_name": "Ana",
                "message": "@Laurentia Mobile allo",
                "created_time": 1741000000,
            },
            "@Laurentia Mobile allo",
        ),
    ],
)
def test_meta_page_changes(value, expected) -> None:
    payload = {
        "object": "page",
        "entry": [{"id": "1", "time": 1741000000, "changes": [{"field": "feed", "value": value}]}],
    }
    posts, ignored = posts_from_meta(payload, collected_by="webhook:meta")
    assert [p.text for p in posts] == ([expected] if expected else [])
    assert len(ignored) == (0 if expected else 1)


def test_meta_instagram_mention_without_text_is_ignored_with_a_reason() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "1",
                "time": 1741000000,
                "changes": [
                    {
                        "field": "mentions",
                        "value": {
                            "media_id": "17918195224117851",
                            "comment_id": "17894227972186120",
                        },
                    }
                ],
            }
        ],
    }
    assert posts_from_meta(payload, collected_by="webhook:meta") == (
        [],
        ["instagram mentions change without text (no verb)"],
    )


# -------------------------------------------------------------------------------- records / CSV


def test_csv_rows_nest_dotted_columns_and_read_json_cells() -> None:
    row = {
        "platform": "x",
        "author.id": "1",
        "author.handle": "a",
        "media": '[{"type": "video"}]',
        "lang": "",
    }
    assert record_from_csv_row(row) == {
        "platform": "x",
        "author": {"id": "1", "handle": "a"},
        "media": [{"type": "video"}],
    }


@pytest.mark.parametrize(
    "row, reason",
    [
        ({"platform": "x", None: ["extra"]}, "more cells"),
        ({"metrics": "{likes: 1}"}, "column metrics: not JSON"),
    ],
)
def test_bad_csv_rows(row, reason) -> None:
    with pytest.raises(SchemaError, match=reason):
        record_from_csv_row(row)


@pytest.mark.parametrize(
    "record, reason",
    [
        ([], "JSON object"),
        ({"platform": "x"}, "Field required"),
        (
            {
                "platform": "X!",
                "platform_post_id": "1",
                "author": {"id": "1", "handle": "a"},
                "source": "mention",
                "text": "",
                "created_at": "2025-01-01T00:00:00Z",
            },
            "platform",
        ),
        (
            {
                "platform": "x",
                "platform_post_id": "1",
                "author": {"id": "1", "handle": "a"},
                "source": "staff",
                "text": "",
                "created_at": "2025-01-01T00:00:00Z",
            },
            "staff_member_id",
        ),
        (
            {
                "platform": "x",
                "platform_post_id": "1",
                "author": {"id": "1", "handle": "a"},
                "source": "mention",
                "text": "",
                "created_at": "2025-01-01T00:00:00Z",
                "colour": "red",
            },
            "colour",
        ),
    ],
)
def test_bad_records(record, reason) -> None:
    with pytest.raises(PayloadError, match=reason):
        post_from_record(record, collected_by="replay:test")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-02-21T13:05:09Z", datetime(2025, 2, 21, 13, 5, 9, tzinfo=UTC)),
        ("2025-02-21T08:05:09-05:00", datetime(2025, 2, 21, 13, 5, 9, tzinfo=UTC)),
        (1741000000, datetime(2025, 3, 3, 11, 6, 40, tzinfo=UTC)),
    ],
)
def test_parse_time(value, expected) -> None:
    assert parse_time(value) == expected
