"""Operating points: the lowest threshold that meets the precision target and the false-alarm budget."""

from __future__ import annotations

import numpy as np

from classify.model.thresholds import ALL_LANGUAGES, CEILING, FLOOR, choose_thresholds
from events.schemas import Label


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """English rows score their label high; French positives score lower, as with fewer rows."""
    rng = np.random.default_rng(seed)
    n = 4000
    langs = ["en" if i % 4 else "fr" for i in range(n)]
    gold = rng.random(n) < 0.1
    fr = np.array([lang == "fr" for lang in langs])
    scores = np.where(gold, rng.uniform(0.75, 1.0, n), rng.uniform(0.0, 0.8, n))
    scores = np.where(gold & fr, rng.uniform(0.55, 0.75, n), scores)
    scores = np.where(~gold & fr, rng.uniform(0.0, 0.55, n), scores)
    return scores.reshape(-1, 1), gold.reshape(-1, 1).astype(np.int8), langs


def test_each_language_gets_the_lowest_threshold_meeting_both_targets() -> None:
    oof, Y, langs = _data()
    points = {
        p.lang: p
        for p in choose_thresholds(
            oof, Y, [Label.harassment], langs, precision_target=0.9, false_alarm_budget=0.02
        )
    }
    assert set(points) == {ALL_LANGUAGES, "en", "fr"}
    en, fr = points["en"], points["fr"]
    assert en.reached and en.precision >= 0.9 and en.false_alarm_rate <= 0.02
    assert 0.75 <= en.threshold <= 0.8  # English negatives reach 0.8: the point sits above them
    assert fr.reached and FLOOR <= fr.threshold <= 0.56 and fr.recall > 0.9
    overall = points[ALL_LANGUAGES]
    assert overall.threshold >= en.threshold - 0.01  # one threshold would starve French recall


def test_an_unreachable_target_stops_at_the_ceiling_and_says_so() -> None:
    oof, Y, langs = _data()
    noisy = np.where(Y == 1, oof, np.maximum(oof, 0.99))  # every negative scores at the top
    [point, *_] = choose_thresholds(
        noisy, Y, [Label.rumour], langs, precision_target=0.9, false_alarm_budget=0.01
    )
    assert point.threshold == CEILING and not point.reached


def test_a_language_with_few_positives_uses_the_general_point() -> None:
    oof, Y, _ = _data()
    langs = ["fr"] * 10 + ["en"] * (len(Y) - 10)
    Y[:10] = 1
    points = choose_thresholds(
        oof, Y, [Label.rumour], langs, precision_target=0.8, false_alarm_budget=0.05
    )
    assert {p.lang for p in points} == {ALL_LANGUAGES, "en"}
