"""Each label's operating threshold, chosen on out-of-fold scores for precision, not for F1.

A false label opens a task and pages a team, so a label fires only where the rows that the
scoring model never saw say it is right often enough (the precision target) and where it stays
quiet on ordinary posts (the false-alarm budget: the share of unlabelled rows it would fire on).
The lowest threshold meeting both keeps as much recall as that allows; 0.5 is the floor, since
below it the calibrated score says the label is more likely absent than present.

Each language gets its own point where it has enough examples: one language's scores run lower
when it has fewer training rows, and a threshold set by the other would starve its recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from events.schemas import Label

__all__ = ["ALL_LANGUAGES", "CEILING", "FLOOR", "OperatingPoint", "choose_thresholds"]

FLOOR = 0.5
CEILING = 0.97
_GRID = np.round(np.arange(FLOOR, CEILING + 1e-9, 0.01), 2)
ALL_LANGUAGES = "*"
MIN_POSITIVES = 30
"""A language needs this many positives of a label (out of fold) to get its own point."""


@dataclass(frozen=True)
class OperatingPoint:
    label: Label
    lang: str  # ALL_LANGUAGES, or the language this point is for
    threshold: float
    precision: float  # out-of-fold, at the threshold
    recall: float
    false_alarm_rate: float  # on rows with no label at all
    reached: bool  # whether both targets were met below the ceiling


def _point(
    label: Label,
    lang: str,
    t: float,
    score: np.ndarray,
    gold: np.ndarray,
    ordinary: np.ndarray,
    weight: np.ndarray,
) -> OperatingPoint:
    fired = score >= t
    tp = float(weight[fired & gold].sum())
    precision = tp / float(weight[fired].sum()) if fired.any() else 1.0
    recall = tp / max(float(weight[gold].sum()), 1e-9)
    far = float(weight[fired & ordinary].sum() / weight[ordinary].sum()) if ordinary.any() else 0.0
    return OperatingPoint(
        label, lang, float(t), round(precision, 4), round(recall, 4), round(far, 5), True
    )


def choose_thresholds(
    oof: np.ndarray,
    Y: np.ndarray,
    labels: Sequence[Label],
    langs: Sequence[str | None],
    *,
    precision_target: float,
    false_alarm_budget: float,
    weights: np.ndarray | None = None,
) -> list[OperatingPoint]:
    """Per label (column of `oof` and `Y`): one point for all rows, then one per language that
    has MIN_POSITIVES of it. NaN scores (a label too rare to score out of fold) are left out.
    Rows count with the weight they had in training (`weights`, default 1)."""
    ordinary_rows = Y.sum(axis=1) == 0
    weights = np.ones(len(Y)) if weights is None else np.asarray(weights, dtype=float)
    row_langs = np.array([lang or "" for lang in langs])
    points = []
    for k, label in enumerate(labels):
        known = ~np.isnan(oof[:, k])
        for lang in (ALL_LANGUAGES, *sorted(set(row_langs[known]) - {""})):
            rows = known if lang == ALL_LANGUAGES else known & (row_langs == lang)
            if lang != ALL_LANGUAGES and Y[rows, k].sum() < MIN_POSITIVES:
                continue
            points.append(
                _choose(
                    label,
                    lang,
                    oof[rows, k],
                    Y[rows, k].astype(bool),
                    ordinary_rows[rows],
                    weights[rows],
                    precision_target,
                    false_alarm_budget,
                )
            )
    return points


def _choose(
    label: Label,
    lang: str,
    score: np.ndarray,
    gold: np.ndarray,
    ordinary: np.ndarray,
    weight: np.ndarray,
    precision_target: float,
    false_alarm_budget: float,
) -> OperatingPoint:
    for t in _GRID:
        point = _point(label, lang, t, score, gold, ordinary, weight)
        if point.precision >= precision_target and point.false_alarm_rate <= false_alarm_budget:
            return point
    last = _point(label, lang, CEILING, score, gold, ordinary, weight)
    return OperatingPoint(**{**last.__dict__, "reached": False})
