"""US social security numbers: AAA-GG-SSSS with the SSA's validity rules (python-stdnum).

No area 000, 666 or 900-999, no group 00, no serial 0000, and none of the numbers published on
cards in advertising. Written 3-2-4 with dashes the format speaks for itself; with spaces, or as
nine bare digits, the text must name it ("SSN", "social security"), as Canadian SINs and
other nine-digit numbers look the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from stdnum.us import ssn

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import ContextWords
from classify.item import Item
from events.schemas import Label

__all__ = ["UsSsnDetector"]

_DASHED = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
_SPACED_OR_BARE = re.compile(r"(?<![\w-])(?:\d{3} \d{2} \d{4}|\d{9})(?![\w-])")
_EXAMPLES = frozenset({"123456789", "078051120", "219099999", "111223333"})
_CONTEXT = ContextWords(
    support=re.compile(
        r"\b(?:ssn|ss#|social security|social sec|my social|his social|her social|"
        r"s[ée]curit[ée] sociale am[ée]ricain)"
    ),
    against=re.compile(
        r"\b(?:order|commande|invoice|facture|tracking|suivi|ticket|dossier|ref|réf|reference|"
        r"référence|case|phone|tel|tél|cell|sin|nas|nir|account|compte)\b"
    ),
    before=40,
    after=10,
    boost=0.25,
    damp=0.5,
)


class UsSsnDetector(Detector):
    name: ClassVar[str] = "us_ssn"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 9
    default_score: ClassVar[float] = 0.75

    def _detect(self, item: Item) -> Iterable[Finding]:
        text = item.text
        base = float(self.score or 0.0)
        for match in _DASHED.finditer(text):
            if _valid(match.group(0)):
                score = _CONTEXT.score(text, match.start(), match.end(), base)
                yield self.hit(
                    match.group(0), match.start(), match.end(), detail=_DETAIL, score=score
                )
        for match in _SPACED_OR_BARE.finditer(text):
            start, end = match.span()
            if (
                _valid(match.group(0))
                and _CONTEXT.supported(text, start, end)
                and not _CONTEXT.contradicted(text, start, end)
            ):
                yield self.hit(match.group(0), start, end, detail=_DETAIL, score=max(base, 0.9))


_DETAIL = "US social security number (SSA rules)"


def _valid(number: str) -> bool:
    compact = re.sub(r"\D", "", number)
    return compact not in _EXAMPLES and ssn.is_valid(compact)
