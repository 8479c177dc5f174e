"""Personal data never leaves in alert text; ordinary words and numbers stay readable."""

from __future__ import annotations

import pytest

from workflow.alerts.masking import excerpt, mask_personal_data


@pytest.mark.parametrize(
    ("text", "hidden", "token"),
    [
        (
            "voici le courriel du client: j.gagnon@exemple.qc.ca",
            "j.gagnon@exemple.qc.ca",
            "[courriel/email]",
        ),
        (
            "write to Anna.Smith+vip@mail.example.com now",
            "Anna.Smith+vip@mail.example.com",
            "[courriel/email]",
        ),
        ("appelez-la au 514-555-0199 ce soir", "514-555-0199", "[téléphone/phone]"),
        ("call (438) 555 0142 asap", "555 0142", "[téléphone/phone]"),
        ("bureau de Paris +33 1 42 68 53 00", "42 68 53 00", "[téléphone/phone]"),
        ("sa carte 4539 1488 0343 6467 exp 09/27", "4539 1488 0343 6467", "[carte/card]"),
        ("card 5555-5555-5555-4444 leaked", "5555-5555-5555-4444", "[carte/card]"),
        ("son NAS est 046 454 286", "046 454 286", "[NAS/SIN]"),
        ("the VPN box is 10.20.30.40 lol", "10.20.30.40", "[IP]"),
        ("compte 00123456789 au dossier", "00123456789", "[numéro/number]"),
    ],
)
def test_personal_data_is_masked(text: str, hidden: str, token: str) -> None:
    masked = mask_personal_data(text)
    assert hidden not in masked
    assert token in masked


@pytest.mark.parametrize(
    "text",
    [
        "Q3 numbers look great, up 15% since 2023",
        "ticket #4521 toujours ouvert après 3 jours",
        "le forfait à 45,99 $ par mois",
        "version 2.4.1 de l'appli plante",
        "@LaurentiaAide pourquoi ma facture a doublé?",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_an_invalid_card_number_is_still_not_shown() -> None:
    # Fails Luhn, so it is not called a card, but a long number is masked anyway.
    masked = mask_personal_data("4539 1488 0343 6468")
    assert "4539" not in masked


def test_excerpt_is_masked_flat_and_short() -> None:
    quote = excerpt("Ligne 1\n\nécrivez à paul@exemple.ca " + "bla " * 100, limit=60)
    assert "\n" not in quote and "paul@" not in quote
    assert len(quote) <= 60 and quote.endswith("…")


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Le wifi du bureau: mot de passe Laurentia2026!", "Laurentia2026!"),
        ("VPN pass is Hx7#kq9 for tonight", "Hx7#kq9"),
        ("code de porte 4512 au 3e", "4512"),
        ("mdp = «Soleil_ete»", "Soleil_ete"),
        ("le token ghp_abcdefghijklmnopqrstuvwxyz0123456789 traîne", "ghp_abcdefghij"),
        ("postgres://app:S3cret!@db.example/x", "S3cret!"),
        ("AKIAABCDEFGHIJKLMNOP est la clé", "AKIAABCDEFGHIJKLMNOP"),
    ],
)
def test_secrets_are_masked_and_what_names_them_stays(text: str, hidden: str) -> None:
    masked = mask_personal_data(text)
    assert hidden not in masked and "[secret]" in masked


def test_talking_about_a_password_is_not_a_secret() -> None:
    for text in ("j'ai oublié mon mot de passe encore", "reset your password please"):
        assert mask_personal_data(text) == text
