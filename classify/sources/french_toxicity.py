"""What the French toxicity sources share: which rows count as harassment, and which are French.

A toxic or offensive post counts as harassment only when it has a target: someone addressed
(second person, @mention), an insult aimed at a person, or a group named by identity. Rows with
none are mostly untargeted profanity or crude jokes, and are left out (neither label is right).
Whether a row is French is what the product's own identifier says (`classify.lang`).
"""

from __future__ import annotations

import re

from classify.lang import detect_language

__all__ = ["TARGETED", "is_french"]

TARGETED = re.compile(
    r"(?<!\w)(?:tu|t['’]|te|toi|ton|ta|tes|vous|votre|vos|@\w+"
    r"|conn?ard\w*|connasse\w*|cons?|conne\w*|d[ée]biles?|abrutis?|idiots?|idiote\w*|cr[ée]tins?"
    r"|salopes?|putes?|encul[ée]\w*|fdp|batards?|bâtards?|ordures?|merdeux|mongols?|attard[ée]\w*"
    r"|pd|p[ée]d[ée]s?|tapettes?|gouines?|travelos?|n[èe]gres?|n[ée]gros?|bougnoules?|bicots?|youpins?"
    r"|feujs?|renois?|rebeus?|beurs?|juifs?|juives?|arabes?|noirs?|noires?|blancs?|blanches?"
    r"|musulman\w*|migrants?|immigr[ée]\w*|africain\w*|maghr[ée]bin\w*|femmes?|meufs?|gays?|homos?"
    r"|trans|gauchistes?|fachos?|boomers?|vieux|chinois|asiatiques?|roms?|gitans?|allog[èe]nes?"
    r"|p[ée]dales?|clodos?|cucks?|fiottes?|bicots?)(?!\w)",
    re.IGNORECASE,
)


def is_french(text: str) -> bool:
    return detect_language(text) == "fr"
