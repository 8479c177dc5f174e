"""A post's claim as a set of terms, and how close two claims are (pure, explainable).

Terms are what a person would underline: the brand's topics from the configuration's bilingual
lexicon (« panne » and "outage" both become `=outage`), entity-like tokens (place and product
names, numbers: `gatineau`, `#2027`) and the stems of the other content words. Function words,
the brand's own names and the wordings every rumour shares (« il paraît », "is it true") are
left out, so two rumours are alike only when they say the same thing.

Similarity is the cosine between a post's weighted terms and a story's centroid (the mean of
its posts' terms); topics, names and numbers weigh twice what plain stems do. The terms both
sides share are the explanation shown beside a match.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import snowballstemmer

__all__ = ["Centroid", "ClaimReader", "Match", "centroid_similarity", "closest", "fold"]

TOPIC = "="
NUMBER = "#"
WEIGHTS = {TOPIC: 2.0, NUMBER: 2.0, "entity": 2.0, "stem": 1.0}

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@[\w.\-]+")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\$[A-Za-z]{2,6}")
_ELISION = re.compile(r"^(?:[cdjlmnstq]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_INVERSION = re.compile(r"-(?:t-)?(?:il|ils|elle|elles|on|tu|je|vous|nous)$")  # « paraît-il »
_ORDINAL = re.compile(r"^(\d+)(?:er|re|e|eme|st|nd|rd|th)$")  # « 1er », "1st": a number

# Function words and the wordings of rumour itself (every rumour says « on dit que »), French
# (France and Québec) and English, accents folded. They say nothing about *which* claim.
_STOPWORDS = frozenset(
    """
    a ai aie as au aux avec avoir c ca ce ceci cela celle celui ces cet cette chez comme dans de
    des du elle elles en est et etait ete etre eu eux fait faire il ils je la le les leur leurs
    lui ma mais me meme mes moi mon ne ni nos notre nous on ont ou par pas pis plus pour qu que
    quel quelle qui sa sans se ses si son sont sur ta te tes toi ton tous tout toute toutes tu un
    une vos votre vous y va vont aussi alors encore juste ben bin tsé genre ok ouin oui non tu-tu
    ti-tu tu-t a-t-il y-a-tu ya cest quon jai quil sais sait dit dire disent dis entendu entend
    paraitrait parait paraît rumeur rumeurs quelqu quelquun quelqu'un quelque personne vrai faux
    confirmer confirme infirmer source sources bruit court apparemment semble serait seraient
    aurait auraient ici la-bas vraiment tellement trop tres bien bon mal ceux depuis demain hier
    aujourd aujourd'hui matin soir ce-matin vers avant apres pendant contre entre sous chose
    choses affaire affaires monde gens tout-le-monde mon-chum ma-blonde beau-frere belle-soeur
    cousin cousine soeur frere pere mere fille fils voisin voisine chum blonde job travail travaille
    the an and or but if of to in on at by for with from as is are was were be been being it its
    this that these those there here they them their he she his her we our you your i me my mine
    do does did doing have has had having not no yes so too very just also only still again about
    into over under up out off than then now what which who whom whose why how when where all
    any some each every both few more most other such can could will would shall should may might
    must get got getting gonna wanna anyone anybody someone somebody everyone people heard hear
    hearing says said saying say rumor rumors rumour rumours apparently supposedly allegedly true
    false real really confirm deny report reports reported news word source sources claim claims
    thing things guy guys friend friends cousin sister brother dad mom uncle aunt neighbour
    neighbor coworker today yesterday tomorrow morning tonight week lol omg wtf idk tbh like
    know knows anything something whole family know-how
    """.split()
)

# Months and weekdays are the same claim in either language, for every brand.
CALENDAR = {
    "january": ["janvier", "january"], "february": ["fevrier", "february"],
    "march": ["mars", "march"], "april": ["avril", "april"], "may": ["mai"],
    "june": ["juin", "june"], "july": ["juillet", "july"], "august": ["aout", "august"],
    "september": ["septembre", "september"], "october": ["octobre", "october"],
    "november": ["novembre", "november"], "december": ["decembre", "december"],
    "monday": ["lundi", "monday"], "tuesday": ["mardi", "tuesday"],
    "wednesday": ["mercredi", "wednesday"], "thursday": ["jeudi", "thursday"],
    "friday": ["vendredi", "friday"], "saturday": ["samedi", "saturday"],
    "sunday": ["dimanche", "sunday"],
}

_STEMMERS = {"fr": snowballstemmer.stemmer("french"), "en": snowballstemmer.stemmer("english")}


def fold(text: str) -> str:
    """Lower case without accents: « Québec » and "Quebec" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


def _stem(word: str, lang: str) -> str:
    stemmer = _STEMMERS.get(lang[:2], _STEMMERS["en"])
    return str(stemmer.stemWord(word))


@dataclass(frozen=True)
class Match:
    """A story a post joins, how close it was and the terms both share (the explanation)."""

    story_id: int
    similarity: float
    shared: tuple[str, ...]


class ClaimReader:
    """Turns post text into claim terms, with the brand's topics and own names."""

    def __init__(self, topics: Mapping[str, Iterable[str]], brand_words: Iterable[str] = ()) -> None:
        self._phrases: list[tuple[str, str]] = []  # (folded phrase, topic), longest first
        self._words: dict[str, str] = {}  # folded word or its stem in either language -> topic
        for topic, wordings in {**CALENDAR, **topics}.items():
            for wording in wordings:
                lowered = wording.lower().strip()
                folded = " ".join(fold(w) for w in _WORD.findall(lowered))
                if " " in folded or "'" in folded or "-" in folded:
                    self._phrases.append((folded, topic))
                    continue
                self._words.setdefault(folded, topic)
                for lang in _STEMMERS:
                    self._words.setdefault(fold(_stem(lowered, lang)), topic)
        self._phrases.sort(key=lambda item: -len(item[0]))
        self._brand = frozenset(
            word for name in brand_words for word in _WORD.findall(fold(name.lstrip("#@$")))
        )

    @cached_property
    def _phrase_pattern(self) -> re.Pattern[str] | None:
        if not self._phrases:
            return None
        alternatives = "|".join(re.escape(p) for p, _ in self._phrases)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def terms(self, text: str, lang: str) -> dict[str, float]:
        """The claim terms of a post with their weights."""
        text = _HANDLE.sub(" ", _URL.sub(" ", text))
        words = [w.lstrip("$") for w in _WORD.findall(text.lower())]
        folded = [fold(w) for w in words]
        consumed: set[int] = set()
        found: dict[str, float] = {}
        if self._phrase_pattern is not None:
            joined, starts = "", []
            for word in folded:
                starts.append(len(joined))
                joined += word + " "
            topic_of = dict(self._phrases)
            for hit in self._phrase_pattern.finditer(joined):
                found[TOPIC + topic_of[hit.group(0)]] = WEIGHTS[TOPIC]
                consumed.update(i for i, at in enumerate(starts) if hit.start() <= at < hit.end())
        capitalized = _capitalized(text)
        for index, (word, plain) in enumerate(zip(words, folded, strict=True)):
            if index in consumed:
                continue
            word = _INVERSION.sub("", _ELISION.sub("", word))
            plain = _INVERSION.sub("", _ELISION.sub("", plain))
            if ordinal := _ORDINAL.match(plain):
                plain = word = ordinal.group(1)
            term, kind = self._term(word, plain, lang, capitalized)
            if term:
                found[term] = max(found.get(term, 0.0), WEIGHTS[kind])
        return found

    def _term(
        self, word: str, plain: str, lang: str, capitalized: set[str]
    ) -> tuple[str | None, str]:
        if plain.isdigit():
            return (NUMBER + plain, NUMBER) if len(plain) >= 2 else (None, "stem")
        if any(ch.isdigit() for ch in plain):  # 3G, S24, 5$: product names, amounts
            return plain, "entity"
        stem = fold(_stem(word, lang))
        topic = self._words.get(plain) or self._words.get(stem)
        if topic:
            return TOPIC + topic, TOPIC
        if len(plain) < 2 or plain in _STOPWORDS or plain in self._brand:
            return None, "stem"
        if plain in capitalized:
            return stem, "entity"
        if len(plain) < 3:
            return None, "stem"
        return stem, "stem"


def _capitalized(text: str) -> set[str]:
    """Folded words written with a capital away from the start of a sentence: names."""
    names = set()
    for sentence in re.split(r"[.!?\n]+", text):
        words = _WORD.findall(sentence)
        for word in words[1:]:
            if word[:1].isupper() or word.startswith("$"):
                names.add(_ELISION.sub("", fold(word.lstrip("$"))))
    return names


def centroid_similarity(
    terms: Mapping[str, float], centroid: Mapping[str, float], volume: int
) -> tuple[float, tuple[str, ...]]:
    """Cosine between a post's terms and a story's centroid (the sum of its posts' term weights,
    over `volume` posts), and the terms they share, heaviest first."""
    if not terms or not centroid or volume <= 0:
        return 0.0, ()
    post_norm = math.sqrt(sum(w * w for w in terms.values()))
    story_norm = math.sqrt(sum(w * w for w in centroid.values())) / volume
    shared = [t for t in terms if t in centroid]
    dot = sum(terms[t] * centroid[t] for t in shared) / volume
    shared.sort(key=lambda t: -terms[t] * centroid[t])
    return dot / (post_norm * story_norm), tuple(shared)


MAX_TERMS = 300
"""A story's centroid keeps its heaviest terms only: a long story stays cheap to compare."""


@dataclass
class Centroid:
    """The running sum of a story's posts' terms, and how many posts it holds."""

    terms: dict[str, float]
    volume: int

    def similarity(self, terms: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        return centroid_similarity(terms, self.terms, self.volume)

    def add(self, terms: Mapping[str, float]) -> None:
        for term, weight in terms.items():
            self.terms[term] = round(self.terms.get(term, 0.0) + weight, 3)
        self.volume += 1
        if len(self.terms) > MAX_TERMS:
            kept = sorted(self.terms.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS]
            self.terms = dict(kept)


def closest(
    terms: Mapping[str, float], centroids: Mapping[int, Centroid], threshold: float
) -> Match | None:
    """The story whose centroid is most similar, if at least `threshold` (ties: oldest story)."""
    best: Match | None = None
    for story_id in sorted(centroids):
        similarity, shared = centroids[story_id].similarity(terms)
        if similarity >= threshold and (best is None or similarity > best.similarity):
            best = Match(story_id, round(similarity, 4), shared)
    return best
