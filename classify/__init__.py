"""The classify service: every post on vigie.posts gets a verdict on vigie.verdicts.

Precise detectors (detectors/, one per file) and a calibrated scikit-learn model (model/) run in
one engine (engine.py), used by the streaming service (service.py) and the batch commands alike.
"""

from classify.engine import BUNDLED_MODEL, Engine, Result
from classify.item import Item

__all__ = ["BUNDLED_MODEL", "Engine", "Item", "Result"]
