"""French social security numbers (NIR): 13 digits and a mod-97 key."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from stdnum.fr import nir

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["FranceNirDetector"]

# Sex, year, month, department (2A/2B for Corsica), commune, order, key; spaces optional.
_CANDIDATE = re.compile(
    r"(?<![\w-])[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}(?![\w-])",
    re.IGNORECASE,
)


class FranceNirDetector(Detector):
    name: ClassVar[str] = "france_nir"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 13

    def _detect(self, item: Item) -> Iterable[Finding]:
        for match in _CANDIDATE.finditer(item.text):
            if nir.is_valid(match.group(0)):
                yield self.hit(
                    match.group(0), match.start(), match.end(), detail="French NIR (checksum)"
                )
