"""Features: word and character n-grams (tf-idf), optionally a multilingual sentence embedding.

Character n-grams inside word boundaries carry across spelling, inflection and the two
languages; word n-grams carry phrases. The fitted state is plain arrays (vocabularies and idf
weights), so an artifact is loaded without unpickling anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from classify.model.counting import CharGramCounter, WordGramCounter, hstack_rows, sublinear_tfidf
from classify.model.cues import cue_tokens

__all__ = ["TextFeatures"]

_TOKEN = r"(?u)\b\w\w+\b|[!?]"


def _vectorizer(
    analyzer: str,
    ngrams: tuple[int, ...],
    *,
    vocabulary: dict[str, int] | None = None,
    **fit_params: Any,
) -> CountVectorizer:
    return CountVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        lowercase=False,
        dtype=np.float32,
        token_pattern=_TOKEN if analyzer == "word" else None,
        vocabulary=vocabulary,
        **({} if vocabulary else fit_params),
    )


class TextFeatures(TransformerMixin, BaseEstimator):
    """Normalized texts -> one sparse tf-idf matrix (word block, then character block)."""

    def __init__(
        self,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_features: int | None = 60_000,
        cues: bool = False,
    ) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.cues = cues

    def with_cues(self, texts: Sequence[str]) -> Sequence[str]:
        """Each text followed by its cue tokens (cues.py), for the word block only."""
        if not self.cues:
            return texts
        return [f"{t} {cue_tokens(t)}" for t in texts]

    def fit(self, texts: Sequence[str], y: object = None) -> TextFeatures:
        fit_params: dict[str, Any] = {"min_df": self.min_df, "max_features": self.max_features}
        word = _vectorizer("word", tuple(self.word_ngrams), **fit_params)
        char = _vectorizer("char_wb", tuple(self.char_ngrams), **fit_params)
        blocks = [(word, self.with_cues(texts)), (char, texts)]
        self.vectorizers_ = [v.fit(block) for v, block in blocks]
        self.idf_ = [
            TfidfTransformer(sublinear_tf=True).fit(v.transform(block)).idf_.astype(np.float32)
            for v, block in blocks
        ]
        self._prepare()
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        word_counter, char_counter = self.counters_
        word = sublinear_tfidf(word_counter.transform(self.with_cues(texts)), self.idf_[0])
        char = sublinear_tfidf(char_counter.transform(texts), self.idf_[1])
        return hstack_rows(word, char)

    def feature_names(self) -> np.ndarray:
        return np.concatenate([v.get_feature_names_out() for v in self.vectorizers_])

    @property
    def n_word_features(self) -> int:
        return len(self.vectorizers_[0].vocabulary_)

    def _prepare(self) -> None:
        """Fast counters over the fitted vocabularies (see counting.py)."""
        word, char = self.vectorizers_
        (w_low, w_high), (c_low, c_high) = self.word_ngrams, self.char_ngrams
        self.counters_: tuple[WordGramCounter, CharGramCounter] = (
            WordGramCounter(word.vocabulary_, (w_low, w_high), _TOKEN),
            CharGramCounter(char.vocabulary_, (c_low, c_high)),
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "word_vocabulary": self.vectorizers_[0].get_feature_names_out().astype(str),
            "char_vocabulary": self.vectorizers_[1].get_feature_names_out().astype(str),
            "word_idf": self.idf_[0],
            "char_idf": self.idf_[1],
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> TextFeatures:
        features = cls(**params)
        vocabularies = [arrays["word_vocabulary"], arrays["char_vocabulary"]]
        features.vectorizers_ = [
            _vectorizer(
                analyzer, tuple(ngrams), vocabulary={str(t): i for i, t in enumerate(vocabulary)}
            )
            for analyzer, ngrams, vocabulary in zip(
                ("word", "char_wb"),
                (features.word_ngrams, features.char_ngrams),
                vocabularies,
                strict=True,
            )
        ]
        for vectorizer in features.vectorizers_:
            vectorizer.get_feature_names_out()  # validates the given vocabulary, as fit() would
        features.idf_ = [
            arrays["word_idf"].astype(np.float32),
            arrays["char_idf"].astype(np.float32),
        ]
        features._prepare()
        return features
