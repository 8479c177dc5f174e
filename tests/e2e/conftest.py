"""End-to-end fixtures: each service as its own real process, on the test's broker and database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import Services

from events.settings import Settings


@pytest.fixture
def services(settings: Settings, database_url: str, tmp_path: Path) -> Iterator[Services]:
    running = Services(settings, database_url, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()
