"""Card numbers redacted before Vigie keeps a post; SQLite files private to their owner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import make_post

from events.redaction import REDACTED_CARD, redact_card_numbers, redact_post
from events.schemas import Author
from workflow.db import init_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("carte 4539 1488 0343 6467 exp 09/27", "carte •••• •••• •••• 6467 exp 09/27"),
        ("card 5555-5555-5555-4444 cvv 123", "card ••••-••••-••••-4444 cvv 123"),
        ("4111111111111111", "••••••••••••1111"),
        ("tracking 4539 1488 0343 6468 (no Luhn)", "tracking 4539 1488 0343 6468 (no Luhn)"),
        ("appelez le 514-555-0142", "appelez le 514-555-0142"),
    ],
)
def test_card_numbers_keep_their_shape_and_last_four_digits(text: str, expected: str) -> None:
    assert redact_card_numbers(text) == expected


def test_redacted_card_is_recognisable_and_a_post_is_redacted_everywhere() -> None:
    post = make_post(
        "ma carte 4539148803436467 svp",
        author=Author(id="a", handle="h", description="visa 4111 1111 1111 1111"),
        place="4111-1111-1111-1111",
    )
    redacted = redact_post(post)
    assert "4539148803436467" not in redacted.model_dump_json()
    assert "••••-••••-••••-1111" == redacted.place  # the last four digits stay
    assert "1111 1111 1111 1111" not in redacted.model_dump_json()
    assert REDACTED_CARD.search(redacted.text).group() == "••••••••••••6467"  # type: ignore[union-attr]


def test_sqlite_database_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    url = f"sqlite:///{folder / 'vigie.db'}"
    engine = init_db(url)
    with engine.begin() as connection:  # writes through the WAL
        connection.execute(sa.text("CREATE TABLE probe (x int)"))
    try:
        files = [p for p in folder.iterdir() if p.name.startswith("vigie.db")]
        assert {p.name for p in files} >= {"vigie.db", "vigie.db-wal"}
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    finally:
        engine.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    init_db(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
