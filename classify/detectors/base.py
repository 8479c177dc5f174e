"""The detector plug-in contract: a name, a version, a lazy load and detect(), with provenance."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from classify.item import Item
from events.schemas import Label, Source

__all__ = ["Detector", "DetectorContext", "Finding", "Where"]

Where = Literal["text", "bio", "place", "media"]


@dataclass(frozen=True)
class Finding:
    """One hit: what matched, where, and which detector (name and version) found it."""

    detector: str
    version: str
    label: Label
    kind: str | None
    score: float
    text: str
    start: int | None = None
    end: int | None = None
    where: Where = "text"
    detail: str | None = None


@dataclass(frozen=True)
class DetectorContext:
    """What the brand configuration tells detectors: its names and its people."""

    brand_terms: tuple[str, ...] = ()
    brand_accounts: tuple[str, ...] = ()
    roster: tuple[str, ...] = ()
    regions: tuple[str, ...] = ("CA", "FR")


@dataclass
class Detector(ABC):
    """Base class: subclasses set the class variables and implement `_load` and `_detect`.

    `score` is the confidence a hit gives its label; `sources` are the post sources it watches
    (a colleague's phone number is a disclosure on a staff post, a customer's own on a mention is
    not). Heavy resources are built on first use, once, even with several threads.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    label: ClassVar[Label]
    kind: ClassVar[str | None] = None
    default_score: ClassVar[float] = 0.9
    default_sources: ClassVar[frozenset[Source]] = frozenset(Source)
    supports: ClassVar[tuple[Label, ...]] = ()
    """Labels this detector's hits back up with evidence when something else fires them."""
    keywords: ClassVar[tuple[str, ...]] = ()
    """Lower-case substrings one of which every hit contains: a cheap test before the patterns."""
    min_digits: ClassVar[int] = 0
    """Fewest digits a hit needs (a card number has 13): texts with fewer are skipped at once."""

    context: DetectorContext = field(default_factory=DetectorContext)
    score: float | None = None
    sources: frozenset[Source] | None = None
    _loaded: bool = field(default=False, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.score is None:
            self.score = self.default_score
        if self.sources is None:
            self.sources = self.default_sources

    def load(self) -> None:
        """Build what detection needs (patterns, lists); safe to call many times."""
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._load()
                    self._loaded = True

    def detect(self, item: Item) -> list[Finding]:
        if self.sources is not None and item.source not in self.sources:
            return []
        if self.min_digits and item.digits < self.min_digits:
            return []
        if self.keywords and item.text:
            lowered = item.lowered
            if not any(k in lowered for k in self.keywords):
                return []
        self.load()
        return list(self._detect(item))

    def _load(self) -> None:  # noqa: B027 - optional hook
        """Override to build heavy resources lazily."""

    @abstractmethod
    def _detect(self, item: Item) -> Iterable[Finding]: ...

    def hit(
        self,
        text: str,
        start: int | None = None,
        end: int | None = None,
        *,
        where: Where = "text",
        detail: str | None = None,
        score: float | None = None,
        kind: str | None = None,
    ) -> Finding:
        """A finding stamped with this detector's name, version, label and kind."""
        return Finding(
            detector=self.name,
            version=self.version,
            label=self.label,
            kind=kind or self.kind,
            score=float(self.score or 0.0) if score is None else score,
            text=text,
            start=start,
            end=end,
            where=where,
            detail=detail,
        )
