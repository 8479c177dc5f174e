"""The webhook receiver: signatures, size limits, validation, Meta's check, the real broker."""

from __future__ import annotations

import json

import pytest
from conftest import make_record, read_all, with_settings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from events.codec import decode
from events.schemas import Post, Source
from ingest.webhooks import create_router, signature

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
    raw = body if body is not None else json.dumps(payload).encode()
    return client.post(
        f"/ingest/webhooks/{source}",
        content=raw,
        headers={header: signature(secret, raw), "Content-Type": "application/json"},
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
