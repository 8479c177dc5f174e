"""Confidentiality markers, French and English: « confidentiel », « sous embargo », "internal only"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import compile_any, words
from classify.item import Item
from events.schemas import Label

__all__ = ["ConfidentialityDetector"]

_MARKERS = compile_any(
    [
        words(
            "confidentiel",
            "confidentielle",
            "confidentiels",
            "confidentielles",
            "strictement confidentiel",
            "interne seulement",
            "usage interne",
            "à usage interne",
            "interne uniquement",
            "diffusion interne",
            "document interne",
            "note interne",
            "mémo interne",
            "memo interne",
            "sous embargo",
            "embargo jusqu'",
            "ne pas diffuser",
            "ne pas partager",
            "ne pas transférer",
            "entente de confidentialité",
            "confidential",
            "strictly confidential",
            "internal only",
            "internal use only",
            "for internal use",
            "internal memo",
            "internal doc",
            "internal document",
            "internal deck",
            "internal roadmap",
            "internal slide",
            "under embargo",
            "embargoed",
            "do not share",
            "do not distribute",
            "not for distribution",
            "proprietary",
            "NDA",
            "leaked",
            "sneak peek at the roadmap",
        ),
    ]
)
# "Your data stays confidential" is a reassurance, not a leak.
_REASSURANCE = re.compile(
    r"(reste(nt)? confidentiel|demeure(nt)? confidentiel|stays? confidential|remains? confidential|"
    r"kept confidential|traitée?s? de façon confidentielle|politique de confidentialité|privacy policy|"
    r"confidentiality (policy|agreement)s? (is|are) available)",
    re.IGNORECASE,
)


class ConfidentialityDetector(Detector):
    name: ClassVar[str] = "confidentiality"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "confidential"
    keywords: ClassVar[tuple[str, ...]] = (
        "confidenti",
        "interne",
        "internal",
        "embargo",
        "diffuser",
        "partager",
        "transférer",
        "proprietary",
        "nda",
        "leak",
        "sneak peek",
        "do not",
        "not for distribution",
    )

    def _detect(self, item: Item) -> Iterable[Finding]:
        if _REASSURANCE.search(item.text):
            return
        for match in _MARKERS.finditer(item.text):
            yield self.hit(
                match.group(0), match.start(), match.end(), detail="confidentiality marker"
            )
