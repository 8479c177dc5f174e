"""Street addresses in Canada and France: a civic number, a street type and a name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["PostalAddressDetector"]

_FR_TYPES = (
    r"rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|route|rang|place|impasse|allée|"
    r"allee|quai|cours|montée|montee|côte|cote|croissant|promenade|sentier|square"
)
_EN_TYPES = r"street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|drive|dr\.?|lane|ln\.?|way|crescent|court|ct\.?|place|pl\.?|terrace"
_NAME = r"(?:(?:de |du |des |de la |de l['’]|d['’])?[A-ZÀ-ÖØ-Þ0-9][\w'’.-]*)(?:[ -](?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|de|du|des|la|le))*"
_UNIT = r"(?:(?:app\.?|apt\.?|appartement|apartment|suite|bureau|unit|#)\s*\d+[A-Z]?[,\s-]+)?"
_CIVIC = r"(?<![\w#/-])\d{1,5}[A-Z]?(?:-\d{1,5})?,?\s+"
_CA_POSTAL = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"
_FR_POSTAL = r"\b\d{5}\s+[A-ZÀ-Ý][\w'’-]+"

# "1234 rue Saint-Denis" (type first) and "450 Sherbrooke Street West" (type last).
_TYPE_FIRST = rf"{_CIVIC}{_UNIT}(?i:{_FR_TYPES}|{_EN_TYPES})\s+{_NAME}"
_TYPE_LAST = rf"{_CIVIC}{_UNIT}{_NAME}\s+(?i:{_EN_TYPES})(?:\s+(?:East|West|North|South|Est|Ouest|Nord|Sud))?(?!\w)"
_ADDRESS = re.compile(rf"(?:{_TYPE_FIRST}|{_TYPE_LAST})(?:[, ]+(?:{_CA_POSTAL}|{_FR_POSTAL}))?")
_POSTAL_ONLY = re.compile(rf"(?<!\w){_CA_POSTAL}(?!\w)")


class PostalAddressDetector(Detector):
    name: ClassVar[str] = "postal_address"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 1

    def _detect(self, item: Item) -> Iterable[Finding]:
        found = False
        for match in _ADDRESS.finditer(item.text):
            found = True
            yield self.hit(
                match.group(0).strip(" ,"), match.start(), match.end(), detail="street address"
            )
        if not found:
            # A postal code alone narrows a home to a few houses: weaker evidence than an address.
            for match in _POSTAL_ONLY.finditer(item.text):
                yield self.hit(
                    match.group(0),
                    match.start(),
                    match.end(),
                    detail="postal code",
                    score=float(self.score or 0.0) * 0.5,
                )
