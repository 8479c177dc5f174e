"""Model artifacts on disk: arrays (model.npz) beside a metadata file (metadata.json).

Nothing is unpickled: a model directory from anywhere is read as numbers and JSON, checked
against its metadata (format, labels, shapes, the arrays' SHA-256), and refused otherwise.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from events.errors import VigieError
from events.schemas import Label

__all__ = [
    "ARRAYS_FILE",
    "FORMAT",
    "METADATA_FILE",
    "ArtifactError",
    "ModelMetadata",
    "read_artifact",
    "write_artifact",
]

FORMAT = "vigie-linear/1"
ARRAYS_FILE = "model.npz"
METADATA_FILE = "metadata.json"


class ArtifactError(VigieError):
    """A model directory is missing, incomplete, tampered with or of an unknown format."""


class TrainingData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int = Field(ge=1)
    per_label: dict[str, int] = Field(default_factory=dict)
    per_lang: dict[str, int] = Field(default_factory=dict)
    feedback_rows: int = 0


class ModelMetadata(BaseModel):
    """What a model is, what it learned from, how good it was, and what it was built with."""

    model_config = ConfigDict(extra="forbid")

    format: str
    version: str = Field(min_length=1)
    created_at: str
    labels: list[Label] = Field(min_length=1)
    training_data: TrainingData
    features: dict[str, Any]
    classifier: dict[str, Any]
    thresholds: dict[str, dict[Label, float]] = Field(
        default_factory=dict,
        description="Operating point of each label, for all languages ('*') and per language, "
        "chosen at training for a precision target.",
    )
    metrics: dict[str, Any] = Field(default_factory=dict)
    libraries: dict[str, str]
    arrays_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_artifact(
    directory: Path, arrays: dict[str, np.ndarray], metadata: dict[str, Any]
) -> ModelMetadata:
    """Write the arrays, hash them, and write the validated metadata beside them."""
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / ARRAYS_FILE, **arrays)  # type: ignore[arg-type]
    meta = ModelMetadata.model_validate(
        {**metadata, "format": FORMAT, "arrays_sha256": _sha256(directory / ARRAYS_FILE)}
    )
    (directory / METADATA_FILE).write_text(meta.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return meta


def read_artifact(directory: Path) -> tuple[ModelMetadata, dict[str, np.ndarray]]:
    """Read and check a model directory; ArtifactError says exactly what is wrong."""
    meta_path, arrays_path = directory / METADATA_FILE, directory / ARRAYS_FILE
    if not directory.is_dir():
        raise ArtifactError(f"{directory}: no such model directory")
    if not meta_path.is_file():
        raise ArtifactError(f"{directory}: no {METADATA_FILE}; refusing a model without metadata")
    try:
        meta = ModelMetadata.model_validate(json.loads(meta_path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise ArtifactError(f"{meta_path}: invalid model metadata: {exc}") from exc
    if meta.format != FORMAT:
        raise ArtifactError(
            f"{meta_path}: model format {meta.format!r}, this Vigie reads {FORMAT!r}"
        )
    if not arrays_path.is_file():
        raise ArtifactError(f"{directory}: {ARRAYS_FILE} is missing")
    if _sha256(arrays_path) != meta.arrays_sha256:
        raise ArtifactError(
            f"{arrays_path}: SHA-256 does not match its metadata (changed or corrupt)"
        )
    try:
        with np.load(arrays_path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{arrays_path}: unreadable: {exc}") from exc
    _check_shapes(meta, arrays, arrays_path)
    return meta, arrays


def _check_shapes(meta: ModelMetadata, arrays: dict[str, np.ndarray], path: Path) -> None:
    needed = {
        "coef",
        "intercept",
        "platt",
        "word_vocabulary",
        "char_vocabulary",
        "word_idf",
        "char_idf",
    }
    missing = needed - set(arrays)
    if missing:
        raise ArtifactError(f"{path}: missing arrays {', '.join(sorted(missing))}")
    n_text = len(arrays["word_vocabulary"]) + len(arrays["char_vocabulary"])
    n_embed = int(meta.features.get("embedding_dim", 0))
    expected = (len(meta.labels), n_text + n_embed)
    if arrays["coef"].shape != expected:
        raise ArtifactError(
            f"{path}: coef has shape {arrays['coef'].shape}, metadata implies {expected}"
        )
