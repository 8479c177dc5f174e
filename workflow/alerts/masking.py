"""Personal data masked before any text leaves Vigie in an alert.

Alert channels (Slack, Teams, e-mail) are read by more people, and kept longer, than the case
page: what an alert quotes keeps its meaning but loses e-mail addresses, phone numbers, card and
social insurance numbers, IP addresses and long account-like numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

__all__ = ["excerpt", "mask_personal_data"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_SIN = re.compile(r"(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{3}(?![\d-])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_LONG_NUMBER = re.compile(r"(?<![\w-])\d(?:[ .-]?\d){6,}(?![\w-])")


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _sub_if(
    pattern: re.Pattern[str], token: str, keep: Callable[[str], bool]
) -> Callable[[str], str]:
    def apply(text: str) -> str:
        return pattern.sub(lambda m: token if keep(m.group()) else m.group(), text)

    return apply


def _mask_phones(text: str) -> str:
    """Phone numbers as libphonenumber reads them (North American by default, + for others)."""
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, "CA")]
    for start, end in reversed(spans):
        text = text[:start] + "[téléphone/phone]" + text[end:]
    return text


_STEPS: list[Callable[[str], str]] = [
    _sub_if(_EMAIL, "[courriel/email]", lambda _: True),
    _sub_if(_CARD, "[carte/card]", lambda s: _luhn(_digits(s))),
    _sub_if(_SIN, "[NAS/SIN]", lambda s: _luhn(_digits(s))),
    _mask_phones,
    _sub_if(_IPV4, "[IP]", lambda s: all(int(p) < 256 for p in s.split("."))),
    _sub_if(_LONG_NUMBER, "[numéro/number]", lambda _: True),
]


def mask_personal_data(text: str) -> str:
    """The text with personal data replaced by bracketed placeholders."""
    for step in _STEPS:
        text = step(text)
    return text


def excerpt(text: str, limit: int = 200) -> str:
    """A masked, single-line quote of at most `limit` characters."""
    flat = " ".join(mask_personal_data(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
