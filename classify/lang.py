"""Offline language identification, restricted to the languages a brand serves.

Most posts give themselves away by their function words (« le », « pas », "the", "is"): a
vote on those settles French or English in a few microseconds. Posts where the vote is close, or
in other languages, go to py3langid's byte n-gram model, whose pure-Python walk costs about a
microsecond per byte, so it reads at most the first few hundred characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["FUNCTION_WORDS", "UNDETERMINED", "detect_language", "identify_language", "warm_up"]

UNDETERMINED = "und"
"""BCP 47 code for 'no language': empty, emoji-only or digits-only text."""

_MIN_CONFIDENCE = 0.7
_MODEL_CHARS = 300
_MARGIN = 2
_WORDS = re.compile(r"[^\W\d_]{2,}")
_NOISE = re.compile(r"https?://\S+|[@#][\w.]+")

# Frequent words of one language that are rare in the other (no shared ones such as "a", "me").
_FUNCTION_WORDS = {
    "fr": frozenset(
        """le la les des du une et est pas je tu il elle nous vous ils elles que qui
        pour dans sur avec mais ou sont ai avez ont mon ma mes ton ta tes son sa ses notre votre
        leur ce cette ces cet au aux ça ne plus très été être fait quand comme aussi encore
        toujours rien merci bonjour oui non depuis chez vos nos moi lui leurs peut faut avoir""".split()
    ),
    "en": frozenset(
        """the and is are was were of to in for with my your our their this that
        these those it its not no yes you we they he she be been have has had do does did can
        will would should just from at by an or but if what when who how why still any all
        thanks hello please got get again been there here about out up""".split()
    ),
}


FUNCTION_WORDS = _FUNCTION_WORDS["fr"] | _FUNCTION_WORDS["en"]
"""Words too common to explain anything on their own."""


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def _counts(words: list[str]) -> tuple[int, int]:
    """French and English function words among the words."""
    lowered = [w.lower() for w in words]
    return (
        sum(w in _FUNCTION_WORDS["fr"] for w in lowered),
        sum(w in _FUNCTION_WORDS["en"] for w in lowered),
    )


def identify_language(text: str, languages: Sequence[str] = ("fr", "en")) -> tuple[str, bool]:
    """(language, mixed): the most likely of `languages` ('und' when the text has too few
    letters to tell), and whether the post also reads plainly in the other of French/English.

    Handles and links are left out: an English handle in a French post says nothing.
    """
    words = _WORDS.findall(_NOISE.sub(" ", text[: _MODEL_CHARS * 2]))
    joined = " ".join(words)
    if len(joined) < 2:
        return UNDETERMINED, False
    fr, en = _counts(words) if set(languages) == {"fr", "en"} else (0, 0)
    mixed = min(fr, en) >= _MARGIN
    if fr >= en + _MARGIN:
        return "fr", mixed
    if en >= fr + _MARGIN:
        return "en", mixed
    lang, confidence = _identifier(tuple(languages)).classify(joined[:_MODEL_CHARS])
    if confidence < _MIN_CONFIDENCE and len(joined) < 12:
        return UNDETERMINED, False
    return str(lang), mixed


def detect_language(text: str, languages: Sequence[str] = ("fr", "en")) -> str:
    """The most likely of `languages`, or 'und' (see identify_language)."""
    return identify_language(text, languages)[0]


def warm_up(languages: Sequence[str] = ("fr", "en")) -> None:
    """Load the byte n-gram model now rather than on the first ambiguous post."""
    _identifier(tuple(languages))
