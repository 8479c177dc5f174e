"""Phone numbers (the `phonenumbers` library), leaving out toll-free lines and order numbers.

A number the library holds valid for its region fires on its own; one that only has a possible
length (new ranges, fictional 555 or drama numbers, foreign formats) fires when a word near it
says it is a phone ("cell", « appelez-moi », "text me"). Words such as "order", « facture » or
« dossier » lower either below the firing score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import ContextWords, context_before
from classify.item import Item
from events.schemas import Label

__all__ = ["FALLBACK_REGIONS", "PhoneDetector"]

FALLBACK_REGIONS = ("US", "GB", "BE", "CH")
"""Read after the configured regions, for the numbers those leave unexplained."""

# Cheap pre-filter: the library's matcher is slow, so only texts with 8+ digits nearby reach it.
_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_NOT_A_PHONE = re.compile(
    r"(commande|order|suivi|tracking|colis|facture|invoice|ref|réf|dossier|ticket|billet|"
    r"numéro de (commande|client|suivi)|n[o°º]\.?|#)\s*[:#]?\s*$"
)
_CONTEXT = ContextWords(
    support=re.compile(
        r"\b(?:t[ée]l\b|t[ée]l[ée]phone|phone|cell|mobile|portable|fixe|num[ée]ro|number|"
        r"call|ring|text|sms|texto|whatsapp|reach|dial|appel|rappel|joindre|joignez|line|ligne)"
    ),
    against=re.compile(
        r"\b(?:order|commande|ticket|dossier|facture|invoice|tracking|suivi|colis|parcel|"
        r"ref|réf|reference|référence|account|compte|sin|nas|ssn|s[ée]cu|social|siret|siren|"
        r"iban|card|carte|serial|imei|model|modèle)\b"
    ),
    before=35,
    after=12,
)
_POSSIBLE_SCORE = 0.45
# Years with serials (2025-004417) and dotted quads (IP addresses) are not dialled.
_NOT_DIALLED = re.compile(r"(?:19|20)\d{2}-\d{4,7}|\d{1,3}(?:\.\d{1,3}){3}")


class PhoneDetector(Detector):
    name: ClassVar[str] = "phone"
    version: ClassVar[str] = "1.1"
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
        candidates = [m.span() for m in _CANDIDATE.finditer(item.text)]
        if not candidates:
            return
        regions = list(dict.fromkeys(self.context.regions))
        fallback = [r for r in FALLBACK_REGIONS if r not in regions]
        best: dict[tuple[int, int], tuple[bool, str, Any]] = {}
        for region in regions + fallback:
            if region in fallback and all(_covered(c, best) for c in candidates):
                break  # every run of digits is explained by the brand's own regions
            for match in self._lib.PhoneNumberMatcher(
                item.text, region, leniency=self._lib.Leniency.POSSIBLE
            ):
                valid = self._lib.is_valid_number(match.number)
                span = (match.start, match.end)
                clash = [s for s in best if s[0] < span[1] and span[0] < s[1]]
                if clash and (not valid or any(best[s][0] for s in clash)):
                    continue  # the first region's reading wins, unless only this one is valid
                for s in clash:
                    del best[s]
                best[span] = (valid, region, match)
        for span in sorted(best):
            valid, region, match = best[span]
            finding = self._finding(item.text, match, region, valid)
            if finding is not None:
                yield finding

    def _dialled(self, match: Any, region: str) -> bool:
        """Written as someone would dial it: with its country code, or with every national digit
        and the trunk prefix a region requires (« 06 », not « 6 »): rules out 123-45-6789 read as
        a French number, or 2024-118833."""
        raw = match.raw_string
        digits = sum(c.isdigit() for c in raw)
        if _NOT_DIALLED.fullmatch(raw):
            return False
        if raw.startswith(("+", "00")):
            return digits >= 8
        national = len(self._lib.national_significant_number(match.number))
        prefix = self._lib.PhoneMetadata.metadata_for_region(region).national_prefix
        if prefix and prefix != "1":  # NANP's "1" is optional
            return digits >= national + len(prefix) and raw.lstrip("(").startswith(prefix)
        return digits >= max(national, 9)

    def _finding(self, text: str, match: Any, region: str, valid: bool) -> Finding | None:
        if (
            (match.start and text[match.start - 1].isalnum())  # inside 1Z999AA10123456784
            or _NOT_A_PHONE.search(context_before(text, match.start))
            or not self._dialled(match, region)
        ):
            return None
        if self._lib.number_type(match.number) in self._public:
            return None  # a brand's toll-free line is meant to be shared
        base = float(self.score or 0.0)
        base = base if valid else min(base, _POSSIBLE_SCORE)
        score = _CONTEXT.score(text, match.start, match.end, base)
        where = self._lib.region_code_for_number(match.number) or region
        detail = f"phone number ({where})" if valid else f"possible phone number ({where})"
        return self.hit(match.raw_string, match.start, match.end, detail=detail, score=score)


def _covered(span: tuple[int, int], taken: Iterable[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in taken)
