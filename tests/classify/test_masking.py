"""Personal data found in a post: the right label for its source, and masked in the verdict."""

from __future__ import annotations

import pytest
from helpers import make_post

from classify.detectors.base import Finding
from classify.engine import Engine
from classify.item import Item
from classify.masking import MASK, mask, mask_span
from events.schemas import Label, Source

CARD = "4111 1111 1111 1111"


@pytest.mark.parametrize(
    ("span", "kind", "masked"),
    [
        (CARD, "personal_data", "•••• •••• •••• 1111"),
        ("•••• •••• •••• 1111", "personal_data", "•••• •••• •••• 1111"),  # redacted at ingest
        ("(514) 555-0199", "personal_data", "(•••) •••-0199"),
        ("046 454 286", "personal_data", "••• ••• •••"),  # a SIN: too short to keep digits
        ("julien.roy@example.com", "personal_data", "••••••.•••@example.com"),
        ("FR76 3000 6000 0112 3456 7890 189", "personal_data", "•••• •••• •••• •••• •••• •••0 189"),
        ("code de porte c'est 4512#", "credentials", "code de porte c'est ••••#"),
        ("sk_live_51Habc", "credentials", "••_••••_••••••"),
        ("1234 rue Sherbrooke Est", "personal_data", "•••• ••• •••••••••• •••"),
    ],
)
def test_a_span_is_masked_in_place_keeping_what_tells_it_apart(
    span: str, kind: str, masked: str
) -> None:
    assert mask_span(span, kind) == masked and len(mask_span(span, kind)) == len(span)


def test_only_personal_data_and_credentials_are_masked() -> None:
    text = "Je suis à Laval jusqu'à 17h, ma carte 4111 1111 1111 1111"
    place = Finding("location", "1", Label.risky_disclosure, "location", 0.7, "Laval", 10, 15)
    card = Finding("payment_card", "1", Label.risky_disclosure, "personal_data", 0.9, CARD, 38, 57)
    masked, found = mask(text, [place, card])
    assert masked.startswith("Je suis à Laval") and masked.endswith("•••• 1111")
    assert [f.text for f in found] == ["Laval", "•••• •••• •••• 1111"]


def test_a_customers_own_card_is_exposed_data_and_a_staff_leak_is_a_disclosure(
    engine: Engine,
) -> None:
    text = f"@LaurentiaAide ma carte c'est {CARD}, remboursez-moi svp"
    mention = engine.classify_one(Item(text=text, source=Source.mention))
    staff = engine.classify_one(Item(text=f"voici la carte du client {CARD}", source=Source.staff))
    exposed = next(v for v in mention.labels if v.label is Label.personal_data_exposed)
    assert Label.risky_disclosure not in mention.label_set
    assert exposed.severity == "high" and exposed.kind == "personal_data"
    disclosure = next(v for v in staff.labels if v.label is Label.risky_disclosure)
    assert disclosure.severity == "critical"
    assert Label.personal_data_exposed not in staff.label_set


def test_the_verdict_carries_the_post_masked_with_evidence_offsets_intact(engine: Engine) -> None:
    text = f"Le cell de Julien Roy c'est le 514-555-0199, sa carte {CARD}"
    post = make_post(text, source=Source.staff, staff_member_id="s-1")
    verdict = engine.classify_one(Item.from_post(post)).verdict(post, engine)
    assert "514-555-0199" not in verdict.post.text and CARD not in verdict.post.text
    assert len(verdict.post.text) == len(text) and verdict.post.text.count(MASK) > 10
    spans = [
        e
        for lv in verdict.labels
        for e in lv.evidence
        if e.kind == "span" and e.detector in {"phone", "payment_card"}
    ]
    assert {e.detector for e in spans} == {"phone", "payment_card"}
    for e in spans:
        assert e.start is not None and e.end is not None
        assert verdict.post.text[e.start : e.end] == e.text  # the page highlights the masked span
        assert e.text.endswith(("0199", "1111"))


def test_no_evidence_quotes_the_digits_of_a_masked_card(engine: Engine) -> None:
    """A weak "phone number" inside a card number is not masked itself, yet must not quote the
    card's digits: every span quotes the masked text."""
    card = "4539 1488 0343 6467"
    text = f"Ma carte {card} a été débitée deux fois"
    post = make_post(text)
    verdict = engine.classify_one(Item.from_post(post)).verdict(post, engine)
    quoted = [e.text or "" for lv in verdict.labels for e in lv.evidence]
    assert any(e.endswith("6467") for e in quoted)
    assert not any("0343" in e or "1488" in e for e in quoted), quoted
    assert "1488" not in verdict.post.text and "0343" not in verdict.post.text
