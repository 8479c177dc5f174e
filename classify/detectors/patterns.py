"""Shared pieces for detectors built on regular expressions."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["compile_any", "context_before", "words"]


def compile_any(patterns: Iterable[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One alternation of several patterns, so a text is scanned once."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


def words(*phrases: str) -> str:
    """An alternation of phrases matched on word boundaries, with flexible spaces and apostrophes."""
    escaped = (
        re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]").replace("’", "['’]")
        for p in phrases
    )
    return r"(?<!\w)(?:" + "|".join(escaped) + r")(?!\w)"


def context_before(text: str, start: int, width: int = 30) -> str:
    """The lower-cased text just before a match, to rule out order or tracking numbers."""
    return text[max(0, start - width) : start].lower()
