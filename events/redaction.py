"""Payment card numbers redacted before a post enters Vigie, for every service to use.

A card number is the one piece of personal data no team needs in full: ingest replaces the
digits of each Luhn-valid card number, except the last 4, by `•` before the post reaches
`vigie.posts`, so no topic, table, log line or API response ever holds it. The shape stays
(groups, separators, length), so classify still sees that a card number was posted
(`REDACTED_CARD` is the pattern its detector recognises) and a customer can still be told which
card is meant. Same mask character and rule as classify's masking of what its detectors find.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import luhn

from events.schemas import Post

__all__ = ["MASK", "REDACTED_CARD", "card_prefix", "redact_card_numbers", "redact_post"]

MASK = "•"
_KEEP = 4
# 13 to 19 digits, together or in groups split by one kind of space, dash or dot.
_CARD = re.compile(r"(?<![\d.-])\d(?:[ .-]?\d){12,18}(?![\d-]|\.\d)")
REDACTED_CARD = re.compile(rf"(?<![\d{MASK}])(?:{MASK}[ .-]?){{9,15}}\d{{4}}(?!\d)")
"""A card number as redact_card_numbers leaves it (9 to 15 masked digits, then the last 4)."""


def card_prefix(run: str, *, issuer: Callable[[str], object] | None = None) -> str | None:
    """The card number a run of digits starts with: all of it, or its first groups when digits
    that follow (an expiry date, a CVV) were swallowed; None if none is a card. Luhn-valid is
    enough to redact; a detector that must be surer also asks `issuer(digits)`."""
    if len(set(re.findall(r"\D", run))) > 1:
        return None  # mixed separators: a date or a phone number next to other digits
    groups = re.split(r"(\D)", run)
    for end in range(len(groups), 0, -2):
        digits = re.sub(r"\D", "", "".join(groups[:end]))
        if len(digits) < 13:
            return None
        if len(digits) <= 19 and (issuer is None or issuer(digits)) and luhn.is_valid(digits):
            return "".join(groups[:end])
    return None


def _redact_run(run: str) -> str:
    card = card_prefix(run)
    return run if card is None else _mask(card) + run[len(card) :]


def _mask(span: str) -> str:
    digits = sum(ch.isdigit() for ch in span)
    out, seen = [], 0
    for ch in span:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - _KEEP else MASK)
        else:
            out.append(ch)
    return "".join(out)


def redact_card_numbers(text: str) -> str:
    """The text with every Luhn-valid card number masked but its last 4 digits (same length)."""
    return _CARD.sub(lambda m: _redact_run(m.group()), text)


def redact_post(post: Post) -> Post:
    """The post with card numbers redacted wherever it carries free text."""
    author = post.author
    if author.description:
        author = author.model_copy(update={"description": redact_card_numbers(author.description)})
    media = [
        m.model_copy(update={"alt_text": redact_card_numbers(m.alt_text)}) if m.alt_text else m
        for m in post.media
    ]
    return post.model_copy(
        update={
            "text": redact_card_numbers(post.text),
            "author": author,
            "media": media,
            "place": redact_card_numbers(post.place) if post.place else post.place,
        }
    )
