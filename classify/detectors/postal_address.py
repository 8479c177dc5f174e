"""Street addresses in Canada, the US and France, and postal codes that place a home.

A civic number, a street type and a name, in either order ("1234 rue Saint-Denis",
"450 Sherbrooke Street West", "3100 Oak Dr"), then what may follow: a unit, the city, the
province or state and the postal code (A1A 1A1, ZIP or ZIP+4, five French digits before the
city). A Canadian postal code alone counts fully next to a city or named as one; a French one
when the text says someone lives there. A shop announcing its own address ("visit us", « notre
magasin », "hiring") scores under the firing score: that address is meant to be public.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import ContextWords
from classify.item import Item
from events.schemas import Label

__all__ = ["PostalAddressDetector"]

_FR_TYPES = (
    r"rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|route|rang|place|impasse|allée|"
    r"allee|quai|cours|montée|montee|côte|cote|croissant|promenade|sentier|square|voie|passage|"
    r"ruelle|esplanade|parvis|carrefour|rond-point|traverse|lieu-dit|hameau|faubourg|cité|villa"
)
_EN_TYPES = (
    r"street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|drive|dr\.?|lane|ln\.?|way|"
    r"crescent|cres\.?|court|ct\.?|place|pl\.?|terrace|trail|parkway|pkwy\.?|highway|hwy\.?|"
    r"circle|cir\.?|square|sq\.?|row|close|grove"
)
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_NAME = rf"(?:(?:de |du |des |de la |de l['’]|d['’])?(?:{_CAP}|\d{{1,3}}(?:e|th|st|nd|rd)?\b))(?:[ -](?:{_CAP}|de|du|des|la|le|l['’]\w+))*"
_UNIT = r"(?:(?:app\.?|apt\.?|appartement|apartment|suite|bureau|unit|#)\s*\d+[A-Z]?[,\s-]+)?"
_CIVIC = r"(?<![\w#/.,$€-])\d{1,5}[A-Z]?(?:-\d{1,5})?(?: bis| ter)?,?\s+"
_DIRECTION = r"(?:\s+(?:E|W|N|S|NE|NW|SE|SW|East|West|North|South|Est|Ouest|Nord|Sud)\b\.?)?"
_CA_POSTAL = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"
_REGION = (
    r"(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT|AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|"
    r"KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|"
    r"VA|WA|WV|WI|WY|\(?Québec\)?|\(?Quebec\)?|\(?Ontario\)?)"
)
_CITY = rf"{_CAP}(?:[ -](?:{_CAP}|sur|en|de|du|la|le))*?"
_UNIT_AFTER = r"(?:,?\s*(?i:app\.?|apt\.?|appartement|apartment|suite|unit|bureau|#)\s*\d+[A-Z]?)?"
_TAIL = (
    rf"{_UNIT_AFTER}(?:,\s*(?:{_CA_POSTAL}(?!\w)|\d{{5}}\s+{_CITY}\b|{_CITY}(?:,?\s+{_REGION})?"
    rf"(?:,?\s+(?:{_CA_POSTAL}|\d{{5}}(?:-\d{{4}})?))?(?![\w-])(?!\s*[A-ZÀ-Ý])))?"
)
_TYPE_FIRST = rf"{_CIVIC}{_UNIT}(?i:{_FR_TYPES})\s+{_NAME}{_DIRECTION}"
_TYPE_LAST = rf"{_CIVIC}{_UNIT}{_NAME}\s+(?i:{_EN_TYPES})(?!\w){_DIRECTION}"
_ADDRESS = re.compile(rf"(?:{_TYPE_FIRST}|{_TYPE_LAST}){_TAIL}(?:\s+{_CA_POSTAL}(?!\w))?")
_NUMBER_THEN_WORD = re.compile(rf"{_CIVIC}[A-Za-zÀ-ÿ#]")
# Two patterns, not one alternation: each is scanned far faster on its own.
_CA_ALONE = re.compile(rf"{_CA_POSTAL}(?!\w)")
_FR_ALONE = re.compile(r"(?<![\w-])(?:0[1-9]|[1-8]\d|9[0-5]|97)\d{3}\s+[A-ZÀ-Ý][\w'’-]+")
_LIVES_WORDS = (
    "habit",
    "vis ",
    "vit ",
    "live",
    "domicil",
    "home",
    "adress",
    "address",
    "postal",
    "zip",
    "moved",
    "déménag",
)
_CITY_NEAR = re.compile(rf"^\W{{0,3}}(?:(?:à|a|in|at)\s+)?{_CAP}|{_CAP}\W{{0,3}}$")
_LIVES = re.compile(
    r"\b(?:habite|j['’]habite|vis|vit|live|lives|living|domicile|home|adresse|address|"
    r"code postal|postal code|zip|moved|déménag)",
    re.IGNORECASE,
)
_LANDMARKS = re.compile(
    r"^(?:10 Downing Street|1600 Pennsylvania Ave|24 Sussex Drive|221B Baker Street|"
    r"55 rue du Faubourg Saint-Honoré)",
    re.IGNORECASE,
)
_CONTEXT = ContextWords(
    support=re.compile(
        r"\b(?:lives?|habite|home|maison|domicile|adresse|address|deliver|livr|ship|envoy|send|"
        r"moved|déménag|courier|colis|package)"
    ),
    against=re.compile(
        r"\b(?:our|notre|nos) (?:new |nouvelle? )?(?:store|shop|boutique|magasin|flagship|"
        r"succursale|branch|location|bureaux|offices)|\bvisit us\b|\bvisitez\b|\bvenez\b|"
        r"\bcome (?:see|visit)\b|\bhiring\b|\bembauche\b|\bopen (?:till|until|daily)|"
        r"\bouverte? (?:jusqu|tous)|\bflagship\b"
    ),
    before=60,
    after=45,
    boost=0.1,
    damp=0.5,
)


class PostalAddressDetector(Detector):
    name: ClassVar[str] = "postal_address"
    version: ClassVar[str] = "1.1"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    min_digits: ClassVar[int] = 1

    def _detect(self, item: Item) -> Iterable[Finding]:
        text = item.text
        base = float(self.score or 0.0)
        found = False
        if not _NUMBER_THEN_WORD.search(text):
            if item.digits >= 3:  # a postal code has three digits (Canada) or five (France)
                yield from self._postal_codes(item, base)
            return
        for match in _ADDRESS.finditer(text):
            if _LANDMARKS.match(match.group(0)):
                continue
            found = True
            address = match.group(0).rstrip(" ,")
            start, end = match.start(), match.start() + len(address)
            score = _CONTEXT.score(text, start, end, base)
            yield self.hit(address, start, end, detail="street address", score=score)
        if not found and item.digits >= 3:
            yield from self._postal_codes(item, base)

    def _postal_codes(self, item: Item, base: float) -> Iterable[Finding]:
        """A postal code with no street: a few houses (Canada) or a town (France)."""
        text = item.text
        if item.digits >= 5 and any(w in item.lowered for w in _LIVES_WORDS):
            for match in _FR_ALONE.finditer(text):
                if _LIVES.search(text[max(0, match.start() - 40) : match.start()]):
                    yield self.hit(match.group(0), *match.span(), detail="postal code and town")
        for match in _CA_ALONE.finditer(text):
            start, end = match.span()
            if start and text[start - 1].isalnum():
                continue
            named = _LIVES.search(text[max(0, start - 40) : start])
            near_city = _CITY_NEAR.search(text[end : end + 20]) or _CITY_NEAR.search(
                text[max(0, start - 20) : start]
            )
            score = base if (near_city or named) else base * 0.5
            yield self.hit(match.group(0), start, end, detail="postal code", score=score)
