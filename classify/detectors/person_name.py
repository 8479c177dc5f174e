"""A private person named as such in a staff post: "the customer Marc Tremblay", « Mme Gagnon ».

A staff member who names a customer, a patient or a caller in public discloses that person's
dealings with the brand. A bare capitalized name says too little (it may be a colleague, a
celebrity, a place), so this detector fires only when the text itself says who the person is to
the brand (customer, client, patient, caller) or gives them a title (Mr, Mrs, Ms, M., Mme). Names
on the staff roster are colleagues, left to the roster detector; the brand's own names are
never people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label, Source

__all__ = ["PersonNameDetector"]

_NAME_WORD = r"[A-ZÀ-ÖØ-Þ](?:['’][A-ZÀ-ÖØ-Þ])?[a-zà-öø-ÿ]+(?:[-'’][A-ZÀ-ÖØ-Þ]?[a-zà-öø-ÿ]+)*"
_ROLE = (
    r"(?:customers?|clients?|clientes?|patients?|patientes?|callers?|subscribers?|abonn[ée]e?s?"
    r"|passengers?|passag[eè]re?s?|guests?|locataires?|tenants?)"
)
_TITLE = r"(?:(?:Mr|Mrs|Ms|Mme|Mlle|Monsieur|Madame|Mademoiselle)\.?|M\.)"
_LINK = r"(?:\s+(?:named|called|nomm[ée]e?|appel[ée]e?|du nom de))?\s*:?\s+"
# A role word then one or two name words ("client Tremblay", "customer John Smith"), or a title
# then one or two ("Mme Gagnon", "Mr. John Lee").
_PATTERN = re.compile(
    rf"(?<!\w)(?:(?i:{_ROLE}){_LINK}|{_TITLE}\s+)(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)
_NOT_NAMES = frozenset(
    "service services support care experience success satisfaction relations team équipe "
    "centre center portal account compte days day week month vip first premier première "
    "feedback journey list liste data données".split()
)


class PersonNameDetector(Detector):
    name: ClassVar[str] = "person_name"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    default_score: ClassVar[float] = 0.7
    default_sources: ClassVar[frozenset[Source] | None] = frozenset({Source.staff})
    keywords: ClassVar[tuple[str, ...]] = (
        "custom", "client", "patient", "caller", "subscri", "abonn", "passag", "guest",
        "locataire", "tenant", "mr", "mrs", "ms", "mme", "mlle", "monsieur", "madame",
        "mademoiselle", "m.",
    )  # fmt: skip

    def _load(self) -> None:
        people = {n.strip().lower() for n in self.context.roster}
        brand = {t.strip("@# ").lower() for t in self.context.brand_terms}
        self._known = people | brand | {part for term in brand for part in term.split()}

    def _detect(self, item: Item) -> Iterable[Finding]:
        for match in _PATTERN.finditer(item.text):
            name = match.group("name")
            words = name.lower().split()
            if words[0] in _NOT_NAMES or name.lower() in self._known or words[0] in self._known:
                continue
            named_as = match.group(0)[: match.start("name") - match.start()].strip()
            yield self.hit(
                name, match.start("name"), match.end("name"), detail=f"named as « {named_as} »"
            )
