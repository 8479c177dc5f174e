"""A private person named as such in a staff post; colleagues, brands and team names are not."""

from __future__ import annotations

import pytest

from classify.detectors import DetectorContext
from classify.detectors.person_name import PersonNameDetector
from classify.item import Item
from events.schemas import Label, Source

CONTEXT = DetectorContext(
    brand_terms=("Laurentia Mobile",), roster=("Julien Roy", "Émilie Bouchard")
)


def _names(text: str, source: Source = Source.staff) -> list[str]:
    detector = PersonNameDetector(context=CONTEXT)
    return [f.text for f in detector.detect(Item(text=text, source=source))]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Le client Marc Tremblay a encore appelé pour sa facture 🙄", ["Marc Tremblay"]),
        ("Fun call today with our customer John Smith about his roaming bill", ["John Smith"]),
        ("Mme Gagnon est passée en boutique ce matin, toute une histoire", ["Gagnon"]),
        ("Mr. Lee just left the store yelling, unreal", ["Lee"]),
        ("a customer named Priya Natarajan wrote in again", ["Priya Natarajan"]),
        ("la cliente: Jeanne D'Arcy-Lemieux, encore elle", ["Jeanne D'Arcy-Lemieux"]),
    ],
)
def test_a_person_named_by_their_role_or_title_is_found(text: str, names: list[str]) -> None:
    assert _names(text) == names
    [finding] = PersonNameDetector(context=CONTEXT).detect(Item(text=text, source=Source.staff))
    assert finding.label is Label.risky_disclosure and finding.kind == "personal_data"
    assert text[finding.start : finding.end] == names[0]


@pytest.mark.parametrize(
    "text",
    [
        "Our Customer Service team is open until 9 tonight!",
        "Merci à Julien Roy pour son aide aujourd'hui",  # a colleague: the roster's business
        "Proud of our customer Julien Roy",  # a roster name, even after a role word
        "Nos clients Laurentia Mobile ont droit à 10 % de rabais",
        "Great chat with Marc Tremblay at the conference",  # no role, no title: could be anyone
        "I'M Home for the holidays",
        "the customer experience matters",
    ],
)
def test_look_alikes_are_not_people(text: str) -> None:
    assert _names(text) == []


def test_a_mention_naming_someone_is_not_watched() -> None:
    assert _names("le client Marc Tremblay", Source.mention) == []
