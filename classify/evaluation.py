"""Quality figures: per label precision, recall, F1 and false-alarm rate, per language, and how
well the scores are calibrated.

The whole engine is measured (model and detectors under the brand's thresholds), since that is
what a comms team receives. Every label evaluated counts in the macro-F1, including one that
never fires or fires only wrongly, so false alarms on negatives cannot hide. When one label is
evaluated (a data set annotated for one thing), the macro-F1 is the two-class one: the mean of
the F1 of "has the label" and of "has not".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from classify.data import LabelledRow
from classify.engine import Engine, Result
from events.schemas import Label

__all__ = ["LABELS", "evaluate", "format_report", "score_results"]

LABELS = list(Label)
_BATCH = 256
_BINS = np.linspace(0.0, 1.0, 11)


def evaluate(
    engine: Engine, rows: Sequence[LabelledRow], labels: Sequence[Label] | None = None
) -> dict[str, Any]:
    """Run the engine on labelled rows and score what it says (on `labels`, default: all)."""
    results: list[Result] = []
    for start in range(0, len(rows), _BATCH):
        results += engine.classify([r.item() for r in rows[start : start + _BATCH]])
    return score_results(rows, results, labels)


def _indicator(label_sets: Sequence[set[Label]], labels: Sequence[Label]) -> np.ndarray:
    return np.array([[label in s for label in labels] for s in label_sets], dtype=np.int8).reshape(
        -1, len(labels)
    )


def _prf(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of one 0/1 column against another (0 where undefined)."""
    tp = int((gold & pred).sum())
    precision = tp / int(pred.sum()) if pred.any() else 0.0
    recall = tp / int(gold.sum()) if gold.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _per_label(gold: np.ndarray, pred: np.ndarray, labels: Sequence[Label]) -> dict[str, Any]:
    per = {}
    f1s = []
    for k, label in enumerate(labels):
        g, p = gold[:, k].astype(bool), pred[:, k].astype(bool)
        precision, recall, f1 = _prf(g, p)
        negatives = int((~g).sum())
        f1s.append(f1)
        per[str(label)] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "false_alarm_rate": round(int((p & ~g).sum()) / negatives, 4) if negatives else 0.0,
            "support": int(g.sum()),
            "predicted": int(p.sum()),
        }
    if len(labels) == 1:
        g, p = gold[:, 0].astype(bool), pred[:, 0].astype(bool)
        macro, kind = (f1s[0] + _prf(~g, ~p)[2]) / 2, "two-class"
    else:
        macro, kind = (float(np.mean(f1s)) if f1s else 0.0), "labels"
    return {"labels": per, "macro_f1": round(macro, 4), "macro_kind": kind, "rows": int(len(gold))}


def _evaluated(
    gold_sets: Sequence[set[Label]], pred_sets: Sequence[set[Label]], labels: Sequence[Label] | None
) -> list[Label]:
    """The labels asked for, else every label the data or the engine names."""
    if labels:
        return list(labels)
    named = set().union(*gold_sets, *pred_sets) if gold_sets else set()
    return [label for label in LABELS if label in named]


def score_results(
    rows: Sequence[LabelledRow], results: Sequence[Result], labels: Sequence[Label] | None = None
) -> dict[str, Any]:
    """The report for rows and what the engine said of them, on `labels` (default: all named)."""
    chosen = _evaluated([set(r.labels) for r in rows], [r.label_set for r in results], labels)
    keep = set(chosen)
    gold_sets = [set(r.labels) & keep for r in rows]
    pred_sets = [res.label_set & keep for res in results]
    gold, pred = _indicator(gold_sets, chosen), _indicator(pred_sets, chosen)
    report = _per_label(gold, pred, chosen)
    report["micro_f1"] = round(_prf(gold.astype(bool).ravel(), pred.astype(bool).ravel())[2], 4)
    report["exact_match"] = (
        round(float(np.mean([g == p for g, p in zip(gold_sets, pred_sets, strict=True)])), 4)
        if rows
        else 0.0
    )
    langs = np.array([r.lang or res.lang for r, res in zip(rows, results, strict=True)])
    report["by_lang"] = {
        str(lang): _per_label(gold[langs == lang], pred[langs == lang], chosen)
        for lang in sorted(set(langs))
    }
    report["calibration"] = _reliability(gold, results, chosen)
    report["confusion"] = _confusion(gold_sets, pred_sets)
    report["kind_accuracy"] = _kind_accuracy(rows, results)
    return report


def _reliability(
    gold: np.ndarray, results: Sequence[Result], labels: Sequence[Label]
) -> dict[str, list[dict[str, Any]]]:
    """Per label, rows binned by score: how many, their mean score, and how many truly carry it.

    Calibrated scores keep the observed rate close to the mean score in every bin.
    """
    table: dict[str, list[dict[str, Any]]] = {}
    for k, label in enumerate(labels):
        scores = np.array([res.scores.get(label, 0.0) for res in results], dtype=float)
        bins = np.clip(np.digitize(scores, _BINS[1:-1]), 0, len(_BINS) - 2)
        rows = []
        for b in range(len(_BINS) - 1):
            inside = bins == b
            if inside.any():
                rows.append(
                    {
                        "bin": f"{_BINS[b]:.1f}-{_BINS[b + 1]:.1f}",
                        "rows": int(inside.sum()),
                        "mean_score": round(float(scores[inside].mean()), 3),
                        "observed": round(float(gold[inside, k].mean()), 3),
                    }
                )
        table[str(label)] = rows
    return table


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


def format_report(report: dict[str, Any], *, calibration: bool = True) -> str:
    """A plain-text table for the terminal."""
    kind = "two-class macro-F1" if report["macro_kind"] == "two-class" else "macro-F1"
    lines = [
        f"rows {report['rows']}   {kind} {report['macro_f1']:.3f}   micro-F1 {report['micro_f1']:.3f}"
        f"   exact match {report['exact_match']:.3f}"
    ]
    langs = list(report["by_lang"])
    header = f"{'label':<20}{'P':>7}{'R':>7}{'F1':>7}{'FA%':>7}{'n':>6}{'fired':>7}" + "".join(
        f"{'F1 ' + lang:>9}" for lang in langs
    )
    lines += ["", header, "-" * len(header)]
    for label, m in report["labels"].items():
        per_lang = "".join(
            f"{report['by_lang'][lang]['labels'].get(label, {}).get('f1', float('nan')):>9.3f}"
            for lang in langs
        )
        lines.append(
            f"{label:<20}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}"
            f"{100 * m['false_alarm_rate']:>7.2f}{m['support']:>6}{m['predicted']:>7}{per_lang}"
        )
    lines.append(
        f"{kind:<60}" + "".join(f"{report['by_lang'][lang]['macro_f1']:>9.3f}" for lang in langs)
    )
    lines.append("FA% = false alarms: share of the rows without the label on which it fired")
    if report.get("kind_accuracy") is not None:
        lines.append(f"risky_disclosure kind accuracy: {report['kind_accuracy']:.3f}")
    if calibration:
        lines += [
            "",
            "calibration (rows by score: mean score vs. share that truly carry the label):",
        ]
        for label, bins in report["calibration"].items():
            cells = "  ".join(
                f"{b['bin']}: {b['rows']} @ {b['mean_score']:.2f}->{b['observed']:.2f}"
                for b in bins
                if b["bin"] != "0.0-0.1" or len(bins) == 1
            )
            lines.append(f"  {label}: {cells or 'all rows score under 0.1'}")
    lines += ["", "confusions (missed -> predicted instead):"]
    for label, counts in report["confusion"]["missed_predicted_instead"].items():
        lines.append(f"  {label}: " + ", ".join(f"{k} x{v}" for k, v in counts.items()))
    lines.append("false alarms (fired -> true labels):")
    for label, counts in report["confusion"]["false_alarm_true_labels"].items():
        lines.append(f"  {label}: " + ", ".join(f"{k} x{v}" for k, v in counts.items()))
    return "\n".join(lines)
