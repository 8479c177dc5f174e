"""International bank account numbers, confirmed by their mod-97 checksum."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import ClassVar

from stdnum import iban

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["IbanDetector"]

_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")


class IbanDetector(Detector):
    name: ClassVar[str] = "iban"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 2

    def _load(self) -> None:
        # stdnum reads its IBAN registry on first use through an importlib API that Python 3.11
        # marks deprecated; read it now, once, without the noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            iban.is_valid("GB82 WEST 1234 5698 7654 32")

    def _detect(self, item: Item) -> Iterable[Finding]:
        for match in _CANDIDATE.finditer(item.text):
            text = _valid_prefix(match.group(0))
            if text:
                yield self.hit(
                    text, match.start(), match.start() + len(text), detail="IBAN (checksum)"
                )


def _valid_prefix(candidate: str) -> str | None:
    """The longest valid IBAN at the start of a candidate (a trailing word may have been swallowed)."""
    while len(candidate.replace(" ", "")) >= 15:
        if iban.is_valid(candidate):
            return candidate
        candidate = candidate[:-1].rstrip()
    return None
