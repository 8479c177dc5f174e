"""Copyright signals: media reposted without credit, « trouvé sur Google Images », copied articles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import compile_any
from classify.item import Item
from events.schemas import Label

__all__ = ["CopyrightDetector"]

_WHERE = r"(?:google|internet|le web|the internet|the web|pinterest|instagram|facebook|tiktok)"
_MEDIA = r"(?:pic|photo|image|picture|video|vidéo|article|shot|gif|art|dessin)s?"
_TOOK_FR = r"(?:trouvée?s?|pris|prise|piquée?s?|volée?s?|téléchargée?s?)"
_TOOK_EN = r"(?:found|got|grabbed|took|stole|pulled|downloaded)"
_THIS = rf"(?:it|this|these|them|(?:this|the|that|a|an) {_MEDIA})"
_UNKNOWN = r"(?:unknown|inconnue?s?|introuvables?)"
_WHO_MADE = r"(?:took|made|drew|a pris|a fait|est)"

_SIGNALS = compile_any(
    [
        # « photo trouvée sur Pinterest », « trouvé sur internet, je sais pas qui l'a prise »
        rf"\b{_MEDIA}\b[^.!?\n]{{0,40}}\b{_TOOK_FR} (?:sur|dans|de) {_WHERE}",
        rf"^\W*{_TOOK_FR} (?:sur|dans) {_WHERE}",
        r"\bgoogle images?\b",
        rf"\b{_TOOK_EN} {_THIS} (?:on|from|off) {_WHERE}",
        rf"\b(?:not my|pas ma|pas mon|pas mes) {_MEDIA}\b",
        rf"\b(?:credit|crédit|source|auteur|author|photographe?|photographer)s?\s*:?\s*{_UNKNOWN}\b",
        r"\b(?:no idea|aucune idée|je sais pas|je ne sais pas|don['’]t know) (?:who|de qui|qui)\b"
        rf"[^.!?\n]{{0,30}}\b{_WHO_MADE}\b",
        r"\b(?:copié-collé|copier-coller|copy-paste[ds]?|copy and paste[ds]?"
        r"|copied (?:from|word for word)|plagi\w+)",
        r"\b(?:full|entire|whole) (?:article|text|story) (?:below|here|pasted)"
        r"|\barticle (?:complet|en entier) (?:ci-dessous|ici)",
        r"\b(?:screenshot|capture d['’]écran) (?:de|of) "
        r"(?:l['’]article|the article|their article|son article)",
        r"#repost\b",
    ]
)
# With a credit or a permission, reuse is fine.
_CREDITED = re.compile(
    r"(📷\s*@|©|\b(?:photos?|crédits?|credits?|source|auteur|author)\s*:\s*\S|"
    r"\b(?:via|par|by|photos?|crédits?|credits?|courtesy of|merci à|thanks to)\s+@\w|"
    r"\b(?:avec (?:sa |leur |la )?permission|with (?:their |his |her )?permission|used with permission|"
    r"sous licence|licensed under|creative commons|CC[- ]BY)\b)",
    re.IGNORECASE,
)
_NEGATED_CREDIT = re.compile(
    r"\b(?:credit|crédit|source|auteur)s?\s*:?\s*(?:unknown|inconnue?s?|\?)", re.IGNORECASE
)


class CopyrightDetector(Detector):
    name: ClassVar[str] = "copyright"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.copyright
    keywords: ClassVar[tuple[str, ...]] = (
        "google",
        "trouv",
        "pris",
        "piqu",
        "vol",
        "télécharg",
        "found",
        "got ",
        "grabbed",
        "took",
        "stole",
        "pulled",
        "downloaded",
        "not my",
        "pas ma",
        "pas mon",
        "pas mes",
        "credit",
        "crédit",
        "source",
        "auteur",
        "author",
        "photograph",
        "idée",
        "idea",
        "sais pas",
        "know",
        "copi",
        "copy",
        "plagi",
        "article",
        "text",
        "story",
        "screenshot",
        "capture",
        "repost",
    )

    def _detect(self, item: Item) -> Iterable[Finding]:
        matches = list(_SIGNALS.finditer(item.text))  # rare: the credit check runs only then
        if not matches or (
            _CREDITED.search(item.text) and not _NEGATED_CREDIT.search(item.text)
        ):
            return
        for match in matches:
            yield self.hit(
                match.group(0), match.start(), match.end(), detail="reuse without credit"
            )
