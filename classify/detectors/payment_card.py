"""Payment card numbers: 13-19 digits with a card network prefix and a valid Luhn checksum.

A card number ingest already redacted (`events.redaction`: `•••• •••• •••• 1111`) still counts:
someone posted a card number, and the post needs the same care.

Digits may run together or come in groups (4-4-4-4, Amex 4-6-5, 19 digits as 4-4-4-4-3) split by
spaces, dashes or dots. "Order", « facture » or "tracking" just before lowers the score, as a
long reference number passes Luhn one time in ten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import ContextWords
from classify.item import Item
from events.redaction import REDACTED_CARD, card_prefix
from events.schemas import Label

__all__ = ["PaymentCardDetector"]

_CANDIDATE = re.compile(r"(?<![\d.-])\d(?:[ .-]?\d){12,18}(?![\d-]|\.\d)")
# Visa, Mastercard (51-55, 2221-2720), Amex, Discover, JCB, Diners, UnionPay, Maestro (50, 56-69).
_NETWORK = re.compile(r"^(4|5[0-8]|2(2[2-9]|[3-6]\d|7[01]|720)|3[47]|6\d|35|30[0-5]|36|38)")
_CONTEXT = ContextWords(
    support=re.compile(
        r"\b(?:card|carte|visa|master\s?card|amex|american express|discover|jcb|maestro|"
        r"unionpay|cb|credit|cr[ée]dit|debit|d[ée]bit|cvv|cvc|exp)"
    ),
    against=re.compile(
        r"\b(?:order|commande|invoice|facture|tracking|suivi|colis|parcel|ticket|dossier|"
        r"ref|réf|reference|référence|serial|imei|iccid|sim)\b"
    ),
    before=30,
    after=15,
    boost=0.1,
    damp=0.5,
)


class PaymentCardDetector(Detector):
    name: ClassVar[str] = "payment_card"
    version: ClassVar[str] = "1.2"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 4  # a redacted card keeps 4

    def _detect(self, item: Item) -> Iterable[Finding]:
        text = item.text
        for match in _CANDIDATE.finditer(text):
            raw = card_prefix(match.group(0), issuer=_NETWORK.match)
            if raw is None:
                continue
            start, end = match.start(), match.start() + len(raw)
            score = _CONTEXT.score(text, start, end, float(self.score or 0.0))
            yield self.hit(raw, start, end, detail="payment card (Luhn)", score=score)
        for match in REDACTED_CARD.finditer(text):
            start, end = match.span()
            score = _CONTEXT.score(text, start, end, float(self.score or 0.0))
            yield self.hit(match.group(), start, end, detail="payment card (redacted at ingest)",
                           score=score)
