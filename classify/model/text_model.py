"""The model the engine runs: normalized text -> features -> calibrated scores, and why."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from classify.lang import FUNCTION_WORDS
from classify.model.artifact import ModelMetadata, read_artifact, write_artifact
from classify.model.embedding import EMBEDDING_DIM, SentenceEmbedding
from classify.model.features import TextFeatures
from classify.model.linear import CalibratedLinear, KindClassifier
from classify.model.normalize import SOURCE_TOKENS, normalize_many
from classify.model.thresholds import ALL_LANGUAGES, FLOOR, OperatingPoint
from events.schemas import Label, Source

__all__ = ["Explanation", "TextModel"]

_HIDDEN_FEATURES = set(SOURCE_TOKENS.values())


_DISPLAY = {
    "zzurl": "<link>",
    "zzemail": "<email>",
    "zzticker": "$TICKER",
    "zzmention": "",
    "zzstaff": "",
    "zzcuewait": "<waiting>",
    "zzcuefail": "<not-working>",
    "zzcuebad": "<dissatisfaction>",
    "zzcuesarcasm": "<sarcasm>",
    "zzcueinsult": "<insult>",
    "zzcuethreat": "<threat>",
}


def _display(feature: str) -> str:
    """A feature as a person reads it: placeholders named, digits shown as #."""
    words = [_DISPLAY.get(w, w) for w in feature.split()]
    return " ".join(w for w in words if w).replace("0", "#")


def _telling(feature: str) -> bool:
    """Whether a feature means something to a person: letters, not a lone function word."""
    words = feature.split()
    if not any(ch.isalpha() for ch in feature):
        return False
    return not (len(words) == 1 and words[0] in FUNCTION_WORDS)


@dataclass(frozen=True)
class Explanation:
    """One feature's share of a label's score for one post."""

    feature: str
    weight: float
    block: str  # "word", "char" or "embedding"


@dataclass
class TextModel:
    features: TextFeatures
    classifier: CalibratedLinear
    labels: list[Label]
    metadata: ModelMetadata | None = None
    embedding: SentenceEmbedding | None = None
    kinds: KindClassifier | None = None
    thresholds: dict[str, dict[Label, float]] = field(default_factory=dict)  # lang -> label -> t
    operating_points: list[OperatingPoint] = field(default_factory=list)  # set by training
    training_rows: np.ndarray | None = None  # text_key() of every training row, sorted
    _names: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def version(self) -> str:
        return self.metadata.version if self.metadata else "unsaved"

    def thresholds_for(self, lang: str | None) -> dict[Label, float]:
        """The score at which each label fires in this language, unless the brand sets its own."""
        general = self.thresholds.get(ALL_LANGUAGES, {})
        return {
            label: self.thresholds.get(lang or "", {}).get(label, general.get(label, FLOOR))
            for label in self.labels
        }

    def vectorize(
        self, texts: Sequence[str], sources: Sequence[Source], mask: re.Pattern[str] | None = None
    ) -> sp.csr_matrix:
        X = self.features.transform(normalize_many(texts, sources, mask))
        if self.embedding is not None:
            X = sp.hstack([X, sp.csr_matrix(self.embedding.transform(texts))], format="csr")
        return X

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        """Calibrated scores, shape (n_posts, n_labels), columns in `labels` order."""
        return self.classifier.predict_proba(X)

    def kind(self, X: sp.csr_matrix) -> list[str | None]:
        """The likeliest disclosure kind of each post (None when the model has no kind classifier)."""
        if self.kinds is None:
            return [None] * X.shape[0]
        return [str(k) for k in self.kinds.predict(X)]

    def explain(
        self, row: sp.csr_matrix | tuple[np.ndarray, np.ndarray], label: Label, top: int = 3
    ) -> list[Explanation]:
        """The features that pushed this post's score for `label` up the most.

        `row` is one row of `vectorize`'s matrix, or its (indices, values) arrays.
        """
        if isinstance(row, tuple):
            indices, values = row
        else:
            csr = row.tocsr()
            indices, values = csr.indices, csr.data
        indices, shares = self.classifier.contributions(indices, values, self.labels.index(label))
        names = self._feature_names()
        n_text, n_word = len(names), self.features.n_word_features
        found: list[Explanation] = []
        embedding_share = float(shares[indices >= n_text].sum())
        for i in np.argsort(-shares):
            if len(found) >= top or shares[i] <= 0:
                break
            j = int(indices[i])
            if j >= n_text or names[j] in _HIDDEN_FEATURES or not _telling(str(names[j])):
                continue
            shown = (
                _display(str(names[j])) if j < n_word else str(names[j]).strip().replace("0", "#")
            )
            if shown and shown not in {e.feature for e in found}:
                found.append(Explanation(shown, float(shares[i]), "word" if j < n_word else "char"))
        if embedding_share > 0:
            found.append(Explanation("sentence meaning (embedding)", embedding_share, "embedding"))
        return found

    def _feature_names(self) -> np.ndarray:
        if self._names is None:
            self._names = self.features.feature_names()
        return self._names

    def save(self, directory: Path, metadata: dict[str, Any]) -> ModelMetadata:
        arrays = {
            **self.features.to_arrays(),
            **self.classifier.to_arrays(),
            **(self.kinds.to_arrays() if self.kinds is not None else {}),
            **({"training_rows": self.training_rows} if self.training_rows is not None else {}),
        }
        self.metadata = write_artifact(
            directory,
            arrays,
            {
                **metadata,
                "labels": [str(label) for label in self.labels],
                "features": {
                    **self.features.get_params(),
                    "embedding": self.embedding.name if self.embedding else None,
                    "embedding_dim": EMBEDDING_DIM if self.embedding else 0,
                },
                "classifier": self.classifier.get_params(),
                "thresholds": {
                    lang: {str(k): v for k, v in points.items()}
                    for lang, points in self.thresholds.items()
                },
            },
        )
        return self.metadata

    @classmethod
    def load(cls, directory: Path) -> TextModel:
        """A saved model; ArtifactError when the directory is not a valid Vigie model."""
        meta, arrays = read_artifact(directory)
        params = {k: v for k, v in meta.features.items() if k not in {"embedding", "embedding_dim"}}
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
        return cls(
            features=TextFeatures.from_arrays(arrays, params),
            classifier=CalibratedLinear.from_arrays(arrays, meta.classifier),
            labels=list(meta.labels),
            metadata=meta,
            embedding=SentenceEmbedding() if meta.features.get("embedding") else None,
            kinds=KindClassifier.from_arrays(arrays),
            thresholds={lang: dict(points) for lang, points in meta.thresholds.items()},
            training_rows=arrays.get("training_rows"),
        )

    def seen(self, texts: Sequence[str]) -> int:
        """How many of these texts this model was trained on (0 when it does not know)."""
        if self.training_rows is None or not len(texts):
            return 0
        keys = np.array([text_key(t) for t in texts], dtype=np.uint64)
        return int(np.isin(keys, self.training_rows, assume_unique=False).sum())


def text_key(text: str) -> int:
    """A 64-bit key of a post's text: how a model remembers which rows it learned from."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
