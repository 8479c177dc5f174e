"""The trainable part: normalization, n-gram features, a calibrated linear model, artifacts."""

from classify.model.artifact import ArtifactError, ModelMetadata
from classify.model.text_model import TextModel

__all__ = ["ArtifactError", "ModelMetadata", "TextModel"]
