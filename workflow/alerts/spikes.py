"""Volume spikes per label and per brand keyword against a rolling baseline: a rumour taking off.

Counts posts per series in event time (when the post was classified): each label of a verdict,
and each brand keyword its text contains, labelled or not, so a rumour no detector tags still
shows as volume. A series spikes when its count over the last `window` reaches `min_count` and
`factor` times what its baseline rate (the `baseline` period before the window) predicts for
one window. Until one window of history exists the detector stays quiet: a replay or a cold
start is not a spike.

The counts live in a store (workflow.alerts.store): in the database the baseline survives a
restart, replicas that each read part of the verdicts count together, and a post read twice
(a replay after a crash) is counted once. Samples (masked quotes) stay in memory only.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from events.brand import SpikePolicy, parse_duration
from events.schemas import Verdict
from workflow.alerts.store import MemorySpikeStore, Sighting, SpikeStore

__all__ = ["Spike", "SpikeDetector", "post_ref"]

SeriesKind = Literal["label", "keyword"]


@dataclass(frozen=True)
class Spike:
    kind: SeriesKind
    name: str
    """The label, or the keyword as the brand configuration spells it."""
    count: int
    expected: float
    window: timedelta
    at: datetime
    samples: tuple[str, ...]


def post_ref(post_id: str) -> str:
    """What the store keeps of a post: a hash of its id, enough to count it once."""
    return hashlib.sha256(post_id.encode("utf-8")).hexdigest()[:32]


class SpikeDetector:
    """Feed verdicts with `observe`, then ask `spikes()` which series are taking off now."""

    def __init__(
        self,
        policy: SpikePolicy,
        *,
        keywords: Sequence[str] = (),
        store: SpikeStore | None = None,
        samples: int = 3,
    ) -> None:
        self.window = parse_duration(policy.window)[0]
        self.baseline = parse_duration(policy.baseline)[0]
        self.factor = policy.factor
        self.min_count = policy.min_count
        self.labels = {label.value for label in policy.labels}
        self.keywords = {k.casefold(): k for k in keywords if k.strip()}
        self.store: SpikeStore = store if store is not None else MemorySpikeStore()
        self._samples: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=samples))

    def forget(self, post_id: str, sample: str | None) -> None:
        """An erased post: no longer counted, nor quoted."""
        self.store.forget([post_ref(post_id)])
        for samples in self._samples.values():
            while sample and sample in samples:
                samples.remove(sample)

    def observe(self, verdicts: Iterable[tuple[Verdict, str | None]]) -> None:
        """Count each verdict (with its masked quote, if any) in its series."""
        sightings: list[Sighting] = []
        for verdict, sample in verdicts:
            ref = post_ref(verdict.post.post_id)
            for series in self.series_of(verdict):
                sightings.append((series, ref, verdict.classified_at))
                if sample:
                    self._samples[series].append(sample)
        self.store.add(sightings)

    def series_of(self, verdict: Verdict) -> list[str]:
        """The series a verdict counts in: `label:<label>`, `keyword:<keyword, casefolded>`."""
        labels = [lv.label.value for lv in verdict.labels]
        found = [f"label:{v}" for v in labels if not self.labels or v in self.labels]
        text = verdict.post.text.casefold()
        return found + [f"keyword:{k}" for k in self.keywords if k in text]

    def spikes(self) -> list[Spike]:
        """Series over their threshold at the latest time seen (older sightings are dropped)."""
        span = self.store.span()
        if span is None:
            return []
        first, now = span
        horizon = now - self.window - self.baseline
        if first < horizon:
            self.store.prune(horizon)
        history = min(now - max(first, horizon) - self.window, self.baseline)
        if history < self.window:
            return []
        split = now - self.window
        found = []
        for series, (before, current) in sorted(
            self.store.counts(split - self.baseline, split).items()
        ):
            expected = before * (self.window / history)
            if current >= self.min_count and current >= self.factor * max(expected, 1.0):
                kind: SeriesKind = "keyword" if series.startswith("keyword:") else "label"
                name = series.partition(":")[2]
                found.append(
                    Spike(
                        kind,
                        self.keywords.get(name, name) if kind == "keyword" else name,
                        current,
                        round(expected, 2),
                        self.window,
                        now,
                        tuple(self._samples[series]),
                    )
                )
        return found
