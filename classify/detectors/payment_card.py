"""Payment card numbers: 13-19 digits with a card network prefix and a valid Luhn checksum."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from stdnum import luhn

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["PaymentCardDetector"]

_CANDIDATE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# Visa, Mastercard (51-55, 2221-2720), Amex, Discover, JCB, Diners, UnionPay, Interac-like 5x.
_NETWORK = re.compile(
    r"^(4|5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)|3[47]|6011|65|64[4-9]|35|30[0-5]|36|38|62)"
)


class PaymentCardDetector(Detector):
    name: ClassVar[str] = "payment_card"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 13

    def _detect(self, item: Item) -> Iterable[Finding]:
        for match in _CANDIDATE.finditer(item.text):
            digits = re.sub(r"\D", "", match.group(0))
            if 13 <= len(digits) <= 19 and _NETWORK.match(digits) and luhn.is_valid(digits):
                yield self.hit(
                    match.group(0), match.start(), match.end(), detail="payment card (Luhn)"
                )
