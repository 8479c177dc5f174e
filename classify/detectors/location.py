"""Location disclosures: a geotag on the post, or "I'm at ..." and executives' travel in the text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import compile_any
from classify.item import Item
from events.schemas import Label

__all__ = ["LocationDetector"]

# A named place (capitalized), or a place whose mere mention locates someone.
_SITES = (
    r"(?i:airport|aéroport|hotel|hôtel|office|bureau|HQ|headquarters|siège social|data ?cent(?:er|re)"
    r"|centre de données|warehouse|entrepôt|plant|usine|lobby|gate|porte \d+|terminal)"
)
_PLACE = (
    rf"(?:(?i:the |our |my |l['’]|la |le |les |notre |mon |ma )?{_SITES}\b"
    rf"|(?i:the |l['’]|la |le )?[A-ZÀ-Ý][\w'’-]+)"
)
# A shop inviting people over is not someone's whereabouts: "come see us at the Laval store".
_INVITATION = re.compile(
    r"\b(?:come (?:see|visit|by|say)|join us|see you there|venez|rejoignez|passez nous|"
    r"on vous attend|visit us|visitez)\b",
    re.IGNORECASE,
)
_SHOP = re.compile(r"\b(?:store|shop|boutique|magasin|kiosk|kiosque|succursale)\b", re.IGNORECASE)
_PHRASES = compile_any(
    [
        # Someone says where they are right now.
        rf"\b(?i:I['’]m|I am|we['’]re|we are) (?i:at|in) {_PLACE}",
        rf"\b(?i:just landed|landing|arrived|checking in|checked in|currently) (?i:at|in) {_PLACE}",
        rf"\b(?i:je suis|on est|nous sommes|j['’]arrive|je viens d['’]atterrir) (?i:à|au|aux|chez) {_PLACE}",
        rf"\b(?i:atterri|arrivée?s?|installée?s?) (?i:à|au|aux|en) {_PLACE}",
        r"📍\s*\S",
        # Travel plans of executives, announced before they happen.
        r"\b(?:CEO|CFO|COO|CTO|(?i:president|PDG|DG|présidente?|vice-présidente?)|VP|(?i:notre patron(?:ne)?|our boss))\b"
        r"[^.!?\n]{0,40}\b(?i:will be|is flying|flies|lands?|arrives?|sera|atterrit|arrive|s['’]envole|"
        r"débarque|en route)\b[^.!?\n]{0,30}\b(?i:in|at|to|à|au|aux|en|vers)\b",
        r"\b(?i:hotel|hôtel|room|chambre) (?:n[o°º]\.? ?|#)?\d{2,4}\b",
    ],
    flags=0,  # place names are told apart by their capital letter
)


class LocationDetector(Detector):
    name: ClassVar[str] = "location"
    version: ClassVar[str] = "1.1"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "location"
    keywords: ClassVar[tuple[str, ...]] = (
        "i'm",
        "i’m",
        "i am",
        "we're",
        "we’re",
        "we are",
        "landed",
        "landing",
        "arrived",
        "checking",
        "checked",
        "currently",
        "je suis",
        "on est",
        "nous sommes",
        "j'arrive",
        "j’arrive",
        "atterri",
        "arrivé",
        "installé",
        "📍",
        "ceo",
        "cfo",
        "coo",
        "cto",
        "presid",
        "présid",
        "pdg",
        "dg",
        "vp",
        "patron",
        "boss",
        "hotel",
        "hôtel",
        "room",
        "chambre",
    )

    def detect(self, item: Item) -> list[Finding]:
        """The geotag first: it needs no keyword in the text."""
        geotag = (
            [self.hit(item.place, where="place", detail="post is geotagged")] if item.place else []
        )
        if geotag and self.sources is not None and item.source not in self.sources:
            geotag = []
        return geotag + super().detect(item)

    def _detect(self, item: Item) -> Iterable[Finding]:
        text = item.text
        for match in _PHRASES.finditer(text):
            sentence = _sentence(text, match.start(), match.end())
            if _INVITATION.search(sentence) and _SHOP.search(sentence):
                continue
            yield self.hit(
                match.group(0), match.start(), match.end(), detail="says where someone is"
            )


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or line) around a match."""
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]
