"""IP addresses, v4 and v6, checked by the standard library's `ipaddress`.

An address in a post points at a home or a person's device, whatever its range; private,
loopback and link-local ones ("192.168.1.1") say less about who it is and score lower.
Version numbers written like addresses ("v2.3.1.4", « version 10.0.0.1 », "build 4.12.0.3")
are left out, as are times and MAC addresses, which `ipaddress` refuses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import ContextWords
from classify.item import Item
from events.schemas import Label

__all__ = ["IpAddressDetector"]

_V4 = r"(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?![\w:]|\.\w)"
_V6 = r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])"
_CANDIDATE = re.compile(rf"{_V4}|{_V6}")
_VERSION = re.compile(
    r"(?:\bv|\bver\.?|version|build|release|firmware|micrologiciel|ios|android|macos|windows|"
    r"update|mise à jour|patch|sdk|api|app|appli|release notes|changelog)\s*[:#]?\s*$"
)
_CONTEXT = ContextWords(
    support=re.compile(
        r"\b(?:ip|ipv4|ipv6|adresse|address|from|depuis|server|serveur|router|routeur|modem|"
        r"ping|host|vpn|login|connexion|sign-in|log|journaux|endpoint)"
    ),
    against=re.compile(r"\b(?:version|build|firmware|release|gps|lat|lon|coordinates)\b"),
    before=30,
    after=10,
    boost=0.1,
    damp=0.4,
)


class IpAddressDetector(Detector):
    name: ClassVar[str] = "ip_address"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "personal_data"
    default_score: ClassVar[float] = 0.85
    min_digits: ClassVar[int] = 4

    def _detect(self, item: Item) -> Iterable[Finding]:
        text = item.text
        if "." not in text and ":" not in text:
            return
        for match in _CANDIDATE.finditer(text):
            address = _address(match.group(0))
            if address is None:
                continue
            start, end = match.span()
            if _VERSION.search(text[max(0, start - 25) : start].lower()):
                continue
            base = float(self.score or 0.0)
            if not address.is_global:
                base = min(base, 0.6)
            score = _CONTEXT.score(text, start, end, base)
            kind = "IPv4" if address.version == 4 else "IPv6"
            scope = "public" if address.is_global else "private or reserved"
            yield self.hit(
                match.group(0), start, end, detail=f"{kind} address ({scope})", score=score
            )


def _address(candidate: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if ":" in candidate and (candidate.count(":") < 2 or not re.search(r"[0-9a-fA-F]", candidate)):
        return None
    try:
        address = ipaddress.ip_address(candidate.split("%")[0])
    except ValueError:
        return None
    if address.version == 4 and any(p != str(int(p)) for p in candidate.split(".")):
        return None  # "01.02.2024" style: leading zeros are dates, not addresses
    if address.version == 6 and candidate.count(":") < 3 and "::" not in candidate:
        return None
    return address
