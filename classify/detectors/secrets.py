"""Secrets and credentials: API keys, tokens, private keys, passwords and access codes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.item import Item
from events.schemas import Label

__all__ = ["SecretsDetector"]

# (what it is, pattern). Token formats are the providers' published prefixes.
_RULES: tuple[tuple[str, str], ...] = (
    ("AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
    ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("Stripe key", r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
    ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("JSON web token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("private key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY(?: BLOCK)?-----"),
    ("credentials in a URL", r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:[^\s:/@]+@[\w.-]+"),
    (
        "password",
        r"(?i:\b(?:password|passwd|pwd|passcode|mot de passe|mdp|wi-?fi pass(?:word)?|"
        r"code (?:du |de |d['’])?wi-?fi|wi-?fi code|cl[ée] (?:du )?wi-?fi|wi-?fi key)"
        r"(?: (?:du|de|for|of|to) [\w' -]{1,25}?)?\s*(?:[:=]|est|is|c['’]est)\s*)"
        r"[\"'«]?\s*(?!(?i:oubli|forgot|reset|chang|incorrect|wrong|invalid|expir|required|needed|requis))"
        r"(?!(?i:not|pas|trop|too|still|toujours|encore|the|le|la|my|mon)\b)"
        r"[^\s\"'»]{4,}",
    ),
    (
        "API key or secret",
        r"(?i:\b(?:api[_ -]?key|secret|token|client[_ -]?secret|clé d['’]api|jeton)"
        r"\s*[:=]\s*)[\"']?[A-Za-z0-9_\-./+]{16,}",
    ),
    (
        "access code",
        r"(?i:(?:\b(?:front |back |)(?:door|gate|alarm|badge|building|vault|garage|entry|lockbox|"
        r"keypad|intercom|safe) code|\bcode (?:de |du |des |d['’]|de la |de l['’])?(?:porte|portail|"
        r"accès|acces|alarme|local|coffre|salle|badge|garage|immeuble|bâtiment|batiment|entrée|"
        r"entree|interphone|cadenas)|\bdigicode)"
        r"(?:[ \t]+[\w'’-]+){0,3}?\s*(?::|=|\bis\b|\best\b|c['’]est)?\s*)\d{3,8}\b",
    ),
)
_PATTERN = re.compile("|".join(f"(?P<r{i}>{p})" for i, (_, p) in enumerate(_RULES)))


class SecretsDetector(Detector):
    name: ClassVar[str] = "secrets"
    version: ClassVar[str] = "1.1"
    label: ClassVar[Label] = Label.risky_disclosure
    kind: ClassVar[str | None] = "credentials"
    keywords: ClassVar[tuple[str, ...]] = (
        "akia",
        "asia",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "xox",
        "_live_",
        "aiza",
        "eyj",
        "private key",
        "://",
        "pass",
        "pwd",
        "mdp",
        "mot de",
        "api",
        "secret",
        "token",
        "clé",
        "jeton",
        "code",
    )

    def _detect(self, item: Item) -> Iterable[Finding]:
        for match in _PATTERN.finditer(item.text):
            group = next(name for name, value in match.groupdict().items() if value is not None)
            rule = _RULES[int(group[1:])][0]
            yield self.hit(_mask(match.group(0)), match.start(), match.end(), detail=rule)


_KEYED = re.compile(
    r"^(.*?(?:[:=]|\bis|\best|c['’]est)\s*[\"'«]?\s*)(\S+)$", re.IGNORECASE | re.DOTALL
)


def _mask(secret: str) -> str:
    """Show what kind of secret it is and how it starts, never the whole of it."""
    if secret.startswith("-----BEGIN"):
        return secret  # the header is not the key
    keyed = _KEYED.match(secret)
    if keyed:
        return keyed.group(1) + keyed.group(2)[:2] + "…"
    code = re.match(r"^(.*\D)(\d{3,8})$", secret)
    if code:  # "gate code 2580": the words, then the code's first two digits
        return code.group(1) + code.group(2)[:2] + "…"
    return secret[:6] + "…"
