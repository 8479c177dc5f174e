"""Precise detectors, one per file, each stamping its name and version on what it finds."""

from classify.detectors.base import Detector, DetectorContext, Finding
from classify.detectors.registry import (
    DEFAULT_CONFIG,
    REGISTRY,
    DetectorsConfig,
    build_detectors,
    context_from_brand,
)

__all__ = [
    "DEFAULT_CONFIG",
    "REGISTRY",
    "Detector",
    "DetectorContext",
    "DetectorsConfig",
    "Finding",
    "build_detectors",
    "context_from_brand",
]
