"""The engine: labels with evidence and versions, brand thresholds, and odd input that never crashes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pytest
from helpers import make_post

from classify.detectors.base import Detector, Finding
from classify.engine import Engine
from classify.item import Item
from events.brand import BrandConfig, LabelPolicy
from events.schemas import Label, Severity, Source, Verdict


def test_a_complaint_is_labelled_with_the_models_reasons(engine: Engine) -> None:
    result = engine.classify_one(
        Item(text="Toujours pas reçu mon remboursement, ça fait 3 semaines. Service client nul.")
    )
    verdict = next(v for v in result.labels if v.label is Label.complaint)
    assert result.lang == "fr" and verdict.severity is Severity.normal
    assert verdict.evidence[0].kind == "feature" and verdict.evidence[0].detector == "model"
    assert verdict.evidence[0].version == engine.model_version == "test-1"


def test_a_staff_post_with_a_colleagues_phone_is_a_disclosure_with_its_span(engine: Engine) -> None:
    text = "Le cell de Julien Roy c'est le 514-555-0199 si vous voulez lui parler"
    result = engine.classify_one(Item(text=text, source=Source.staff))
    verdict = next(v for v in result.labels if v.label is Label.risky_disclosure)
    assert verdict.kind == "personal_data" and verdict.severity is Severity.critical
    spans = {(e.detector, text[e.start : e.end]) for e in verdict.evidence if e.kind == "span"}
    assert ("phone", "514-555-0199") in spans
    assert ("roster", "Julien Roy") in spans  # the roster backs the disclosure up


def test_the_same_number_from_a_customer_is_not_a_disclosure(engine: Engine) -> None:
    result = engine.classify_one(
        Item(text="Rappelez-moi au 514-555-0199 svp", source=Source.mention)
    )
    assert Label.risky_disclosure not in result.label_set


def test_missing_disclaimer_reads_the_bio(engine: Engine) -> None:
    with_bio = Item(
        text="Bon lundi ☕", source=Source.staff, bio="Technicien réseau chez Laurentia Mobile"
    )
    disclaimed = Item(
        text="Bon lundi ☕",
        source=Source.staff,
        bio="Technicien réseau chez Laurentia Mobile. Mes opinions n'engagent que moi.",
    )
    first, second = engine.classify([with_bio, disclaimed])
    assert first.label_set == {Label.missing_disclaimer}
    assert first.labels[0].evidence[0].kind == "rule" and "bio" in (
        first.labels[0].evidence[0].detail or ""
    )
    assert second.label_set == set()


def test_brand_thresholds_and_switches_apply(engine: Engine, brand: BrandConfig) -> None:
    text = "Toujours pas reçu mon remboursement, ça fait 3 semaines. Service client nul."
    strict = brand.model_copy(
        update={"labels": {**brand.labels, Label.complaint: LabelPolicy(threshold=1.0)}}
    )
    off = brand.model_copy(
        update={
            "labels": {**brand.labels, Label.complaint: LabelPolicy(enabled=False, threshold=0)}
        }
    )
    for policy in (strict, off):
        other = Engine(brand=policy, detectors=engine.detectors, model=engine.model)
        assert Label.complaint not in other.classify_one(Item(text=text)).label_set
    loose = brand.model_copy(
        update={"labels": {**brand.labels, Label.complaint: LabelPolicy(threshold=0.0)}}
    )
    assert (
        Label.complaint
        in Engine(brand=loose, detectors=engine.detectors, model=engine.model)
        .classify_one(Item(text="Bonne journée à tout le monde!"))
        .label_set
    )


def test_result_becomes_a_valid_verdict(engine: Engine) -> None:
    post = make_post("Reporter at CBC Montreal, seeking comment on the outage. DMs open.")
    verdict = engine.classify_one(Item.from_post(post)).verdict(post, engine)
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again.post == post and again.model_version == "test-1"
    assert set(again.detector_versions) >= {"email", "phone", "payment_card", "disclaimer"}
    assert all(lv.evidence for lv in again.labels)


@pytest.mark.parametrize(
    ("text", "lang", "note"),
    [
        ("", "und", "empty text"),
        ("   \n\t ", "und", "empty text"),
        ("🔥🔥🔥😡", "und", "language undetermined"),
        ("Bonjour, my bill est wrong encore, can you fix it svp?", None, None),
        (
            "Je suis tellement fâchée, this is the worst service and je veux mon argent",
            None,
            "mixed languages",
        ),
        ("a\x00b\u200b\ufeffc", None, None),
    ],
)
def test_odd_text_gets_a_verdict_and_a_note(
    engine: Engine, text: str, lang: str | None, note: str | None
) -> None:
    result = engine.classify_one(Item(text=text))
    if lang:
        assert result.lang == lang
    else:
        assert result.lang in {"fr", "en", "und"}
    if note:
        assert any(n.startswith(note) for n in result.notes), result.notes


def test_huge_text_is_capped_and_says_so(engine: Engine) -> None:
    text = "Service client nul. " * 1000  # 20,000 characters
    result = engine.classify_one(Item(text=text))
    assert result.notes == [
        f"text truncated: classified the first {engine.max_chars} of 20000 characters"
    ]


class _Broken(Detector):
    name = "broken"
    version = "0.1"
    label = Label.copyright

    def _detect(self, item: Item) -> Iterable[Finding]:
        raise RuntimeError("bug in a plug-in")


def test_a_failing_detector_costs_its_evidence_not_the_post(engine: Engine) -> None:
    detectors = [*engine.detectors, _Broken()]
    with_broken = Engine(brand=engine.brand, detectors=detectors, model=engine.model)
    result = with_broken.classify_one(Item(text="carte 4539 1488 0343 6467", source=Source.staff))
    assert "detector broken failed: RuntimeError" in result.notes
    assert Label.risky_disclosure in result.label_set


def test_batches_and_single_posts_agree(engine: Engine) -> None:
    items = [
        Item(text=t) for t in ("Worst support ever, 3 hours on hold", "Merci pour l'aide!", "")
    ]
    batch = engine.classify(items)
    assert [r.scores for r in batch] == [engine.classify_one(i).scores for i in items]


def test_several_disclosure_kinds_name_the_most_harmful(engine: Engine) -> None:
    text = "CONFIDENTIEL : le mot de passe du serveur est Hiver2024!"
    verdict = next(
        v
        for v in engine.classify_one(Item(text=text, source=Source.staff)).labels
        if v.label is Label.risky_disclosure
    )
    assert verdict.kind == "credentials"
    assert {e.detector for e in verdict.evidence} >= {"secrets", "confidentiality"}


def test_a_disclosure_found_by_the_model_alone_still_gets_a_kind(engine: Engine) -> None:
    assert engine.model is not None and engine.model.kinds is not None
    X = engine.model.vectorize(
        ["At the airport with our CEO, flight to Toronto at 6"], [Source.staff]
    )
    assert engine.model.kind(X)[0] in {"confidential", "personal_data", "location", "credentials"}


class _Fussy(Engine):
    """An engine with a bug that only one post triggers."""

    def classify(self, items):  # type: ignore[no-untyped-def]
        if any(item.text == "boom" for item in items):
            raise ValueError("cannot digest this post")
        return super().classify(items)


def test_the_service_dead_letters_only_the_post_that_breaks_the_engine(engine: Engine) -> None:
    from types import SimpleNamespace

    from classify.service import _classify
    from events.kafka_io import Delivery

    fussy = _Fussy(brand=engine.brand, detectors=engine.detectors, model=engine.model)
    batch = [
        Delivery(make_post(text), SimpleNamespace(offset=i))
        for i, text in enumerate(["Worst support ever", "boom", "Merci!"])
    ]
    results, rejected = _classify(fussy, batch)  # type: ignore[arg-type]
    assert [d.event.text for d, _ in results] == ["Worst support ever", "Merci!"]
    assert len(rejected) == 1 and rejected[0].record.offset == 1
    assert rejected[0].reason == "classification failed: ValueError: cannot digest this post"


def test_the_models_operating_point_applies_unless_the_brand_sets_a_threshold(
    engine: Engine, brand: BrandConfig
) -> None:
    assert engine.model is not None
    text = "Toujours pas reçu mon remboursement, ça fait 3 semaines. Service client nul."
    assert Label.complaint in engine.classify_one(Item(text=text)).label_set
    demanding = replace(engine.model, thresholds={"*": {Label.complaint: 1.0}})
    strict = Engine(brand=brand, detectors=engine.detectors, model=demanding)
    assert Label.complaint not in strict.classify_one(Item(text=text)).label_set
    overridden = brand.model_copy(
        update={"labels": {**brand.labels, Label.complaint: LabelPolicy(threshold=0.5)}}
    )
    brand_says = Engine(brand=overridden, detectors=engine.detectors, model=demanding)
    assert Label.complaint in brand_says.classify_one(Item(text=text)).label_set


def test_a_language_uses_its_own_operating_point(engine: Engine, brand: BrandConfig) -> None:
    assert engine.model is not None
    text = "Toujours pas reçu mon remboursement, ça fait 3 semaines. Service client nul."
    english_only = replace(
        engine.model, thresholds={"*": {Label.complaint: 0.5}, "en": {Label.complaint: 1.0}}
    )
    french_only = replace(
        engine.model, thresholds={"*": {Label.complaint: 0.5}, "fr": {Label.complaint: 1.0}}
    )
    for model, fires in ((english_only, True), (french_only, False)):
        other = Engine(brand=brand, detectors=engine.detectors, model=model)
        assert (Label.complaint in other.classify_one(Item(text=text)).label_set) is fires


@pytest.mark.parametrize(
    "text",
    [
        "😭😭😭 @LaurentiaMobile",
        "👍",
        "lol",
        "@LaurentiaAide ?",
        "https://t.co/x ❤️ 12",
        "Laurentia Mobile lol",
    ],
)
def test_a_post_with_nothing_to_read_gets_no_model_label(
    engine: Engine, brand: BrandConfig, text: str
) -> None:
    anything = brand.model_copy(
        update={"labels": {label: LabelPolicy(threshold=0.0) for label in Label}}
    )
    loose = Engine(brand=anything, detectors=engine.detectors, model=engine.model)
    result = loose.classify_one(Item(text=text))
    assert result.label_set == set()
    assert any("no model label" in note for note in result.notes)


def test_a_detector_still_fires_on_a_post_too_short_for_the_model(engine: Engine) -> None:
    result = engine.classify_one(Item(text="julien.roy@exemple.com", source=Source.staff))
    assert Label.risky_disclosure in result.label_set
    assert all(e.detector != "model" for v in result.labels for e in v.evidence)
