"""Names of the brand's staff (its roster) in a post: evidence for disclosures and harassment.

A name alone is not a problem (staff thank each other by name), so this detector's hits carry no
score of their own: they are shown as evidence when another part fires a label it supports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["RosterDetector"]


def _accent_free(letter: str) -> str:
    base = unicodedata.normalize("NFD", letter)[0]
    return base if base.isalpha() else letter


def _pattern_for(name: str) -> str:
    """A name as a pattern that also matches it without accents ('Émilie' ~ 'emilie')."""
    parts = []
    for letter in name:
        if letter.isspace():
            parts.append(r"\s+")
        elif _accent_free(letter) != letter:
            parts.append(f"[{re.escape(letter)}{re.escape(_accent_free(letter))}]")
        else:
            parts.append(re.escape(letter))
    return "".join(parts)


class RosterDetector(Detector):
    name: ClassVar[str] = "roster"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    default_score: ClassVar[float] = 0.0
    supports: ClassVar[tuple[Label, ...]] = (Label.risky_disclosure, Label.harassment)

    def _load(self) -> None:
        names = sorted(
            {n.strip() for n in self.context.roster if len(n.strip()) >= 4}, key=len, reverse=True
        )
        alternatives = "|".join(_pattern_for(n) for n in names)
        self._pattern = (
            re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if names else None
        )

    def _detect(self, item: Item) -> Iterable[Finding]:
        if self._pattern is None:
            return
        for match in self._pattern.finditer(item.text):
            yield self.hit(
                match.group(0), match.start(), match.end(), detail="name on the staff roster"
            )
