"""`vigie eval`'s figures: false alarms count, one label is scored as two classes, calibration."""

from __future__ import annotations

import pytest

from classify.data import LabelledRow
from classify.engine import Result
from classify.evaluation import format_report, score_results
from events.schemas import Evidence, Label, LabelVerdict, Severity


def _result(fired: set[Label], scores: dict[Label, float] | None = None) -> Result:
    verdicts = [
        LabelVerdict(
            label=label,
            score=0.9,
            severity=Severity.normal,
            evidence=[Evidence(kind="rule", detector="model", version="t")],
        )
        for label in fired
    ]
    return Result(lang="en", labels=verdicts, scores=scores or dict.fromkeys(fired, 0.9))


def _row(*labels: Label, lang: str = "en") -> LabelledRow:
    return LabelledRow(text="some post text", labels=list(labels), lang=lang)


def test_false_alarms_on_rows_without_labels_pull_the_macro_f1_down() -> None:
    rows = [_row(Label.complaint), _row(), _row(), _row()]
    results = [
        _result({Label.complaint}),
        _result({Label.harassment}),
        _result(set()),
        _result(set()),
    ]
    report = score_results(rows, results)
    harassment = report["labels"]["harassment"]
    assert harassment["f1"] == 0 and harassment["predicted"] == 1 and harassment["support"] == 0
    assert harassment["false_alarm_rate"] == pytest.approx(1 / 4)
    assert report["labels"]["complaint"]["f1"] == 1.0
    assert report["macro_f1"] == pytest.approx(0.5)  # not 1.0: the false alarm counts


def test_one_label_is_scored_as_two_classes() -> None:
    rows = [_row(Label.complaint), _row(Label.complaint), _row(), _row()]
    results = [
        _result({Label.complaint}),
        _result(set()),
        _result(set()),
        _result({Label.harassment}),
    ]
    report = score_results(rows, results, [Label.complaint])
    assert report["macro_kind"] == "two-class" and set(report["labels"]) == {"complaint"}
    # complaint: P 1, R 0.5 -> F1 2/3; not complaint: P 2/3, R 1 -> F1 0.8
    assert report["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)
    assert report["labels"]["complaint"]["false_alarm_rate"] == 0.0
    assert "two-class macro-F1" in format_report(report)


def test_figures_per_language_and_a_reliability_table_per_label() -> None:
    rows = [_row(Label.rumour), _row(), _row(Label.rumour, lang="fr"), _row(lang="fr")]
    results = [
        _result({Label.rumour}, {Label.rumour: 0.95}),
        _result(set(), {Label.rumour: 0.12}),
        _result(set(), {Label.rumour: 0.41}),
        _result({Label.rumour}, {Label.rumour: 0.93}),
    ]
    report = score_results(rows, results)
    assert report["by_lang"]["en"]["labels"]["rumour"]["f1"] == 1.0
    assert report["by_lang"]["fr"]["labels"]["rumour"]["f1"] == 0.0
    bins = {b["bin"]: b for b in report["calibration"]["rumour"]}
    assert bins["0.9-1.0"]["rows"] == 2 and bins["0.9-1.0"]["observed"] == 0.5
    assert bins["0.4-0.5"]["observed"] == 1.0 and bins["0.1-0.2"]["observed"] == 0.0
    assert "calibration" in format_report(report)
