"""Signed draft-check links: what they carry, and what a forged or expired one gets."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workflow.draft_links import DraftLink, load_key, sign, verify

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = b"k" * 40


def test_a_link_names_its_employee_until_it_expires() -> None:
    token = sign(KEY, DraftLink("s-003", NOW + timedelta(days=7)))
    assert verify(KEY, token, now=NOW) == DraftLink("s-003", NOW + timedelta(days=7))
    assert verify(KEY, token, now=NOW + timedelta(days=7)) is None  # expired
    assert verify(b"x" * 40, token, now=NOW) is None  # another key


@pytest.mark.parametrize("bad", ["", ".", "abc", "abc.def", "s-003.", "====.===="])
def test_malformed_tokens_are_refused(bad: str) -> None:
    assert verify(KEY, bad, now=NOW) is None


def test_a_changed_payload_breaks_the_signature() -> None:
    token = sign(KEY, DraftLink("s-003", NOW + timedelta(days=7)))
    other = sign(KEY, DraftLink("s-001", NOW + timedelta(days=7)))
    forged = other.split(".")[0] + "." + token.split(".")[1]
    assert verify(KEY, forged, now=NOW) is None


def test_without_a_configured_key_one_is_kept_in_the_data_folder(tmp_path: Path) -> None:
    first = load_key(None, tmp_path / "data")
    assert load_key(None, tmp_path / "data") == first  # the same after a restart
    path = tmp_path / "data" / "draft-link.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key("c" * 32, tmp_path / "data") == b"c" * 32
    path.write_text("short")
    with pytest.raises(ValueError, match="draft-link.key"):
        load_key(None, tmp_path / "data")
