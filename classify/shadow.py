"""Shadow runs: a candidate model classifies the live stream too, and agreement is measured.

Its verdicts go out with `shadow=True` (the workflow records them, never routes them); this
module counts, per label, where the two models agree, so a team can promote the candidate with
figures in hand.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from classify import metrics
from events.schemas import Label

__all__ = ["Agreement"]

log = logging.getLogger(__name__)


@dataclass
class Agreement:
    """Running agreement between the live and the shadow model."""

    report_every: int = 1000
    posts: int = 0
    same: int = 0
    per_label: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, live: set[Label], shadow: set[Label]) -> None:
        with self._lock:
            self.posts += 1
            self.same += live == shadow
            metrics.SHADOW_POSTS.labels("same" if live == shadow else "different").inc()
            for label in live | shadow:
                outcome = (
                    "both"
                    if label in live and label in shadow
                    else "live_only"
                    if label in live
                    else "shadow_only"
                )
                self.per_label[(str(label), outcome)] += 1
                metrics.SHADOW_LABELS.labels(str(label), outcome).inc()
            if self.posts % self.report_every == 0:
                log.info("shadow agreement: %s", self.summary())

    @property
    def rate(self) -> float:
        """Share of posts on which both models gave exactly the same labels."""
        return self.same / self.posts if self.posts else 1.0

    def summary(self) -> str:
        labels = sorted({label for label, _ in self.per_label})
        parts = [
            f"{label} both={self.per_label[(label, 'both')]} live_only={self.per_label[(label, 'live_only')]} "
            f"shadow_only={self.per_label[(label, 'shadow_only')]}"
            for label in labels
        ]
        return f"{self.posts} posts, {self.rate:.1%} identical; " + "; ".join(parts)
