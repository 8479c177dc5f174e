"""Prometheus metrics of the classify service (prefix vigie_classify_, bounded labels)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["LABELS_FIRED", "NOTES", "POST_SECONDS", "SHADOW_LABELS", "SHADOW_POSTS"]

POST_SECONDS = Histogram(
    "vigie_classify_duration_seconds",
    "Engine time per post (a batch's time divided by its size).",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1),
)
LABELS_FIRED = Counter("vigie_classify_labels_total", "Labels given to posts.", ["label", "shadow"])
NOTES = Counter("vigie_classify_notes_total", "Verdicts with a note, by kind.", ["note"])
SHADOW_POSTS = Counter(
    "vigie_classify_shadow_posts_total",
    "Posts classified by both models, by whether their label sets agree.",
    ["agreement"],
)
SHADOW_LABELS = Counter(
    "vigie_classify_shadow_labels_total",
    "Per label: given by both models, by the live one only, or by the shadow one only.",
    ["label", "outcome"],
)
