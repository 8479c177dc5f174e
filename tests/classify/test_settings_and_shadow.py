"""The service's own settings, and how shadow agreement is counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from classify.settings import ClassifySettings
from classify.shadow import Agreement
from events.schemas import Label
from events.settings import Settings


def test_own_settings_come_from_the_environment_on_top_of_the_shared_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIGIE_SHADOW_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("VIGIE_CLASSIFY_MAX_CHARS", "2000")
    own = ClassifySettings.from_settings(Settings(topic_prefix="tenant1", model_dir=tmp_path / "m"))
    assert own.shadow_model_dir == tmp_path and own.classify_max_chars == 2000
    assert own.topic_prefix == "tenant1" and own.model_dir == tmp_path / "m"
    monkeypatch.setenv("VIGIE_CLASSIFY_MAX_CHARS", "5")
    with pytest.raises(ValueError, match="classify_max_chars"):
        ClassifySettings.from_settings(Settings())


def test_agreement_counts_posts_and_labels() -> None:
    agreement = Agreement()
    agreement.record({Label.complaint}, {Label.complaint})
    agreement.record({Label.complaint, Label.rumour}, {Label.complaint})
    agreement.record(set(), {Label.harassment})
    agreement.record(set(), set())
    assert agreement.posts == 4 and agreement.rate == 0.5
    assert agreement.per_label[("complaint", "both")] == 2
    assert agreement.per_label[("rumour", "live_only")] == 1
    assert agreement.per_label[("harassment", "shadow_only")] == 1
    assert "4 posts, 50.0% identical" in agreement.summary()
