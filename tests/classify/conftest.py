"""Fixtures of the classify tests: a small labelled corpus, a model trained on it, engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from classify.data import LabelledRow, load_labelled
from classify.detectors import DetectorsConfig, build_detectors, context_from_brand
from classify.engine import Engine
from classify.model.artifact import ModelMetadata
from classify.model.text_model import TextModel
from classify.training import TrainParams, train
from events.brand import BrandConfig, load_brand_config
from events.settings import BUNDLED_BRAND_CONFIG

CORPUS = Path(__file__).parents[2] / "classify" / "corpus"
PER_FILE = 24


@pytest.fixture(scope="session")
def brand() -> BrandConfig:
    return load_brand_config(BUNDLED_BRAND_CONFIG)


@pytest.fixture(scope="session")
def small_rows() -> list[LabelledRow]:
    """Rows from each corpus file: every label, both languages, a few hundred rows."""
    rows: list[LabelledRow] = []
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        if path.parent.name in ("en", "fr"):  # not the challenge set: it is never trained on
            rows += load_labelled(path)[::5][:PER_FILE]  # spread over the file: every kind shows up
    return rows


@pytest.fixture(scope="session")
def small_model(
    tmp_path_factory: pytest.TempPathFactory, small_rows: list[LabelledRow], brand: BrandConfig
) -> Iterator[tuple[Path, ModelMetadata]]:
    """A model trained by the same `train` a brand uses, on the small corpus."""
    out = tmp_path_factory.mktemp("model")
    config = DetectorsConfig.load()
    detectors = build_detectors(config, context_from_brand(brand, config.regions))
    meta = train(
        small_rows,
        out,
        brand=brand,
        detectors=detectors,
        holdout=0.25,
        params=TrainParams(max_features=20_000),
        model_version="test-1",
    )
    yield out, meta


@pytest.fixture(scope="session")
def engine(small_model: tuple[Path, ModelMetadata]) -> Engine:
    return Engine.load(model_dir=small_model[0])


@pytest.fixture(scope="session")
def model(small_model: tuple[Path, ModelMetadata]) -> TextModel:
    return TextModel.load(small_model[0])
