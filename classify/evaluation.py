"""Quality figures: precision, recall and F1 per label and per language, and what gets confused.

The whole engine is measured (model and detectors under the brand's thresholds), since that is
what a comms team receives.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from classify.data import LabelledRow
from classify.engine import Engine, Result
from events.schemas import Label

__all__ = ["LABELS", "evaluate", "format_report", "score_results"]

LABELS = list(Label)
_BATCH = 256


def evaluate(engine: Engine, rows: Sequence[LabelledRow]) -> dict[str, Any]:
    """Run the engine on labelled rows and score what it says."""
    results: list[Result] = []
    for start in range(0, len(rows), _BATCH):
        results += engine.classify([r.item() for r in rows[start : start + _BATCH]])
    return score_results(rows, results)


def _indicator(label_sets: Sequence[set[Label]]) -> np.ndarray:
    return np.array([[label in s for label in LABELS] for s in label_sets], dtype=np.int8).reshape(
        -1, len(LABELS)
    )


def _per_label(gold: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    p, r, f, support = precision_recall_fscore_support(
        gold, pred, average=None, zero_division=0, labels=range(len(LABELS))
    )
    per = {}
    for k, label in enumerate(LABELS):
        if support[k] or pred[:, k].any():
            per[str(label)] = {
                "precision": round(float(p[k]), 4),
                "recall": round(float(r[k]), 4),
                "f1": round(float(f[k]), 4),
                "support": int(support[k]),
                "predicted": int(pred[:, k].sum()),
            }
    present = [k for k in range(len(LABELS)) if support[k]]
    macro = float(np.mean([f[k] for k in present])) if present else 0.0
    return {"labels": per, "macro_f1": round(macro, 4), "rows": int(len(gold))}


def score_results(rows: Sequence[LabelledRow], results: Sequence[Result]) -> dict[str, Any]:
    gold_sets = [set(r.labels) for r in rows]
    pred_sets = [res.label_set for res in results]
    gold, pred = _indicator(gold_sets), _indicator(pred_sets)
    report = _per_label(gold, pred)
    report["micro_f1"] = round(
        float(precision_recall_fscore_support(gold, pred, average="micro", zero_division=0)[2]), 4
    )
    report["exact_match"] = round(
        float(np.mean([g == p for g, p in zip(gold_sets, pred_sets, strict=True)])), 4
    )
    langs = np.array([r.lang or res.lang for r, res in zip(rows, results, strict=True)])
    report["by_lang"] = {
        str(lang): _per_label(gold[langs == lang], pred[langs == lang])
        for lang in sorted(set(langs))
    }
    report["confusion"] = _confusion(gold_sets, pred_sets)
    report["kind_accuracy"] = _kind_accuracy(rows, results)
    return report


def _confusion(gold: Sequence[set[Label]], pred: Sequence[set[Label]]) -> dict[str, Any]:
    """For each label: what was predicted when it was missed, and what was true when it fired wrongly."""
    missed: dict[str, Counter[str]] = defaultdict(Counter)
    wrong: dict[str, Counter[str]] = defaultdict(Counter)
    for g, p in zip(gold, pred, strict=True):
        for label in g - p:
            missed[str(label)].update([str(x) for x in p - g] or ["(nothing)"])
        for label in p - g:
            wrong[str(label)].update(
                [str(x) for x in g - p] or ["(nothing)" if not g else "(correct others)"]
            )
    return {
        "missed_predicted_instead": {k: dict(v.most_common(4)) for k, v in sorted(missed.items())},
        "false_alarm_true_labels": {k: dict(v.most_common(4)) for k, v in sorted(wrong.items())},
    }


def _kind_accuracy(rows: Sequence[LabelledRow], results: Sequence[Result]) -> float | None:
    """Among disclosures caught whose kind is known, the share given the right kind."""
    pairs = [
        (row.kind, next((v.kind for v in res.labels if v.label is Label.risky_disclosure), None))
        for row, res in zip(rows, results, strict=True)
        if row.kind and Label.risky_disclosure in res.label_set
    ]
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table for the terminal."""
    lines = [
        f"rows {report['rows']}   macro-F1 {report['macro_f1']:.3f}   micro-F1 {report['micro_f1']:.3f}"
        f"   exact match {report['exact_match']:.3f}"
    ]
    langs = list(report["by_lang"])
    header = f"{'label':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}" + "".join(
        f"{'F1 ' + lang:>9}" for lang in langs
    )
    lines += ["", header, "-" * len(header)]
    for label, m in report["labels"].items():
        per_lang = "".join(
            f"{report['by_lang'][lang]['labels'].get(label, {}).get('f1', float('nan')):>9.3f}"
            for lang in langs
        )
        lines.append(
            f"{label:<20}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}{per_lang}"
        )
    lines.append(
        f"{'macro-F1':<47}"
        + "".join(f"{report['by_lang'][lang]['macro_f1']:>9.3f}" for lang in langs)
    )
    if report.get("kind_accuracy") is not None:
        lines.append(f"risky_disclosure kind accuracy: {report['kind_accuracy']:.3f}")
    lines += ["", "confusions (missed -> predicted instead):"]
    for label, counts in report["confusion"]["missed_predicted_instead"].items():
        lines.append(f"  {label}: " + ", ".join(f"{k} x{v}" for k, v in counts.items()))
    lines.append("false alarms (fired -> true labels):")
    for label, counts in report["confusion"]["false_alarm_true_labels"].items():
        lines.append(f"  {label}: " + ", ".join(f"{k} x{v}" for k, v in counts.items()))
    return "\n".join(lines)
