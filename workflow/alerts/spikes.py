"""Volume spikes per label against a rolling baseline: a rumour taking off.

Counts verdict labels in time buckets (event time: when the post was classified). A label spikes
when its count over the last `window` reaches `min_count` and `factor` times what its baseline
rate (the `baseline` period before the window) predicts for one window. Until one window of
history exists the detector stays quiet: a replay or a cold start is not a spike.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from events.brand import SpikePolicy, parse_duration
from events.schemas import Verdict

__all__ = ["Spike", "SpikeDetector"]

BUCKETS_PER_WINDOW = 15


@dataclass(frozen=True)
class Spike:
    label: str
    count: int
    expected: float
    window: timedelta
    at: datetime
    samples: tuple[str, ...]


class SpikeDetector:
    """Feed verdicts with `observe`, then ask `spikes()` which labels are taking off now."""

    def __init__(self, policy: SpikePolicy, *, samples: int = 3) -> None:
        self.window = parse_duration(policy.window)[0]
        self.baseline = parse_duration(policy.baseline)[0]
        self.factor = policy.factor
        self.min_count = policy.min_count
        self.labels = {label.value for label in policy.labels}
        self.bucket = self.window / BUCKETS_PER_WINDOW
        self._counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self._samples: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=samples))
        self._first: datetime | None = None
        self._now: datetime | None = None

    def forget(self, sample: str) -> None:
        """Drop a quoted sample (its author was erased)."""
        for samples in self._samples.values():
            while sample in samples:
                samples.remove(sample)

    def observe(self, verdict: Verdict, sample: str | None = None) -> None:
        """Count each label of a verdict at its classification time."""
        at = verdict.classified_at
        self._first = at if self._first is None else min(self._first, at)
        self._now = at if self._now is None else max(self._now, at)
        index = self._index(at)
        for label_verdict in verdict.labels:
            label = label_verdict.label.value
            if self.labels and label not in self.labels:
                continue
            self._counts[label][index] += 1
            if sample:
                self._samples[label].append(sample)

    def spikes(self) -> list[Spike]:
        """Labels over their threshold at the latest time seen (old buckets are dropped)."""
        if self._now is None or self._first is None:
            return []
        now_index = self._index(self._now)
        self._prune(now_index)
        history = min(self._now - self._first - self.window, self.baseline)
        if history < self.window:
            return []
        found = []
        for label, counts in self._counts.items():
            current, before = self._split(counts, now_index)
            expected = before * (self.window / history)
            if current >= self.min_count and current >= self.factor * max(expected, 1.0):
                found.append(
                    Spike(
                        label,
                        current,
                        round(expected, 2),
                        self.window,
                        self._now,
                        tuple(self._samples[label]),
                    )
                )
        return found

    def _index(self, at: datetime) -> int:
        return int(at.timestamp() // self.bucket.total_seconds())

    def _split(self, counts: dict[int, int], now_index: int) -> tuple[int, int]:
        start = now_index - BUCKETS_PER_WINDOW + 1
        current = sum(n for i, n in counts.items() if i >= start)
        return current, sum(n for i, n in counts.items() if i < start)

    def _prune(self, now_index: int) -> None:
        oldest = now_index - BUCKETS_PER_WINDOW - int(self.baseline / self.bucket)
        for counts in self._counts.values():
            for index in [i for i in counts if i < oldest]:
                del counts[index]
