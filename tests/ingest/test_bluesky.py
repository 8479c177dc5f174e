"""Bluesky through the atproto SDK against a local XRPC server."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import read_all, with_settings
from platform_servers import BlueskyServer

from events.codec import decode
from events.schemas import Post, Source
from ingest.sources.bluesky import BlueskySource


@pytest.fixture
def sky():
    with BlueskyServer() as server:
        yield server


@pytest.fixture
def sky_settings(ingest_settings, sky):
    return with_settings(
        ingest_settings,
        bluesky_base_url=sky.url,
        bluesky_handle=sky.handle,
        bluesky_app_password=sky.password,
        bluesky_page_size=4,
    )


@pytest.fixture
def brand_file(ingest_settings, tmp_path: Path) -> Path:
    """The example brand with one keyword and one Bluesky staff account (Priya's)."""
    config = yaml.safe_load(Path(ingest_settings.brand_config).read_text(encoding="utf-8"))
    config["brand"]["keywords"] = ["Laurentia Mobile"]
    config["staff"][2]["accounts"]["bluesky"] = "priya.bsky.social"
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _posts(settings) -> list[Post]:
    return [
        decode(Post, r.value)
        for r in read_all(settings.kafka_bootstrap_servers, settings.topics.posts.name)
    ]


def test_mentions_search_and_staff_feed(sky, sky_settings, rig, brand_file) -> None:
    mention = sky.add_post(
        "client.bsky.social", "@laurentia.bsky.social réseau coupé", mention=True
    )
    both = sky.add_post(
        "media.bsky.social", "Laurentia Mobile, une question de La Presse", mention=True
    )
    search = sky.add_post(
        "fan.bsky.social",
        "Laurentia Mobile a le meilleur service",
        reply={
            "root": {"uri": "at://did:plc:x/app.bsky.feed.post/root1", "cid": "c"},
            "parent": {"uri": "at://did:plc:x/app.bsky.feed.post/par1", "cid": "c"},
        },
    )
    staff = sky.add_post("priya.bsky.social", "Formation interne aujourd'hui")
    poller = rig(BlueskySource(sky_settings), brand_config=brand_file)

    assert poller.poll_once() == 4
    posts = {p.platform_post_id: p for p in _posts(sky_settings)}
    assert set(posts) == {mention["uri"], both["uri"], search["uri"], staff["uri"]}
    assert (
        posts[staff["uri"]].source is Source.staff
        and posts[staff["uri"]].staff_member_id == "s-003"
    )
    reply = posts[search["uri"]]
    assert reply.thread_id == "bluesky:at://did:plc:x/app.bsky.feed.post/root1"
    assert reply.url and reply.url.startswith("https://bsky.app/profile/fan.bsky.social/post/")
    assert poller.poll_once() == 0


def test_restart_mid_pagination_neither_misses_nor_repeats(
    sky, sky_settings, rig, brand_file
) -> None:
    sky.add_post("c.bsky.social", "avant", mention=True)
    rig(BlueskySource(sky_settings), brand_config=brand_file).poll_once()
    for i in range(10):
        sky.add_post(f"c{i}.bsky.social", f"suite {i}", mention=True)
    stop = threading.Event()
    pages = []

    def crash_on_second_page(logged) -> None:
        if logged.path.endswith("listNotifications") and logged.status == 200:
            pages.append(logged)
            if len(pages) == 2:
                stop.set()

    sky.on_request = crash_on_second_page
    rig(BlueskySource(sky_settings), brand_config=brand_file, stop=stop).run()
    sky.on_request = None
    sky.add_post("tard.bsky.social", "pendant la panne", mention=True)
    second = rig(BlueskySource(sky_settings), brand_config=brand_file)
    second.poll_once()
    second.poll_once()

    texts = Counter(p.text for p in _posts(sky_settings))
    assert len(texts) == 12 and set(texts.values()) == {1}


def test_429_and_503_are_waited_out(sky, sky_settings, rig, brand_file) -> None:
    sky.add_post("c.bsky.social", "allo", mention=True)
    poller = rig(BlueskySource(sky_settings), brand_config=brand_file)
    poller.source.feeds(poller.publisher.roster.current())  # log in first
    sky.fail_next(1, 429, reset_in=0.5)
    sky.fail_next(1, 503)
    assert poller.poll_once() == 1
    assert poller.health.row.errors_total == 2


def test_a_revoked_app_password_stops_bluesky(sky, sky_settings, rig, brand_file) -> None:
    sky.revoked = True
    poller = rig(BlueskySource(sky_settings), brand_config=brand_file)
    poller.run()
    assert poller.health.row.state == "stopped"
    assert "VIGIE_BLUESKY_APP_PASSWORD" in (poller.health.row.last_error or "")


def test_the_brands_own_replies_are_collected_and_its_announcements_are_not(
    sky, sky_settings, rig
) -> None:
    mention = sky.add_post(
        "client.bsky.social", "@laurentia.bsky.social réseau coupé à Gatineau", mention=True
    )
    thread = {"uri": mention["uri"], "cid": mention["cid"]}
    reply = sky.add_post(
        "laurentia.bsky.social",
        "Désolés! Un technicien est en route.",
        reply={"root": thread, "parent": thread},
    )
    sky.add_post("laurentia.bsky.social", "Nouveau forfait dès lundi!")
    poller = rig(BlueskySource(sky_settings))

    assert poller.poll_once() == 2
    posts = {p.platform_post_id: p for p in _posts(sky_settings)}
    assert set(posts) == {mention["uri"], reply["uri"]}
    answer = posts[reply["uri"]]
    assert answer.author.handle == "laurentia.bsky.social" and answer.source is Source.mention
    assert answer.thread_id == posts[mention["uri"]].thread_id
