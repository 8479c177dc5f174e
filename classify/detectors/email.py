"""Email addresses: personal data when a staff post shares someone's address."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["EmailDetector"]

_EMAIL = re.compile(
    r"(?<![\w.+-])([\w.+-]{1,64})@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})(?![\w-])"
)

# Shared mailboxes a brand publishes on purpose: pointing a customer there discloses nothing.
ROLE_MAILBOXES = frozenset(
    {
        "aide",
        "help",
        "support",
        "info",
        "contact",
        "service",
        "serviceclient",
        "customerservice",
        "presse",
        "press",
        "media",
        "medias",
        "communications",
        "emplois",
        "careers",
        "jobs",
        "noreply",
        "no-reply",
        "ne-pas-repondre",
        "plaintes",
        "complaints",
        "privacy",
        "vieprivee",
        "investisseurs",
        "investors",
        "ir",
        "securite",
        "security",
        "abuse",
        "legal",
        "juridique",
    }
)


class EmailDetector(Detector):
    name: ClassVar[str] = "email"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"

    def _detect(self, item: Item) -> Iterable[Finding]:
        for match in _EMAIL.finditer(item.text):
            local = match.group(1).lower()
            if local in ROLE_MAILBOXES:
                continue
            yield self.hit(match.group(0), match.start(), match.end(), detail="email address")
