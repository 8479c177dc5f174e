"""Text normalization before features: what carries across wordings, brands and languages.

Links, emails, stock tickers and digits become placeholders (a model should learn "someone shared an
email address", not one address). Handles and the brand's own names are dropped: who is addressed
says nothing of what is said, a lone handle must carry no label, and the brand is named in nearly
every post a brand receives, so a feature for it would only learn how often the training rows
happened to name it. Accents and case are folded so « reçu » and "recu" meet; long letter runs are
shortened ("sooooo" -> "soo"). The post's source becomes a token of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from events.schemas import Source

__all__ = [
    "MIN_WORDS",
    "SOURCE_TOKENS",
    "brand_mask",
    "normalize",
    "normalize_many",
    "readable_words",
]

MIN_WORDS = 3
"""Fewer words than this (handles, links, emojis and digits aside) leave the model nothing to
read: "😭😭😭 @brand", "lol", "👍". Such a post gets labels from detectors only."""

SOURCE_TOKENS = {Source.mention: "zzmention", Source.staff: "zzstaff"}

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_TICKER = re.compile(
    r"(?<![\w$])\$[A-Za-z]{1,6}\b|\b(?:TSX|NYSE|NASDAQ|TSXV)\s*:\s*[A-Za-z.]{1,6}\b", re.IGNORECASE
)
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")


def _fold_table() -> dict[int, str]:
    """Latin letters with accents -> without, and every digit -> 0 (one C-speed translate)."""
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))
        stripped = "".join(ch for ch in base if not unicodedata.combining(ch))
        if stripped != chr(code) and stripped.isascii():
            table[code] = stripped
    table.update({ord(d): "0" for d in "0123456789"})
    return table


_FOLD = _fold_table()


def _placeholders(text: str) -> str:
    """Links, emails and tickers as tokens, handles out; each pattern runs only if it can match."""
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" zzurl ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", _EMAIL.sub(" zzemail ", text))
    if "$" in text or ":" in text:
        text = _TICKER.sub(" zzticker ", text)
    return text


_WORD = re.compile(r"[^\W\d_]{2,}")


def readable_words(text: str, mask: re.Pattern[str] | None = None) -> int:
    """How many words of two letters or more the post has beside links, handles, emails and the
    brand's own names (`mask`)."""
    text = _placeholders(text)
    if mask is not None:
        text = mask.sub(" ", text)
    return sum(not w.startswith("zz") for w in _WORD.findall(text))


def normalize(
    text: str, source: Source = Source.mention, mask: re.Pattern[str] | None = None
) -> str:
    """The model's view of a post; `mask` matches the brand's own names, which are dropped."""
    text = _placeholders(text)
    if mask is not None:
        text = mask.sub(" ", text)
    text = _REPEAT.sub(r"\1\1", text.lower().translate(_FOLD))
    return f"{SOURCE_TOKENS[source]} {' '.join(text.split())}"


def normalize_many(
    texts: Iterable[str], sources: Iterable[Source], mask: re.Pattern[str] | None = None
) -> list[str]:
    return [normalize(t, s, mask) for t, s in zip(texts, sources, strict=True)]


def brand_mask(terms: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for the brand's names and handles, so the model learns no brand by heart."""
    cleaned = sorted(
        {t.strip("@# ").lower() for t in terms if len(t.strip("@# ")) >= 3}, key=len, reverse=True
    )
    if not cleaned:
        return None
    return re.compile(
        r"[@#]?(?<!\w)(?:"
        + "|".join(re.escape(t).replace(r"\ ", r"\s*") for t in cleaned)
        + r")\w*",
        re.IGNORECASE,
    )
