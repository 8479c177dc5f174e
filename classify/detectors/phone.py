"""Phone numbers (the `phonenumbers` library), leaving out toll-free lines and order numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import context_before
from classify.item import Item
from events.schemas import Label

__all__ = ["PhoneDetector"]

# Cheap pre-filter: the library's matcher is slow, so only texts with 8+ digits nearby reach it.
_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_NOT_A_PHONE = re.compile(
    r"(commande|order|suivi|tracking|colis|facture|invoice|ref|réf|dossier|ticket|billet|"
    r"numéro de (commande|client|suivi)|n[o°º]\.?|#)\s*[:#]?\s*$"
)


class PhoneDetector(Detector):
    name: ClassVar[str] = "phone"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 7

    def _load(self) -> None:
        import phonenumbers

        self._lib: Any = phonenumbers
        self._public = {
            phonenumbers.PhoneNumberType.TOLL_FREE,
            phonenumbers.PhoneNumberType.PREMIUM_RATE,
            phonenumbers.PhoneNumberType.SHARED_COST,
        }

    def _detect(self, item: Item) -> Iterable[Finding]:
        if not _CANDIDATE.search(item.text):
            return
        seen: set[tuple[int, int]] = set()
        for region in self.context.regions:
            for match in self._lib.PhoneNumberMatcher(
                item.text, region, leniency=self._lib.Leniency.VALID
            ):
                span = (match.start, match.end)
                if span in seen or _NOT_A_PHONE.search(context_before(item.text, match.start)):
                    continue
                seen.add(span)
                if self._lib.number_type(match.number) in self._public:
                    continue  # a brand's toll-free line is meant to be shared
                yield self.hit(
                    match.raw_string, match.start, match.end, detail=f"phone number ({region})"
                )
