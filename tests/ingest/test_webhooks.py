"""The webhook receiver: signatures, size limits, validation, Meta's check, the real broker."""

from __future__ import annotations

import json
import time

import pytest
from conftest import make_record, read_all, with_settings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from events.codec import decode
from events.schemas import Post, Source
from events.signing import sign
from ingest.webhooks import MAX_DEPTH, create_router, signature

META_SECRET = "meta-app-secret-for-tests"
VIGIE_SECRET = "vigie-webhook-secret-for-tests"


@pytest.fixture
def hook_settings(ingest_settings):
    from events.runtime import prepare_topics

    prepare_topics(ingest_settings)
    return with_settings(
        ingest_settings,
        meta_app_secret=META_SECRET,
        meta_verify_token="verifie-moi",
        webhook_secret=VIGIE_SECRET,
        webhook_max_bytes=4096,
    )


@pytest.fixture
def client(hook_settings):
    app = FastAPI()
    app.include_router(create_router(hook_settings))
    with TestClient(app) as test_client:
        yield test_client


def _count(source: str, status: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "vigie_ingest_webhook_requests_total", {"source": source, "status": status}
        )
        or 0.0
    )


def _post(client, source: str, payload, *, secret: str, header: str, body: bytes | None = None):
    """A delivery signed as its source signs: Meta over the body, Vigie over timestamp.body."""
    raw = body if body is not None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if header.lower() == "x-vigie-signature-256":
        headers |= _vigie_headers(secret, raw, timestamp=int(time.time()))
    else:
        headers[header] = signature(secret, raw)
    return client.post(f"/ingest/webhooks/{source}", content=raw, headers=headers)


def _vigie_headers(secret: str, raw: bytes, *, timestamp: int) -> dict[str, str]:
    return {
        "X-Vigie-Timestamp": str(timestamp),
        "X-Vigie-Signature-256": sign(secret.encode(), str(timestamp), raw),
    }


def _vigie(client, raw: bytes, **headers: str):
    signed = _vigie_headers(VIGIE_SECRET, raw, timestamp=int(time.time()))
    return client.post(
        "/ingest/webhooks/vigie",
        content=raw,
        headers={"Content-Type": "application/json"} | signed | headers,
    )


def _posts(settings) -> list[Post]:
    return [
        decode(Post, r.value)
        for r in read_all(settings.kafka_bootstrap_servers, settings.topics.posts.name)
    ]


FACEBOOK_COMMENT = {
    "object": "page",
    "entry": [
        {
            "id": "1029384756",
            "time": 1741000000,
            "changes": [
                {
                    "field": "feed",
                    "value": {
                        "item": "comment",
                        "verb": "add",
                        "comment_id": "1029384756_556677",
                        "post_id": "1029384756_112233",
                        "parent_id": "1029384756_112233",
                        "from": {"id": "4455", "name": "Gisèle Bergeron"},
                        "message": "Trois semaines sans internet à Sherbrooke, c'est inacceptable.",
                        "created_time": 1741000000,
                    },
                },
                {
                    "field": "feed",
                    "value": {
                        "item": "reaction",
                        "verb": "add",
                        "reaction_type": "like",
                        "post_id": "1029384756_112233",
                        "from": {"id": "4456"},
                    },
                },
            ],
        }
    ],
}
INSTAGRAM_COMMENT = {
    "object": "instagram",
    "entry": [
        {
            "id": "17841400000000",
            "time": 1741000100,
            "changes": [
                {
                    "field": "comments",
                    "value": {
                        "id": "17865799348089039",
                        "text": "Vous répondez quand au DM?",
                        "from": {"id": "17841401111", "username": "marie.qc"},
                        "media": {"id": "18012345678901234", "media_product_type": "FEED"},
                    },
                }
            ],
        }
    ],
}


def test_a_signed_meta_delivery_is_ingested_and_non_posts_are_reported(
    client, hook_settings
) -> None:
    response = _post(
        client, "meta", FACEBOOK_COMMENT, secret=META_SECRET, header="X-Hub-Signature-256"
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    assert response.json()["ignored"] == ["facebook feed change without text (add)"]
    response = _post(
        client, "meta", INSTAGRAM_COMMENT, secret=META_SECRET, header="X-Hub-Signature-256"
    )
    assert response.json()["accepted"] == 1

    posts = {p.platform: p for p in _posts(hook_settings)}
    assert posts["facebook"].thread_id == "facebook:1029384756_112233"
    assert posts["facebook"].author.display_name == "Gisèle Bergeron"
    assert (
        posts["instagram"].author.handle == "marie.qc"
        and posts["instagram"].collected_by == "webhook:meta"
    )


def test_a_redelivery_is_one_event(client, hook_settings) -> None:
    for _ in range(2):
        response = _post(
            client, "meta", INSTAGRAM_COMMENT, secret=META_SECRET, header="X-Hub-Signature-256"
        )
    assert response.json() == {"accepted": 0, "duplicates": 1, "ignored": []}
    assert len(_posts(hook_settings)) == 1


@pytest.mark.parametrize(
    "header_value", ["", "sha256=00", "sha1=abc", signature("wrong-secret", b"{}")]
)
def test_a_bad_signature_is_refused_and_counted(client, hook_settings, header_value) -> None:
    before = _count("meta", "bad_signature")
    response = client.post(
        "/ingest/webhooks/meta",
        content=json.dumps(FACEBOOK_COMMENT),
        headers={"X-Hub-Signature-256": header_value},
    )
    assert (
        response.status_code == 401
        and "X-Hub-Signature-256".lower() in response.json()["detail"].lower()
    )
    assert _count("meta", "bad_signature") == before + 1


def test_a_signature_over_a_different_body_is_refused(client) -> None:
    signed = json.dumps(INSTAGRAM_COMMENT).encode()
    tampered = signed.replace(b"Vous", b"Nous")
    response = client.post(
        "/ingest/webhooks/meta",
        content=tampered,
        headers={"X-Hub-Signature-256": signature(META_SECRET, signed)},
    )
    assert response.status_code == 401


def test_an_oversized_body_is_refused_before_parsing(client) -> None:
    before = _count("vigie", "too_large")
    big = json.dumps(make_record("x" * 5000)).encode()
    response = _post(
        client, "vigie", None, secret=VIGIE_SECRET, header="X-Vigie-Signature-256", body=big
    )
    assert response.status_code == 413 and "4096" in response.json()["detail"]
    assert _count("vigie", "too_large") == before + 1


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "invalid payload"),
        (json.dumps({"object": "page"}).encode(), "entry"),
        (
            json.dumps({"object": "whatsapp_business_account", "entry": []}).encode(),
            "unsupported Meta object",
        ),
    ],
)
def test_an_invalid_payload_is_refused_with_the_reason(client, body, reason) -> None:
    response = _post(
        client, "meta", None, secret=META_SECRET, header="X-Hub-Signature-256", body=body
    )
    assert response.status_code == 422 and reason in response.json()["detail"]


def test_vigie_records_are_validated_and_attributed_by_the_roster(client, hook_settings) -> None:
    staff = make_record("Lancement ce soir", author={"id": "7", "handle": "priya_aide"})
    response = _post(
        client,
        "vigie",
        [staff, make_record("Bonjour")],
        secret=VIGIE_SECRET,
        header="X-Vigie-Signature-256",
    )
    assert response.json()["accepted"] == 2
    by_text = {p.text: p for p in _posts(hook_settings)}
    assert (
        by_text["Lancement ce soir"].source is Source.staff
        and by_text["Lancement ce soir"].staff_member_id == "s-003"
    )

    broken = make_record("sans date")
    del broken["created_at"]
    response = _post(client, "vigie", broken, secret=VIGIE_SECRET, header="X-Vigie-Signature-256")
    assert response.status_code == 422 and "created_at" in response.json()["detail"]


def test_meta_hub_challenge(client) -> None:
    ok = client.get(
        "/ingest/webhooks/meta",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "verifie-moi",
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    refused = client.get(
        "/ingest/webhooks/meta",
        params={"hub.mode": "subscribe", "hub.verify_token": "non", "hub.challenge": "1158201444"},
    )
    assert refused.status_code == 403


def test_an_unconfigured_source_is_not_served(client) -> None:
    response = client.post("/ingest/webhooks/tiktok", content=b"{}")
    assert response.status_code == 404 and "tiktok" in response.json()["detail"]


def test_a_vigie_delivery_replayed_after_the_tolerance_window_is_refused(client) -> None:
    raw = json.dumps(make_record("Bonjour")).encode()
    old = int(time.time()) - 301
    replayed = client.post(
        "/ingest/webhooks/vigie",
        content=raw,
        headers={"Content-Type": "application/json"}
        | _vigie_headers(VIGIE_SECRET, raw, timestamp=old),
    )
    assert replayed.status_code == 401 and "X-Vigie-Timestamp" in replayed.json()["detail"]
    # The timestamp is signed: moving it forward breaks the signature.
    headers = _vigie_headers(VIGIE_SECRET, raw, timestamp=old)
    headers["X-Vigie-Timestamp"] = str(int(time.time()))
    moved = client.post(
        "/ingest/webhooks/vigie",
        content=raw,
        headers={"Content-Type": "application/json"} | headers,
    )
    assert moved.status_code == 401
    unsigned_time = {"Content-Type": "application/json"} | _vigie_headers(
        VIGIE_SECRET, raw, timestamp=int(time.time())
    )
    del unsigned_time["X-Vigie-Timestamp"]
    assert (
        client.post("/ingest/webhooks/vigie", content=raw, headers=unsigned_time).status_code == 401
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_that_is_not_json_by_content_type_is_refused(client, content_type) -> None:
    before = _count("vigie", "bad_content_type")
    response = _vigie(
        client, json.dumps(make_record("Bonjour")).encode(), **{"Content-Type": content_type}
    )
    assert response.status_code == 415 and "application/json" in response.json()["detail"]
    assert _count("vigie", "bad_content_type") == before + 1
    charset = _vigie(
        client,
        json.dumps(make_record("Bonjour")).encode(),
        **{"Content-Type": "application/json; charset=utf-8"},
    )
    assert charset.status_code == 200, charset.text


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"created_at": "0001-01-01T00:00:00+00:00"}, "created_at"),
        ({"created_at": "9999-12-31T23:59:59-14:00"}, "created_at"),
        ({"url": "javascript:alert(document.cookie)"}, "url"),
        ({"url": "data:text/html,<script>alert(1)</script>"}, "url"),
        ({"platform_post_id": "\ud800"}, "surrogate"),
        ({"text": "nul \u0000 inside"}, "NUL"),
    ],
)
def test_a_post_is_validated_fully_before_it_is_accepted(
    client, hook_settings, change, reason
) -> None:
    record = make_record("Bonjour") | change
    raw = json.dumps(record).encode()  # ensure_ascii: the lone surrogate travels as \ud800
    response = _vigie(client, raw)
    assert response.status_code == 422 and reason in response.json()["detail"], response.text
    assert _posts(hook_settings) == []


def test_deeply_nested_json_is_refused_with_the_reason(client) -> None:
    for depth in (MAX_DEPTH + 1, 1_000, 2_000):
        response = _vigie(client, b"[" * depth + b"]" * depth)
        assert response.status_code == 422, (depth, response.text)
        assert "nested deeper" in response.json()["detail"]
