"""Canadian social insurance numbers (NAS/SIN): Luhn-valid, grouped 3-3-3 or named nearby."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from stdnum.ca import sin

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import context_before
from classify.item import Item
from events.schemas import Label

__all__ = ["CanadaSinDetector"]

_GROUPED = re.compile(r"(?<![\d-])\d{3}[ -]\d{3}[ -]\d{3}(?![\d-])")
_BARE = re.compile(r"(?<![\d-])\d{9}(?![\d-])")
# Nine bare digits pass Luhn one time in ten: only count them when the text names them.
_NAMED = re.compile(r"(nas|sin|social insurance|assurance[- ]sociale)\b[^\d]{0,20}$", re.IGNORECASE)
_PHONE_LIKE = re.compile(r"(tél|tel|phone|cell|appel|call)", re.IGNORECASE)


class CanadaSinDetector(Detector):
    name: ClassVar[str] = "canada_sin"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 9

    def _detect(self, item: Item) -> Iterable[Finding]:
        text = item.text
        for match in _GROUPED.finditer(text):
            if sin.is_valid(match.group(0)) and not _PHONE_LIKE.search(
                context_before(text, match.start())
            ):
                yield self.hit(
                    match.group(0), match.start(), match.end(), detail="Canadian SIN (checksum)"
                )
        for match in _BARE.finditer(text):
            if _NAMED.search(context_before(text, match.start())) and sin.is_valid(match.group(0)):
                yield self.hit(
                    match.group(0), match.start(), match.end(), detail="Canadian SIN (checksum)"
                )
