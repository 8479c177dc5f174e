"""Claim terms and similarity (pure), and the brand configuration's `stories` section."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from events.brand import load_brand_config
from events.errors import ConfigError
from events.settings import BUNDLED_BRAND_CONFIG
from workflow.stories.claims import Centroid, ClaimReader, closest
from workflow.stories.desk import claim_reader

READER = claim_reader(load_brand_config(BUNDLED_BRAND_CONFIG))


def test_one_claim_in_french_and_english_shares_its_topics_and_names() -> None:
    fr = READER.terms("Il paraît que la panne à Gatineau c'était une cyberattaque", "fr")
    en = READER.terms("heard the Gatineau outage was a ransomware attack", "en")
    assert {"=outage", "=cyberattack", "gatineau"} <= fr.keys() & en.keys()
    story = Centroid({}, 0)
    story.add(fr)
    similarity, shared = story.similarity(en)
    assert similarity >= 0.4 and set(shared) == {"=outage", "=cyberattack", "gatineau"}


def test_rumour_wordings_brand_names_and_handles_are_not_the_claim() -> None:
    terms = READER.terms("@LaurentiaAide is it true that someone heard Laurentia Mobile said so?", "en")
    assert terms == {}


def test_a_shared_topic_alone_does_not_make_the_same_claim() -> None:
    stories = {1: Centroid({}, 0)}
    stories[1].add(READER.terms("la panne à Gatineau serait une cyberattaque, données volées", "fr"))
    verdun = READER.terms("is Laurentia down in Verdun right now? my whole street has nothing", "en")
    assert closest(verdun, stories, 0.4) is None


def test_numbers_months_and_product_names_match_as_written() -> None:
    fr = READER.terms("Laurentia ferme la 3G le 1er mars 2027", "fr")
    en = READER.terms("Laurentia shuts 3G on March 1st 2027", "en")
    assert {"3g", "=march", "#2027"} <= fr.keys() & en.keys()


def test_a_centroid_keeps_its_heaviest_terms_only() -> None:
    story = Centroid({}, 0)
    for i in range(400):
        story.add({f"word{i}": 1.0, "=outage": 2.0})
    assert len(story.terms) == 300 and story.terms["=outage"] == 800.0 and story.volume == 400


def test_topic_phrases_win_over_their_words() -> None:
    reader = ClaimReader({"call_centre": ["centre d'appels", "call center"]})
    assert reader.terms("Fermeture du centre d'appels de Québec", "fr").keys() >= {"=call_centre"}
    assert "centr" not in reader.terms("Fermeture du centre d'appels de Québec", "fr")


def test_a_bad_topic_names_its_line(tmp_path: Path) -> None:
    data = yaml.safe_load(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8"))
    data["stories"]["topics"]["Bad Name"] = ["panne"]
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"brand\.yaml:\d+: stories\.topics: .*'Bad Name'"):
        load_brand_config(path)
