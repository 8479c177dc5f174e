"""The staff roster and consent: who is collected as staff; a change applies at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from helpers import make_post

from events.brand import BrandConfig, load_brand_config
from events.errors import ConfigError
from events.schemas import Source
from events.settings import BUNDLED_BRAND_CONFIG
from ingest.roster import Roster, RosterWatcher


def _config(staff: list[dict], accounts: dict | None = None) -> BrandConfig:
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["staff"] = staff
    if accounts is not None:
        data["brand"]["accounts"] = accounts
    return BrandConfig.model_validate(data)


@pytest.mark.parametrize(
    "consent, use, collected",
    [
        (["official", "professional"], None, True),  # default use: professional
        (["professional"], "professional", True),
        (["official"], None, False),  # professional account, not consented
        (["professional"], "personal", False),  # personal account without opt-in
        (["professional", "personal"], "personal", True),  # personal opt-in
        (["official"], "official", True),
    ],
)
def test_consent_scope_decides_collection(consent, use, collected) -> None:
    member = {"id": "s-1", "name": "Lou", "consent": consent, "accounts": {"x": "@Lou_LM"}}
    if use:
        member["account_use"] = {"x": use}
    roster = Roster(_config([member]))
    assert (roster.lookup("x", "lou_lm") is not None) is collected
    assert bool(roster.accounts("x")) is collected
    assert (len(roster.refused) == 1) is not collected


def test_attribute_follows_the_roster() -> None:
    roster = Roster(
        _config(
            [{"id": "s-1", "name": "Lou", "consent": ["professional"], "accounts": {"x": "lou_lm"}}]
        )
    )
    by_staff_as_mention = make_post(author={"id": "1", "handle": "LOU_LM"})
    attributed = roster.attribute(by_staff_as_mention)
    assert attributed.source is Source.staff and attributed.staff_member_id == "s-1"
    assert (
        roster.attribute(make_post(author={"id": "2", "handle": "someone"})).source
        is Source.mention
    )
    outsider_claimed_staff = make_post(
        author={"id": "3", "handle": "ex_lm"}, source=Source.staff, staff_member_id="s-9"
    )
    assert roster.attribute(outsider_claimed_staff) is None
    on_other_platform = make_post(platform="mastodon", author={"id": "1", "handle": "lou_lm"})
    assert roster.attribute(on_other_platform).source is Source.mention


def test_official_account_posts_need_a_member_with_official_consent() -> None:
    staff = [
        {
            "id": "s-1",
            "name": "Lou",
            "consent": ["official", "professional"],
            "accounts": {"x": "lou_lm"},
        },
        {"id": "s-2", "name": "Max", "consent": ["professional"], "accounts": {"x": "max_lm"}},
    ]
    roster = Roster(_config(staff, accounts={"x": ["LaurentiaAide"]}))
    official = make_post(
        author={"id": "9", "handle": "LaurentiaAide"}, source=Source.staff, staff_member_id="s-1"
    )
    assert roster.attribute(official) == official
    not_consented = make_post(
        author={"id": "9", "handle": "LaurentiaAide"}, source=Source.staff, staff_member_id="s-2"
    )
    assert roster.attribute(not_consented) is None


def test_account_use_must_name_an_account(tmp_path: Path) -> None:
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["staff"][0]["account_use"] = {"mastodon": "personal"}
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        ConfigError, match="account_use names platforms without an account: mastodon"
    ):
        load_brand_config(path)


def test_the_watcher_reloads_a_changed_file_and_keeps_the_last_good_one(tmp_path: Path) -> None:
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    watcher = RosterWatcher(path)
    assert watcher.current().lookup("x", "camtremblay_lm") is not None

    data["staff"] = data["staff"][1:]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different stamp even within one clock tick
    assert watcher.current().lookup("x", "camtremblay_lm") is None, "removed at once"

    path.write_text("staff: [oops", encoding="utf-8")
    assert watcher.current().lookup("x", "magagnon_lm") is not None, (
        "a broken file keeps the last roster"
    )


def test_the_bundled_sample_stream_agrees_with_the_example_roster() -> None:
    import json

    from ingest.normalize.record import post_from_record

    roster = Roster(load_brand_config(BUNDLED_BRAND_CONFIG))
    sample = Path(__file__).resolve().parents[2] / "ingest" / "samples" / "sample_stream.jsonl"
    lines = sample.read_text(encoding="utf-8").splitlines()
    posts = [
        post_from_record(json.loads(line), collected_by="test") for line in lines if line.strip()
    ]
    assert len(posts) >= 300
    assert [p for p in posts if roster.attribute(p) != p] == []
