"""Mastodon through Mastodon.py against a local REST v1 server."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import read_all, with_settings
from platform_servers import MastodonServer

from events.codec import decode
from events.schemas import Post, Source
from ingest.sources.mastodon import MastodonSource


@pytest.fixture
def masto():
    with MastodonServer() as server:
        server.account("laurentia")
        yield server


@pytest.fixture
def brand_file(ingest_settings, tmp_path: Path) -> Path:
    """The example brand with one Mastodon staff account (Camille's)."""
    config = yaml.safe_load(Path(ingest_settings.brand_config).read_text(encoding="utf-8"))
    config["staff"][0]["accounts"]["mastodon"] = "camille@mastodon.example"
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def masto_settings(ingest_settings, masto):
    return with_settings(
        ingest_settings,
        mastodon_api_base_url=masto.url,
        mastodon_access_token=masto.token,
        mastodon_page_size=4,
    )


def _posts(settings) -> list[Post]:
    return [
        decode(Post, r.value)
        for r in read_all(settings.kafka_bootstrap_servers, settings.topics.posts.name)
    ]


def test_mentions_hashtags_and_staff_statuses(masto, masto_settings, rig, brand_file) -> None:
    masto.account("camille@mastodon.example", note="Comms chez Laurentia Mobile")
    mention = masto.add_status(
        "client@piaille.fr", "<p>@laurentia mon forfait<br>ne marche plus</p>", mention=True
    )
    tagged = masto.add_status(
        "fan@mastodon.example",
        "<p>J'aime <a href='#'>#LaurentiaMobile</a> &amp; vous?</p>",
        tags=["LaurentiaMobile"],
    )
    staff = masto.add_status("camille@mastodon.example", "<p>Conférence demain</p>")
    masto.add_status("autre@mastodon.example", "<p>sans rapport</p>")
    poller = rig(MastodonSource(masto_settings), brand_config=brand_file)

    assert poller.poll_once() == 3
    posts = {p.platform_post_id: p for p in _posts(masto_settings)}
    assert set(posts) == {mention["id"], tagged["id"], staff["id"]}
    assert posts[mention["id"]].text == "@laurentia mon forfait\nne marche plus"
    assert posts[tagged["id"]].text == "J'aime #LaurentiaMobile & vous?"
    assert (
        posts[staff["id"]].source is Source.staff and posts[staff["id"]].staff_member_id == "s-001"
    )
    assert posts[staff["id"]].author.description == "Comms chez Laurentia Mobile"
    assert poller.poll_once() == 0


def test_min_id_paging_resumes_exactly_after_a_restart(
    masto, masto_settings, rig, brand_file
) -> None:
    masto.add_status("client@piaille.fr", "<p>première</p>", mention=True)
    rig(MastodonSource(masto_settings), brand_config=brand_file).poll_once()
    for i in range(10):
        masto.add_status(f"c{i}@piaille.fr", f"<p>suite {i}</p>", mention=True)
    stop = threading.Event()
    pages = []

    def crash_on_second_page(logged) -> None:
        if logged.path == "/api/v1/notifications" and logged.status == 200:
            pages.append(logged)
            if len(pages) == 2:
                stop.set()

    masto.on_request = crash_on_second_page
    rig(MastodonSource(masto_settings), brand_config=brand_file, stop=stop).run()
    masto.on_request = None
    rig(MastodonSource(masto_settings), brand_config=brand_file).poll_once()

    texts = Counter(p.text for p in _posts(masto_settings))
    assert len(texts) == 11 and set(texts.values()) == {1}


def test_a_429_waits_for_the_reset_then_goes_on(masto, masto_settings, rig, brand_file) -> None:
    masto.add_status("client@piaille.fr", "<p>allo?</p>", mention=True)
    masto.fail_next(1, 429, reset_in=0.5)
    masto.fail_next(1, 503)
    poller = rig(MastodonSource(masto_settings), brand_config=brand_file)
    assert poller.poll_once() == 1
    first, second = masto.requests[0], masto.requests[1]
    assert (first.status, second.status) == (429, 503)
    assert poller.health.row.errors_total == 2


def test_a_revoked_token_stops_mastodon(masto, masto_settings, rig, brand_file) -> None:
    masto.revoked = True
    poller = rig(MastodonSource(masto_settings), brand_config=brand_file)
    poller.run()
    assert poller.health.row.state == "stopped"
    assert "VIGIE_MASTODON_ACCESS_TOKEN" in (poller.health.row.last_error or "")


def test_the_brands_own_replies_are_collected_and_its_announcements_are_not(
    masto, masto_settings, rig
) -> None:
    mention = masto.add_status(
        "client@piaille.fr", "<p>@laurentia plus de réseau depuis hier</p>", mention=True
    )
    reply = masto.add_status(
        "laurentia@mastodon.social",
        "<p>@client désolés, un technicien regarde votre secteur.</p>",
        in_reply_to_id=mention["id"],
        in_reply_to_account_id=mention["account"]["id"],
    )
    masto.add_status("laurentia@mastodon.social", "<p>Nouveau forfait dès lundi!</p>")
    poller = rig(MastodonSource(masto_settings))

    assert poller.poll_once() == 2
    posts = {p.platform_post_id: p for p in _posts(masto_settings)}
    assert set(posts) == {mention["id"], reply["id"]}
    answer = posts[reply["id"]]
    assert answer.author.handle == "laurentia@mastodon.social" and answer.source is Source.mention
    assert answer.thread_id == posts[mention["id"]].thread_id
