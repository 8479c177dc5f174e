"""The engine: detectors and the model over a batch of posts, fused into labelled results.

The streaming service and the batch commands run this same code. It never raises on odd text
(empty, huge, emoji-only, mixed languages): it returns a result whose notes say what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classify.detectors import (
    DEFAULT_CONFIG,
    Detector,
    DetectorsConfig,
    Finding,
    build_detectors,
    context_from_brand,
)
from classify.fusion import as_seen_from, fuse
from classify.item import DEFAULT_MAX_CHARS, Item
from classify.lang import UNDETERMINED, identify_language
from classify.lang import warm_up as warm_up_language
from classify.masking import mask
from classify.model.normalize import MIN_WORDS, brand_mask, readable_words
from classify.model.text_model import TextModel
from events.brand import BrandConfig, load_brand_config
from events.schemas import Evidence, Label, LabelVerdict, Post, Verdict
from events.settings import BUNDLED_BRAND_CONFIG, Settings

__all__ = ["BUNDLED_MODEL", "Engine", "Result"]

log = logging.getLogger(__name__)

BUNDLED_MODEL = Path(__file__).with_name("bundled_model")
MODEL_NAME = "model"


@dataclass(frozen=True)
class Result:
    """What the engine says about one post."""

    lang: str
    labels: list[LabelVerdict]
    scores: dict[Label, float]
    notes: list[str] = field(default_factory=list)
    masked_text: str | None = None  # the classified text, personal data and secrets masked

    @property
    def label_set(self) -> set[Label]:
        return {v.label for v in self.labels}

    def verdict(self, post: Post, engine: Engine, *, shadow: bool = False) -> Verdict:
        """The verdict on `post` (the post this result is for), its personal data masked."""
        if self.masked_text is not None and len(post.text) >= len(self.masked_text):
            post = post.model_copy(
                update={"text": self.masked_text + post.text[len(self.masked_text) :]}
            )
        return Verdict(
            post=post,
            lang=self.lang,
            labels=self.labels,
            model_version=engine.model_version,
            detector_versions=engine.detector_versions,
            notes=self.notes,
            shadow=shadow,
        )


class Engine:
    """Classifies posts with a brand's policies, its detectors and an optional model."""

    def __init__(
        self,
        *,
        brand: BrandConfig,
        detectors: Sequence[Detector],
        model: TextModel | None,
        languages: Sequence[str] = ("fr", "en"),
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        self.brand = brand
        self.detectors = list(detectors)
        self.model = model
        self.languages = tuple(languages)
        self.max_chars = max_chars
        self._mask = brand_mask(context_from_brand(brand).brand_terms)
        self._supports = {d.name: d.supports for d in self.detectors}
        self._policies = {label: brand.label_policy(label) for label in Label}

    @classmethod
    def load(
        cls,
        *,
        model_dir: Path | None = None,
        brand_config: Path = BUNDLED_BRAND_CONFIG,
        detectors_config: Path = DEFAULT_CONFIG,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> Engine:
        """An engine from files: model directory (default: the bundled one), brand and detector configs."""
        brand = load_brand_config(brand_config)
        config = DetectorsConfig.load(detectors_config)
        detectors = build_detectors(config, context_from_brand(brand, config.regions))
        model = TextModel.load(model_dir or BUNDLED_MODEL)
        return cls(brand=brand, detectors=detectors, model=model, max_chars=max_chars)

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        """The engine every entry point runs (stream, batch, draft check): one set of settings."""
        from classify.settings import ClassifySettings  # the settings module imports detectors

        own = ClassifySettings.from_settings(settings)
        return cls.load(
            model_dir=own.model_dir,
            brand_config=own.brand_config,
            detectors_config=own.detectors_config,
            max_chars=own.classify_max_chars,
        )

    @property
    def model_version(self) -> str:
        return self.model.version if self.model else "detectors-only"

    @property
    def detector_versions(self) -> dict[str, str]:
        return {d.name: d.version for d in self.detectors}

    def warm_up(self) -> None:
        """Load the detectors and the language model now rather than on the first post."""
        warm_up_language(self.languages)
        for detector in self.detectors:
            detector.load()

    def classify(self, items: Sequence[Item]) -> list[Result]:
        capped = [item.capped(self.max_chars) for item in items]
        texts = [item for item, _ in capped]
        X, scores, kinds = self._model_scores(texts)
        results = []
        for i, (item, cap_note) in enumerate(capped):
            found, failures = self._detect(item)
            masked, found = mask(item.text, [as_seen_from(f, item.source) for f in found])
            lang, mixed = self._language(item)
            notes = [n for n in (cap_note, *failures) if n]
            if scores[i] and readable_words(item.text, self._mask) < MIN_WORDS:
                scores[i] = dict.fromkeys(scores[i], 0.0)  # nothing to read: detectors only
                notes.append(f"fewer than {MIN_WORDS} words: no model label")
            if mixed:
                notes.append("mixed languages: French and English")
            result = self._result(i, item, lang, found, X, scores[i], kinds[i], notes)
            results.append(replace(result, masked_text=masked))
        return results

    def classify_one(self, item: Item) -> Result:
        return self.classify([item])[0]

    def _language(self, item: Item) -> tuple[str, bool]:
        """The post's language (the platform's tag when it is one we serve) and whether it mixes."""
        lang, mixed = identify_language(item.text, self.languages)
        if item.lang and item.lang.lower()[:2] in self.languages:
            return item.lang.lower()[:2], mixed
        return lang, mixed

    def _detect(self, item: Item) -> tuple[list[Finding], list[str]]:
        found: list[Finding] = []
        failures: list[str] = []
        for detector in self.detectors:
            try:
                found += detector.detect(item)
            except Exception as exc:  # a plug-in's bug must cost its own evidence, not the post
                log.exception("detector %s failed", detector.name)
                failures.append(f"detector {detector.name} failed: {type(exc).__name__}")
        return found, failures

    def _model_scores(
        self,
        items: Sequence[Item],
    ) -> tuple[sp.csr_matrix | None, list[dict[Label, float]], list[str | None]]:
        if self.model is None or not items:
            return None, [{} for _ in items], [None] * len(items)
        X = self.model.vectorize([i.text for i in items], [i.source for i in items], self._mask)
        probabilities = self.model.scores(X).tolist()
        labels = self.model.labels
        scores = [dict(zip(labels, row, strict=True)) for row in probabilities]
        return X, scores, self.model.kind(X)

    def _result(
        self,
        i: int,
        item: Item,
        lang: str,
        found: list[Finding],
        X: sp.csr_matrix | None,
        scores: dict[Label, float],
        kind: str | None,
        notes: list[str],
    ) -> Result:
        support: dict[Label, list[Finding]] = {}
        for finding in found:
            if finding.score == 0:
                for label in self._supports.get(finding.detector, ()):
                    support.setdefault(label, []).append(finding)
        labels = fuse(
            scores=scores,
            findings=found,
            policies=self._policies,
            support=support,
            model_kinds={Label.risky_disclosure: kind},
            model_thresholds=self.model.thresholds_for(lang) if self.model else None,
            model_evidence=lambda label, score: self._model_evidence(X, i, label, score),
        )
        if lang == UNDETERMINED and item.text.strip():
            notes = [*notes, "language undetermined (too few letters)"]
        elif not item.text.strip():
            notes = [*notes, "empty text"]
        all_scores = {**scores}
        for finding in found:
            all_scores[finding.label] = max(all_scores.get(finding.label, 0.0), finding.score)
        return Result(lang=lang, labels=labels, scores=all_scores, notes=notes)

    def _model_evidence(
        self, X: sp.csr_matrix | None, i: int, label: Label, score: float
    ) -> list[Evidence]:
        version = self.model_version
        if self.model is not None and X is not None and label in self.model.labels:
            explained = self.model.explain(_row(X, i), label)
            if explained:
                return [
                    Evidence(
                        kind="feature",
                        detector=MODEL_NAME,
                        version=version,
                        text=e.feature,
                        weight=round(e.weight, 4),
                        detail=f"{e.block} feature; model score {score:.2f}",
                    )
                    for e in explained
                ]
        return [
            Evidence(
                kind="rule",
                detector=MODEL_NAME,
                version=version,
                weight=round(score, 4),
                detail=f"model score {score:.2f}",
            )
        ]


def _row(X: sp.csr_matrix, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i of a CSR matrix as (indices, values), without building a new matrix."""
    start, end = X.indptr[i], X.indptr[i + 1]
    return X.indices[start:end], X.data[start:end]
