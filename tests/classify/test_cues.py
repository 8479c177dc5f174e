"""Cue tokens: one token per family of wordings, in English and French, on normalized text."""

from __future__ import annotations

import pytest

from classify.model.cues import cue_tokens
from classify.model.normalize import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Brand 3h on the tarmac, nobody tells us anything", {"zzcuewait"}),
        ("Ça fait 12 jours que j'attends mon colis", {"zzcuewait"}),
        ("toujours pas de nouvelles de mon remboursement", {"zzcuewait"}),
        ("the app crashes every time I open it", {"zzcuefail"}),
        ("mon modem marche pus depuis lundi", {"zzcuefail", "zzcuewait"}),
        ("Worst airline ever, a total joke", {"zzcuebad"}),
        ("Chu écœurée de payer pour rien", {"zzcuebad"}),
        ("ecoeure de ce service", {"zzcuebad"}),
        ("great job @Bank, second outage this week", {"zzcuesarcasm", "zzcuefail"}),
        ("Merci pour rien 🙄", {"zzcuesarcasm"}),
        ("what time does the store open on Sundays?", set()),
        ("Le forfait à 45 $ inclut-il les taxes ?", set()),
        ("Love this phone, the camera is great", set()),
        ("the downtown branch is lovely", set()),  # "down" inside a word is not a cue
        ("@Brand your agent is a useless moron", {"zzcuebad", "zzcueinsult"}),
        ("t'es vraiment un gros c0nnard", {"zzcueinsult"}),
        ("Espèce de con, ferme-la", {"zzcueinsult"}),
        ("I know where you live. Watch your back.", {"zzcuethreat"}),
        ("on sait où tu habites, fais gaffe à toi", {"zzcuethreat"}),
        ("this new update is killer", set()),
        ("the show was a complete scream, I'm dead 😂", set()),
        ("take the trash out before the pickup", set()),
    ],
)
def test_cue_families_fire_on_their_wordings_only(text: str, expected: set[str]) -> None:
    tokens = cue_tokens(normalize(text))
    assert set(tokens.split()) == expected


def test_cue_tokens_are_added_to_the_word_block_only(model) -> None:  # type: ignore[no-untyped-def]
    """Char n-grams see the post as written; the word block gets each cue as one feature."""
    features = model.features
    texts = [normalize("still no refund, worst service")]
    assert features.with_cues(texts)[0].endswith("zzcuewait zzcuebad")
    names = [str(n) for n in features.feature_names()]
    word, char = names[: features.n_word_features], names[features.n_word_features :]
    assert "zzcuewait" in word and not any("zzcue" in n for n in char)
    assert word.index("zzcuewait") in set(features.transform(texts).indices)
