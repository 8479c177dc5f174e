"""Reading labelled files, training and evaluating: the round trip a brand runs on its data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from classify.data import (
    EVALUATION_ONLY,
    DataError,
    LabelledRow,
    RowError,
    load_labelled,
    read_rows,
)
from classify.detectors import DetectorsConfig, build_detectors, context_from_brand
from classify.engine import Engine
from classify.evaluation import evaluate, format_report
from classify.training import cross_validate, data_hash, split_holdout
from events.brand import BrandConfig
from events.schemas import Label, Source


def test_csv_and_jsonl_rows_are_read_alike(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        '{"text": "still no refund", "labels": ["complaint", "rumour"], "lang": "en"}\n\n'
        '{"text": "merci!", "labels": [], "source": "staff"}\n'
    )
    (tmp_path / "a.csv").write_text(  # spreadsheets start their CSV files with a BOM
        '\ufefftext,labels,lang,source\n"still no refund","complaint;rumour",en,\nmerci!,,,staff\n'
    )
    jsonl, csv = load_labelled(tmp_path / "a.jsonl"), load_labelled(tmp_path / "a.csv")
    assert [(r.text, r.labels, r.source) for r in jsonl] == [
        (r.text, r.labels, r.source) for r in csv
    ]
    assert jsonl[0].labels == [Label.complaint, Label.rumour] and jsonl[1].source is Source.staff


def test_bad_rows_are_reported_with_their_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        b'{"text": "ok", "labels": []}\n{"text": "x", "labels": ["nonsense"]}\n'
        b'{not json\n{"labels": []}\n"a string"\n{"text": "caf\xe9", "labels": []}\n'
    )
    problems = {
        line: row.reason for line, row in read_rows(path, LabelledRow) if isinstance(row, RowError)
    }
    assert set(problems) == {2, 3, 4, 5, 6}
    assert (
        "labels.0" in problems[2]
        and "not JSON" in problems[3]
        and "text: Field required" in problems[4]
    )
    assert "not a JSON object" in problems[5] and "not valid UTF-8" in problems[6]
    with pytest.raises(DataError, match=r"bad.jsonl:2: labels.0"):
        load_labelled(path)


def test_unknown_file_types_and_empty_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "posts.txt").write_text("hello")
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DataError, match="expected a .jsonl or .csv"):
        load_labelled(tmp_path / "posts.txt")
    with pytest.raises(DataError, match="no labelled rows"):
        load_labelled(tmp_path / "empty.jsonl")


def test_holdout_split_and_data_hash_do_not_depend_on_row_order(
    small_rows: list[LabelledRow],
) -> None:
    train, test = split_holdout(small_rows, 0.2)
    train2, test2 = split_holdout(list(reversed(small_rows)), 0.2)
    assert {r.text for r in test} == {r.text for r in test2} and 0.1 < len(test) / len(
        small_rows
    ) < 0.3
    assert not {r.text for r in train} & {r.text for r in test}
    assert data_hash(small_rows) == data_hash(list(reversed(small_rows)))
    assert data_hash(small_rows) != data_hash(small_rows[1:])


def test_evaluation_reports_labels_languages_and_confusions(
    engine: Engine, small_rows: list[LabelledRow]
) -> None:
    report = evaluate(engine, small_rows)
    assert set(report["by_lang"]) == {"en", "fr"}
    assert set(report["labels"]) == {str(label) for r in small_rows for label in r.labels}
    complaint = report["labels"]["complaint"]
    assert complaint["support"] == sum(Label.complaint in r.labels for r in small_rows)
    assert 0.5 < report["macro_f1"] <= 1.0  # seen data: the model should fit it
    assert "missed_predicted_instead" in report["confusion"]
    text = format_report(report)
    assert "macro-F1" in text and "F1 fr" in text and "complaint" in text


def test_cross_validation_scores_every_row_once(
    small_rows: list[LabelledRow], brand: BrandConfig
) -> None:
    config = DetectorsConfig.load()
    detectors = build_detectors(config, context_from_brand(brand, config.regions))
    report = cross_validate(small_rows, 3, brand=brand, detectors=detectors)
    assert report["folds"] == 3 and report["rows"] == len(small_rows)
    assert 0.3 < report["macro_f1"] < report["labels"]["missing_disclaimer"]["f1"] + 0.5
    with pytest.raises(DataError, match="--folds"):
        cross_validate(small_rows[:3], 5, brand=brand, detectors=detectors)


def test_a_directory_leaves_its_challenge_folder_out(tmp_path: Path) -> None:
    """Evaluation-only rows are read only when the challenge folder itself is named."""
    (tmp_path / "en").mkdir()
    (tmp_path / EVALUATION_ONLY).mkdir()
    row = {"text": "still no refund", "labels": ["complaint"], "lang": "en", "source": "mention"}
    (tmp_path / "en" / "complaint.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    held = {**row, "text": "3h on hold, no answer"}
    (tmp_path / EVALUATION_ONLY / "en.jsonl").write_text(json.dumps(held) + "\n", encoding="utf-8")
    assert [r.text for r in load_labelled(tmp_path)] == ["still no refund"]
    assert [r.text for r in load_labelled(tmp_path / EVALUATION_ONLY)] == ["3h on hold, no answer"]


def test_the_challenge_set_is_complete_and_apart_from_the_corpus() -> None:
    """Every label in both languages, enough negatives, and no row shared with training data."""
    corpus = Path(__file__).parents[2] / "classify" / "corpus"
    challenge = load_labelled(corpus / EVALUATION_ONLY)
    counts = Counter((r.lang, label) for r in challenge for label in r.labels)
    for lang in ("en", "fr"):
        assert all(counts[lang, label] >= 20 for label in Label), counts
        assert sum(1 for r in challenge if r.lang == lang and not r.labels) >= 100
    trained = {r.text for r in load_labelled(corpus)}
    assert not trained & {r.text for r in challenge}
