"""Shared pieces for detectors built on regular expressions, and context words that move a score."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CONTEXT_SWITCH",
    "ContextWords",
    "compile_any",
    "context_after",
    "context_before",
    "words",
]


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


def context_after(text: str, end: int, width: int = 20) -> str:
    """The lower-cased text just after a match."""
    return text[end : end + width].lower()


@dataclass(frozen=True)
class ContextWords:
    """Words near a match that raise its score ("call me", « tél ») or lower it ("order", « facture »).

    As in Presidio's context enhancement: a hit with a supporting word before it (or just after)
    gains `boost`, up to 1; one with a word of the other kind is scaled by `damp`, which puts it
    under the firing score of 0.5 unless the format alone was already near-certain. Words of both
    kinds cancel out ("my cell is 514…, and my card…"): the format alone decides.
    """

    support: re.Pattern[str]
    against: re.Pattern[str] | None = None
    before: int = 40
    after: int = 15
    boost: float = 0.35
    damp: float = 0.4

    def supported(self, text: str, start: int, end: int) -> bool:
        return bool(self.support.search(self._window(text, start, end)))

    def contradicted(self, text: str, start: int, end: int) -> bool:
        return bool(self.against and self.against.search(self._window(text, start, end)))

    def score(self, text: str, start: int, end: int, base: float) -> float:
        """`base` raised by a supporting word, lowered by a contradicting one (which wins)."""
        if not CONTEXT_SWITCH.enabled:
            return base
        supported = self.supported(text, start, end)
        contradicted = self.contradicted(text, start, end)
        if contradicted and not supported:
            return base * self.damp
        if supported and not contradicted:
            return min(1.0, base + self.boost)
        return base

    def _window(self, text: str, start: int, end: int) -> str:
        return (
            f"{context_before(text, start, self.before)} § {context_after(text, end, self.after)}"
        )


@dataclass
class _Switch:
    enabled: bool = True


CONTEXT_SWITCH = _Switch()
"""Set `enabled` to False to score every hit on its format alone (to measure the context words)."""
