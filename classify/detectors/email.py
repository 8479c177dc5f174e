"""Email addresses, written out or spelled to dodge scrapers ("jean [at] exemple [dot] com")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["EmailDetector"]

# Not after "@": "@saeed_k@mastodon.social" is a fediverse handle, not a mailbox.
_EMAIL = re.compile(
    r"(?<![\w.+@-])([\w.+-]{1,64})@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})(?![\w-])"
)
# « jean [at] exemple [dot] com », "sam.r (at) example (dot) org", « luc (arobase) exemple.fr ».
_AT = r"\s*[\[({<]\s*(?i:at|arobase|@)\s*[\])}>]\s*|\s+(?:arobase|AT)\s+"
_DOT = r"\s*[\[({<]\s*(?i:dot|point)\s*[\])}>]\s*|\s+(?:dot|DOT)\s+|\."
_OBFUSCATED = re.compile(
    rf"(?<![\w.+-])([\w.+-]{{1,64}})(?:{_AT})([A-Za-z0-9-]{{1,63}}(?:(?:{_DOT})[A-Za-z0-9-]{{1,63}})*"
    rf"(?:{_DOT})[A-Za-z]{{2,24}})(?![\w-])"
)

_SPELLED = re.compile(r"[\[(<{]\s*(?i:at|arobase)\s*[\])>}]|\s(?:arobase|AT)\s")

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
    version: ClassVar[str] = "1.2"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"

    def _detect(self, item: Item) -> Iterable[Finding]:
        text = item.text
        for pattern, detail in ((_EMAIL, "email address"), (_OBFUSCATED, "spelled-out email")):
            if not (_has_local_at(text) if pattern is _EMAIL else _spelled(item)):
                continue  # cheap tests first: "@brand" handles alone need no full pattern
            for match in pattern.finditer(text):
                if match.group(1).lower() not in ROLE_MAILBOXES:
                    yield self.hit(match.group(0), match.start(), match.end(), detail=detail)


def _has_local_at(text: str) -> bool:
    """An "@" right after a character an address can hold (not a handle's "@" after a space)."""
    at = text.find("@")
    while at != -1:
        if at and (text[at - 1].isalnum() or text[at - 1] in "._+-"):
            return True
        at = text.find("@", at + 1)
    return False


def _spelled(item: Item) -> bool:
    lowered = item.lowered
    return (
        "at]" in lowered or "at)" in lowered or "arobase" in lowered or " AT " in item.text
    ) and bool(_SPELLED.search(item.text))
