"""Offline language identification of short posts."""

from __future__ import annotations

import pytest

from classify.lang import UNDETERMINED, detect_language, identify_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Toujours pas reçu ma commande, service client injoignable", "fr"),
        ("still waiting for my refund, worst support ever", "en"),
        ("Il paraît que l'usine ferme en décembre, quelqu'un confirme ?", "fr"),
        ("@LaurentiaAide @BestBuyCanada merci pour l'aide rapide https://t.co/x1", "fr"),
        ("Reporter at CBC Montreal, seeking comment on the outage", "en"),
    ],
)
def test_short_posts_in_french_and_english(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text", ["", "   ", "🔥🔥🔥", "😡😡 !!!", "12345 678", "@LaurentiaAide https://t.co/abc"]
)
def test_text_without_words_is_undetermined(text: str) -> None:
    assert detect_language(text) == UNDETERMINED


def test_mixed_language_post_gets_its_dominant_language() -> None:
    text = "Bonjour, j'ai un problème avec ma facture de ce mois-ci, thanks in advance"
    assert detect_language(text) == "fr"


def test_a_post_in_both_languages_is_marked_mixed() -> None:
    text = "Je suis tellement fâchée, this is the worst service and je veux mon argent"
    assert identify_language(text)[1] is True
    assert identify_language("Toujours pas reçu ma commande, c'est pas normal") == ("fr", False)
