"""Fixtures of the workflow tests: the bundled brand configuration, a migrated and seeded
database (on SQLite and PostgreSQL through `database_url`), and verdict factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import make_post
from sqlalchemy.engine import Engine

from events.brand import BrandConfig, load_brand_config
from events.schemas import Evidence, LabelVerdict, Verdict
from events.settings import BUNDLED_BRAND_CONFIG
from workflow.book import PolicyBook
from workflow.db import init_db
from workflow.seed import seed_directory

TEST_AUTHOR_LISTS = {
    "journalists": ["journaliste_lp", "reporter_cbcmtl"],
    "vip": ["mairedemontreal"],
}


@pytest.fixture(scope="session")
def brand() -> BrandConfig:
    """The bundled configuration, with author lists of this suite's own (the file's may change)."""
    return load_brand_config(BUNDLED_BRAND_CONFIG).model_copy(
        update={"author_lists": TEST_AUTHOR_LISTS}
    )


@pytest.fixture
def book(brand: BrandConfig) -> PolicyBook:
    return PolicyBook(brand)


@pytest.fixture
def engine(database_url: str, brand: BrandConfig) -> Iterator[Engine]:
    engine = init_db(database_url)
    seed_directory(engine, brand)
    yield engine
    engine.dispose()


def build_verdict(
    text: str = "Bonjour",
    labels: tuple[tuple[str, str], ...] = (),
    *,
    lang: str = "fr",
    shadow: bool = False,
    **post: Any,
) -> Verdict:
    """A verdict; labels as (label, severity) pairs, post fields as keyword arguments."""
    evidence = [
        Evidence(
            kind="span",
            detector="keywords",
            version="1",
            text=text[:20],
            start=0,
            end=min(len(text), 20),
        )
    ]
    return Verdict(
        post=make_post(text, **post),
        lang=lang,
        labels=[
            LabelVerdict(label=label, score=0.9, severity=severity, evidence=evidence)
            for label, severity in labels
        ],
        model_version="test-model-1",
        shadow=shadow,
    )


FRIDAY_1710 = datetime(2026, 1, 9, 22, 10, tzinfo=UTC)
"""Friday 9 January 2026, 17:10 in Toronto (EST)."""


@pytest.fixture(name="make_verdict")
def make_verdict_fixture() -> Any:
    """`make_verdict(text, ((label, severity), ...), lang=..., **post_fields)`."""
    return build_verdict


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Argon2, with test-sized cost (production keeps pwdlib's recommended parameters)."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    import workflow.auth

    monkeypatch.setattr(
        workflow.auth, "_hasher", PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024),))
    )
