"""Fast n-gram counting and tf-idf weighting at inference, equal to scikit-learn's.

scikit-learn fits the vocabularies and idf weights; these classes apply them to new posts. They
count exactly what CountVectorizer counts (a test holds them to it) but skip its per-call
overhead, and the character counter remembers each word's n-grams, since words repeat across
posts. This is the hot path of the engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["CharGramCounter", "WordGramCounter", "hstack_rows", "sublinear_tfidf"]

_CACHE_WORDS = 200_000


def _csr(indices: list[int], indptr: list[int], n_columns: int) -> sp.csr_matrix:
    data = np.ones(len(indices), dtype=np.float32)
    X = sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(indptr) - 1, n_columns),
    )
    X.sum_duplicates()  # repeated n-grams become counts
    return X


class CharGramCounter:
    """Character n-grams within word boundaries (sklearn's `char_wb`), cached per word."""

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        self.vocabulary = vocabulary
        self.min_n, self.max_n = ngram_range
        self._cache: dict[str, list[int]] = {}

    def _grams(self, padded: str) -> list[str]:
        grams: list[str] = []
        for n in range(self.min_n, self.max_n + 1):
            if n >= len(padded):  # a short word counts once, whole, as in sklearn
                grams.append(padded)
                break
            grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
        return grams

    def _word(self, word: str) -> list[int]:
        found = self._cache.get(word)
        if found is None:
            lookup = self.vocabulary.get
            found = [j for g in self._grams(f" {word} ") if (j := lookup(g)) is not None]
            if len(self._cache) < _CACHE_WORDS:
                self._cache[word] = found
        return found

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            for word in text.split():
                indices += self._word(word)
            indptr.append(len(indices))
        return _csr(indices, indptr, len(self.vocabulary))


class WordGramCounter:
    """Word n-grams (sklearn's `word` analyzer with a token pattern)."""

    def __init__(
        self, vocabulary: dict[str, int], ngram_range: tuple[int, int], token_pattern: str
    ):
        self.vocabulary = vocabulary
        self.min_n, self.max_n = ngram_range
        self.tokens = re.compile(token_pattern)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        lookup = self.vocabulary.get
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            tokens = self.tokens.findall(text)
            for n in range(self.min_n, self.max_n + 1):
                grams = (
                    tokens
                    if n == 1
                    else [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
                )
                indices += [j for g in grams if (j := lookup(g)) is not None]
            indptr.append(len(indices))
        return _csr(indices, indptr, len(self.vocabulary))


def sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """(1 + log tf) * idf, each row scaled to unit length: TfidfTransformer(sublinear_tf=True)."""
    X = counts.astype(np.float32)
    np.log(X.data, out=X.data)
    X.data += 1.0
    X.data *= idf[X.indices]
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    norms = np.sqrt(np.bincount(rows, weights=X.data.astype(np.float64) ** 2, minlength=X.shape[0]))
    norms[norms == 0] = 1.0
    X.data /= norms[rows].astype(np.float32)
    return X


def hstack_rows(left: sp.csr_matrix, right: sp.csr_matrix) -> sp.csr_matrix:
    """[left | right] for two CSR matrices with the same rows, without scipy's general path."""
    left_counts = np.diff(left.indptr)
    right_counts = np.diff(right.indptr)
    indptr = left.indptr + right.indptr
    indices = np.empty(left.nnz + right.nnz, dtype=np.int32)
    data = np.empty(left.nnz + right.nnz, dtype=np.float32)
    # Row r holds left's entries, then right's: entry k of left lands at k + right.indptr[r].
    left_at = np.arange(left.nnz) + np.repeat(right.indptr[:-1], left_counts)
    right_at = np.arange(right.nnz) + np.repeat(left.indptr[1:], right_counts)
    indices[left_at], data[left_at] = left.indices, left.data
    indices[right_at], data[right_at] = right.indices + left.shape[1], right.data
    return sp.csr_matrix(
        (data, indices, indptr), shape=(left.shape[0], left.shape[1] + right.shape[1])
    )
