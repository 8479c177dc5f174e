"""X through tweepy against a local v2 server: feeds, dedup, paging, restarts, 429, 5xx, 401."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from conftest import read_all, with_settings
from platform_servers import XServer

from events.codec import decode
from events.schemas import Post, Source
from ingest.read_budget import ReadBudget, billing_period
from ingest.settings import IngestSettings
from ingest.sources.x import XSource, search_queries
from ingest.store import IngestStore

BRAND = ["LaurentiaMobile", "LaurentiaAide"]


@pytest.fixture
def x_server():
    with XServer() as server:
        for handle in BRAND:
            server.add_user(handle, "Compte officiel de Laurentia Mobile")
        server.add_user("camtremblay_lm", "Comms chez Laurentia Mobile")
        server.add_user("julienroy_net", "Sécurité. Opinions personnelles.")
        for handle in [
            "magagnon_lm",
            "priya_aide",
            "emi_bouchard",
            "dchen_ir",
            "slavoie_juridique",
            "ocote_dev",
            "nadia_h_mktg",
            "kobrien_store",
        ]:
            server.add_user(handle)
        yield server


@pytest.fixture
def x_settings(ingest_settings: IngestSettings, x_server: XServer) -> IngestSettings:
    return with_settings(
        ingest_settings, x_api_base_url=x_server.url, x_bearer_token=x_server.token, x_page_size=5
    )


def _posts(settings: IngestSettings) -> list[Post]:
    return [
        decode(Post, r.value)
        for r in read_all(settings.kafka_bootstrap_servers, settings.topics.posts.name)
    ]


def test_mentions_search_and_staff_timelines_become_posts_once(x_server, x_settings, rig) -> None:
    complaint = x_server.add_tweet(
        "client_fache", "@LaurentiaMobile toujours pas de réseau à Laval"
    )
    keyword = x_server.add_tweet("observateur", "Laurentia Mobile augmente ses prix?")
    both = x_server.add_tweet(
        "journaliste_lp", "@LaurentiaAide journaliste à La Presse, un commentaire?"
    )
    staff = x_server.add_tweet("camtremblay_lm", "Belle journée d'équipe au bureau")
    x_server.add_tweet("inconnu", "rien à voir avec la marque")
    poller = rig(XSource(x_settings))

    assert poller.poll_once() == 4
    posts = {p.platform_post_id: p for p in _posts(x_settings)}
    assert set(posts) == {complaint["id"], keyword["id"], both["id"], staff["id"]}
    assert (
        posts[staff["id"]].source is Source.staff and posts[staff["id"]].staff_member_id == "s-001"
    )
    assert posts[staff["id"]].author.description == "Comms chez Laurentia Mobile"
    assert posts[complaint["id"]].source is Source.mention
    assert posts[complaint["id"]].url == f"https://x.com/client_fache/status/{complaint['id']}"

    assert poller.poll_once() == 0, "a second poll starts from the checkpoints"
    newer = x_server.add_tweet(
        "client_fache",
        "@LaurentiaMobile et maintenant la facture!",
        conversation_id=complaint["id"],
        referenced_tweets=[{"type": "replied_to", "id": complaint["id"]}],
    )
    assert poller.poll_once() == 1
    reply = next(p for p in _posts(x_settings) if p.platform_post_id == newer["id"])
    assert reply.thread_id == f"x:{complaint['id']}" and reply.reply_to_id == complaint["id"]


def test_restart_mid_pagination_misses_and_repeats_nothing(
    x_server, x_settings, rig, database_url
) -> None:
    for i in range(23):
        x_server.add_tweet(f"client{i}", f"@LaurentiaMobile message {i}")
    stop = threading.Event()
    mention_pages = []

    def crash_after_two_pages(logged) -> None:
        if logged.path.endswith("/mentions") and logged.status == 200:
            mention_pages.append(logged)
            if len(mention_pages) == 2:
                stop.set()  # the process dies with page 2 fetched but not produced

    x_server.on_request = crash_after_two_pages
    first = rig(XSource(x_settings), database_url=database_url, stop=stop)
    first.run()
    cut = IngestStore(database_url).position("x", "mentions:LaurentiaMobile")
    assert cut.cursor is not None and cut.high_water is None, "stopped in the middle of the run"

    x_server.on_request = None
    for i in range(3):  # posts that arrive while the service is down
        x_server.add_tweet(f"late{i}", f"@LaurentiaMobile arrivé pendant la panne {i}")
    second = rig(XSource(x_settings), database_url=database_url)
    second.poll_once()
    second.poll_once()

    texts = Counter(p.text for p in _posts(x_settings))
    assert len(texts) == 26, "0 missed"
    assert set(texts.values()) == {1}, "0 repeated"
    done = IngestStore(database_url).position("x", "mentions:LaurentiaMobile")
    assert done.cursor is None and done.high_water == max(t["id"] for t in x_server.tweets)


def test_a_429_storm_waits_for_each_reset_and_loses_nothing(
    x_server, x_settings, rig, tmp_path
) -> None:
    for i in range(12):
        x_server.add_tweet(f"client{i}", f"@LaurentiaMobile tempête {i}")
    x_server.storm_every = 2
    poller = rig(XSource(x_settings), brand_config=_mentions_only(x_settings, tmp_path))
    poller.poll_once()

    texts = Counter(p.text for p in _posts(x_settings))
    assert len(texts) == 12 and set(texts.values()) == {1}
    log = x_server.requests
    limited = [i for i, r in enumerate(log) if r.status == 429]
    assert len(limited) >= 3
    for i in limited:
        if i + 1 < len(log):
            assert log[i + 1].at >= int(log[i].headers["x-rate-limit-reset"]), (
                "no call before the reset"
            )
    assert poller.health.row.errors_total >= len(limited)


def test_server_errors_back_off_and_retry(x_server, x_settings, rig) -> None:
    x_server.add_tweet("client", "@LaurentiaMobile panne générale?")
    x_server.fail_next(3, 503)
    poller = rig(XSource(x_settings))
    assert poller.poll_once() == 1
    assert [r.status for r in x_server.requests[:3]] == [503, 503, 503]
    assert poller.health.row.state == "ok" and poller.health.row.errors_total == 3


def test_an_answer_unlike_the_documentation_marks_the_source_and_is_retried(
    x_server, x_settings, rig
) -> None:
    """A user lookup answering an object instead of a list used to end the source's thread."""
    x_server.add_tweet("client", "@LaurentiaMobile toujours pas de réseau")
    x_server.odd_user_lookups = 1
    stop = threading.Event()
    poller = rig(XSource(x_settings), stop=stop)
    worker = threading.Thread(target=poller.run)
    worker.start()
    try:
        for _ in range(300):
            if poller.health.row.posts_total >= 1:
                break
            stop.wait(0.1)
    finally:
        stop.set()
        worker.join(30)
    assert poller.health.row.posts_total == 1, "the source recovered and collected the mention"
    assert poller.health.row.errors_total >= 1
    assert "TypeError" in (poller.health.row.last_error or ""), poller.health.row.last_error


def test_a_spent_budget_waits_before_calling(x_server, x_settings, rig, tmp_path) -> None:
    poller = rig(XSource(x_settings), brand_config=_mentions_only(x_settings, tmp_path))
    poller.poll_once()
    x_server.spend_all_but(0, window=1.5)  # the next answer says 0 left until the reset
    x_server.add_tweet("client", "@LaurentiaMobile encore moi")
    assert poller.poll_once() + poller.poll_once() == 1
    spent = next(r for r in x_server.requests if r.headers.get("x-rate-limit-remaining") == "0")
    same_endpoint = [r for r in x_server.requests if r.at > spent.at and r.path == spent.path]
    assert same_endpoint, "the endpoint was called again"
    assert same_endpoint[0].at >= int(spent.headers["x-rate-limit-reset"]), "not before the reset"
    assert not any(r.status == 429 for r in x_server.requests)


def test_a_revoked_token_stops_x_with_a_clear_message(x_server, x_settings, rig, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    x_server.revoked = True
    poller = rig(XSource(x_settings))
    thread = threading.Thread(target=poller.run)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the x poller ended on its own"
    row = poller.health.row
    assert row.state == "stopped" and "VIGIE_X_BEARER_TOKEN" in (row.last_error or "")
    assert "x stopped" in caplog.text
    assert x_server.token not in caplog.text, "the token is never logged"


def test_a_forbidden_search_is_skipped_and_mentions_go_on(x_server, x_settings, rig) -> None:
    x_server.forbidden.add("search")
    x_server.add_tweet("client", "@LaurentiaMobile bonjour")
    poller = rig(XSource(x_settings))
    assert poller.poll_once() == 1
    assert "refused" in (poller.health.row.last_error or "")
    searches = sum(r.path.endswith("/search/recent") for r in x_server.requests)
    poller.poll_once()
    assert sum(r.path.endswith("/search/recent") for r in x_server.requests) == searches


def test_a_tweet_without_its_author_is_dead_lettered(x_server, x_settings, rig) -> None:
    x_server.add_tweet("client", "@LaurentiaMobile normal")
    ghost = x_server.add_tweet("client", "@LaurentiaMobile sans auteur")
    ghost["author_id"] = "404404"
    assert rig(XSource(x_settings)).poll_once() == 1
    [dead] = read_all(x_settings.kafka_bootstrap_servers, x_settings.topics.posts.dlq)
    reason = dict(dead.headers)["dlq-reason"].decode()
    assert "404404" in reason and ghost["id"] in reason
    assert ghost["id"].encode() in dead.value


def test_removing_someone_from_the_roster_stops_collection_at_once(
    x_server, x_settings, rig, tmp_path
) -> None:
    config = yaml.safe_load(Path(x_settings.brand_config).read_text(encoding="utf-8"))
    brand_file = tmp_path / "brand.yaml"
    brand_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    poller = rig(XSource(x_settings), brand_config=brand_file)
    x_server.add_tweet("camtremblay_lm", "Avant son départ")
    assert poller.poll_once() == 1

    config["staff"] = [m for m in config["staff"] if m["id"] != "s-001"]
    brand_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    x_server.add_tweet("camtremblay_lm", "Après son départ, sans mention")
    x_server.add_tweet("camtremblay_lm", "Après son départ, @LaurentiaMobile mention publique")
    since = len(x_server.requests)
    poller.poll_once()

    after = [p for p in _posts(x_settings) if p.text.startswith("Après")]
    assert [(p.text, p.source) for p in after] == [
        ("Après son départ, @LaurentiaMobile mention publique", Source.mention)
    ]
    timeline = f"/2/users/{x_server.users['camtremblay_lm']['id']}/tweets"
    assert timeline not in [r.path for r in x_server.requests[since:]], (
        "her timeline is no longer read"
    )


def test_a_personal_account_without_consent_is_never_a_staff_feed(
    x_server, x_settings, rig, tmp_path
) -> None:
    config = yaml.safe_load(Path(x_settings.brand_config).read_text(encoding="utf-8"))
    for member in config["staff"]:
        if member["id"] == "s-004":
            member["consent"] = ["professional"]  # the account is personal: no longer consented
    brand_file = tmp_path / "brand.yaml"
    brand_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    x_server.add_tweet("julienroy_net", "Ma fin de semaine en famille")
    x_server.add_tweet("camtremblay_lm", "Bureau")
    rig(XSource(x_settings), brand_config=brand_file).poll_once()
    assert [p.author.handle for p in _posts(x_settings)] == ["camtremblay_lm"]


def test_search_queries_stay_within_the_limit() -> None:
    keywords = [f"mot clé numéro {i}" for i in range(60)]
    queries = search_queries(keywords, ["from:LaurentiaMobile"])
    assert all(len(q) <= 512 for q in queries) and len(queries) > 1
    assert queries[-1] == "from:LaurentiaMobile"
    assert sum(q.count('"mot clé') for q in queries) == 60


def _mentions_only(settings: IngestSettings, tmp_path: Path) -> Path:
    """The example brand with one X account, no keyword and no staff: one feed, fewer requests."""
    config = yaml.safe_load(Path(settings.brand_config).read_text(encoding="utf-8"))
    config["brand"].update(accounts={"x": ["LaurentiaMobile"]}, keywords=[])
    config["staff"] = []
    path = tmp_path / "mentions-only.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_the_filtered_stream_delivers_and_polling_fills_the_gaps(x_server, ingest_settings) -> None:
    """Stream and search see the same tweets: one event each; a tweet missed while the stream
    was down is still collected by the search poll."""
    import time as clock

    from helpers import read_topic

    from ingest.service import run

    x_server.stream_seconds = 30
    missed_by_stream = x_server.add_tweet("observateur", "Laurentia Mobile ferme des boutiques?")
    settings = with_settings(
        ingest_settings,
        x_api_base_url=x_server.url,
        x_bearer_token=x_server.token,
        x_filtered_stream=True,
        poll_interval_seconds=0.5,
    )
    stop = threading.Event()
    service = threading.Thread(target=run, args=(settings, stop))
    service.start()
    try:
        deadline = clock.monotonic() + 10
        while not x_server.rules and clock.monotonic() < deadline:
            clock.sleep(0.05)
        assert [r["tag"] for r in x_server.rules.values()] == ["vigie"]
        streamed = x_server.stream_tweet("fan", "Laurentia Mobile, meilleur réseau")
        records = read_topic(settings.kafka_bootstrap_servers, settings.topics.posts.name, count=2)
        by_id = {decode(Post, r.value).platform_post_id: decode(Post, r.value) for r in records}
        assert set(by_id) == {missed_by_stream["id"], streamed["id"]}
        clock.sleep(1.2)  # two more search polls see both tweets again
    finally:
        stop.set()
        service.join(timeout=30)
    assert not service.is_alive()
    posts = _posts(settings)
    assert Counter(p.platform_post_id for p in posts) == Counter(
        {missed_by_stream["id"]: 1, streamed["id"]: 1}
    )


def test_a_tier_without_the_stream_keeps_polling(x_server, x_settings, rig) -> None:
    from ingest.health import SourceHealth
    from ingest.sources.x_stream import XFilteredStream

    x_server.stream_forbidden = True
    poller = rig(XSource(x_settings))
    stream = XFilteredStream(
        with_settings(x_settings, x_filtered_stream=True),
        publisher=poller.publisher,
        store=poller.store,
        health=SourceHealth("x_stream", blind_after=60),
        stop=threading.Event(),
    )
    finished = threading.Thread(target=stream.run)
    finished.start()
    finished.join(timeout=15)
    assert not finished.is_alive()
    assert stream.health.row.state == "stopped" and "403" in (stream.health.row.last_error or "")
    x_server.add_tweet("client", "@LaurentiaMobile toujours là?")
    assert poller.poll_once() == 1


def test_the_poller_defers_search_and_keeps_reading_mentions(
    x_server: XServer, x_settings: IngestSettings, rig, tmp_path: Path
) -> None:
    x_server.add_tweet("client", "@LaurentiaMobile facture en double")
    x_server.add_tweet("observateur", "Laurentia Mobile augmente ses prix?")
    config = yaml.safe_load(Path(x_settings.brand_config).read_text(encoding="utf-8"))
    config["brand"].update(accounts={"x": ["LaurentiaMobile"]}, keywords=["Laurentia Mobile"],
                           read_caps={"x": {"monthly_posts": 620}})
    config["staff"] = []
    brand = tmp_path / "capped.yaml"
    brand.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    def budget(store: IngestStore, roster) -> ReadBudget:
        # Spent so that 20 posts a day are left for the rest of the period, 12 of them read
        # today: search (50 % of the day's share) must wait, mentions must not.
        today = datetime.now(UTC).date()
        first, resets = billing_period(today, 1)
        if first < today:
            store.add_read("x", first.isoformat(), 620 - 20 * (resets - today).days)
        store.add_read("x", today.isoformat(), 12)
        return ReadBudget("x", store, cap=lambda: roster.current().config.brand.read_caps.get("x"))

    poller = rig(XSource(x_settings), brand_config=brand, read_budget=budget)
    assert poller.poll_once() == 1, "the mention, not the keyword post"
    paths = [r.path for r in x_server.requests]
    assert any("/mentions" in p for p in paths) and not any("/search/" in p for p in paths)
    report = poller.read_budget.report()
    assert report.used_today == 13, "the mention read was counted"


def test_streamed_posts_count_against_the_monthly_read_cap(x_server, x_settings, rig) -> None:
    from events.brand import ReadCap
    from ingest.health import SourceHealth
    from ingest.sources.x_stream import XFilteredStream

    poller = rig(XSource(x_settings))
    budget = ReadBudget("x", poller.store, cap=lambda: ReadCap(monthly_posts=15000))
    stream = XFilteredStream(
        with_settings(x_settings, x_filtered_stream=True),
        publisher=poller.publisher,
        store=poller.store,
        health=SourceHealth("x_stream", blind_after=60),
        stop=threading.Event(),
        read_budget=budget,
    )
    tweet = x_server.add_tweet("fan", "Laurentia Mobile, meilleur réseau")
    user = next(u for u in x_server.users.values() if u["id"] == tweet["author_id"])
    message = {"data": tweet, "includes": {"users": [user]}}
    stream.handle(json.dumps(message).encode())
    assert budget.report().used_today == 1
    assert [p.platform_post_id for p in _posts(x_settings)] == [tweet["id"]]


def test_the_brands_own_replies_are_collected_and_its_announcements_are_not(
    x_server, x_settings, rig
) -> None:
    """A reply of the brand's account in a customer's thread is the case's response: collected
    in the customer's thread, under the brand's handle (the workflow knows it from brand.accounts)."""
    complaint = x_server.add_tweet("client_fache", "@LaurentiaAide facturé deux fois ce mois-ci")
    reply = x_server.add_tweet(
        "LaurentiaAide",
        "@client_fache désolés! Écrivez-nous en privé, on corrige ça.",
        conversation_id=complaint["id"],
        referenced_tweets=[{"type": "replied_to", "id": complaint["id"]}],
    )
    x_server.add_tweet("LaurentiaMobile", "Nouveau forfait illimité dès lundi!")
    poller = rig(XSource(x_settings))

    assert poller.poll_once() == 2
    posts = {p.platform_post_id: p for p in _posts(x_settings)}
    assert set(posts) == {complaint["id"], reply["id"]}
    answer = posts[reply["id"]]
    assert answer.author.handle == "LaurentiaAide" and answer.source is Source.mention
    assert answer.thread_id == posts[complaint["id"]].thread_id == f"x:{complaint['id']}"
