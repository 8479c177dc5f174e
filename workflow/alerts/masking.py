"""Secrets and personal data masked before any text leaves Vigie in an alert.

Alert channels (Slack, Teams, e-mail) are read by more people, and kept longer, than the case
page: what an alert quotes keeps its meaning but loses passwords, access codes and tokens,
e-mail addresses, phone numbers, card and social insurance numbers, IP addresses and long
account-like numbers. The classify service already masks what its detectors found; this is the
second net, broader on purpose (a masked word too many costs nothing in an alert).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

__all__ = ["SECRET", "excerpt", "mask_personal_data", "mask_secrets"]

SECRET = "[secret]"

# A word that announces a secret, a few words or a separator, then a value that looks like one
# (4+ characters with a digit or a symbol): "mot de passe du wifi: Laurentia2026!",
# "VPN pass is Hx7#kq", "code porte 4512".
_SECRET_AFTER_WORD = re.compile(
    r"(?i)\b(?:passwords?|passwd|pwd|passcodes?|pass|mots? de passe|mdp|wi-?fi|vpn|ssid|"
    r"codes?|pin|nip|digicode|tokens?|secrets?|api[ _-]?keys?|cl[ée]s?|jetons?|identifiants?|"
    r"credentials?|login)\b"
    r"(?P<gap>[^\n]{0,40}?)"
    r"(?P<value>(?<![^\s:=«\"'(])[«\"']?(?=[^\s\"'»]*[\d!@#$%^&*?_+=/\\])[^\s\"'»]{4,})"
)
# Shapes that are secrets wherever they appear (providers' published token prefixes, keys).
_SECRET_SHAPES = re.compile(
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{40,}|"
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}|\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}|\bAIza[\w-]{35}|"
    r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
    re.DOTALL,
)
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s:/@]+(@)")


def mask_secrets(text: str) -> str:
    """Passwords, codes and tokens replaced by [secret]; the words naming them stay."""
    text = _SECRET_SHAPES.sub(SECRET, text)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{SECRET}{m.group(2)}", text)
    return _SECRET_AFTER_WORD.sub(
        lambda m: m.group(0)[: m.start("value") - m.start()] + SECRET, text
    )


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
    mask_secrets,  # after the numbers with a name of their own, before any long number
    _sub_if(_LONG_NUMBER, "[numéro/number]", lambda _: True),
]


def mask_personal_data(text: str) -> str:
    """The text with secrets and personal data replaced by bracketed placeholders."""
    for step in _STEPS:
        text = step(text)
    return text


def excerpt(text: str, limit: int = 200) -> str:
    """A masked, single-line quote of at most `limit` characters."""
    flat = " ".join(mask_personal_data(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
