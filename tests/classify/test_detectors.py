"""Every detector against a table of posts that must fire and look-alikes that must not."""

from __future__ import annotations

import pytest

from classify.detectors import REGISTRY, Detector, DetectorContext, DetectorsConfig, build_detectors
from classify.item import Item
from events.errors import ConfigError
from events.schemas import Label, Source

CONTEXT = DetectorContext(
    brand_terms=("Laurentia Mobile", "LaurentiaMobile", "LaurentiaAide"),
    brand_accounts=("laurentiamobile", "laurentiaaide"),
    roster=("Julien Roy", "Émilie Bouchard"),
)

# (detector, text, expected matched text or None for "must not fire")
TABLE = [
    ("email", "Voici le courriel du client fâché : m.gagnon77@exemple.ca", "m.gagnon77@exemple.ca"),
    (
        "email",
        "her address is jo.smith+work@mailbox.example.com lol",
        "jo.smith+work@mailbox.example.com",
    ),
    ("email", "Écrivez à aide@laurentia.ca pour un remboursement", None),
    ("email", "ping me @jsmith on the team channel", None),
    ("phone", "Le cell de Julien c'est le 514-555-0199, appelez-le", "514-555-0199"),
    ("phone", "her number is (438) 555-0142 if anyone wants to yell at her", "(438) 555-0142"),
    ("phone", "Appelez notre ligne sans frais au 1-800-555-0199", None),
    ("phone", "Commande #5145550199 toujours pas reçue", None),
    ("phone", "Appelez le 911 si vous voyez un fil tombé", None),
    ("phone", "Order of 3 phones for $1,299.99 on 2024-05-12", None),
    ("payment_card", "carte du client : 4539 1488 0343 6467 exp 09/27", "4539 1488 0343 6467"),
    ("payment_card", "card 5555-5555-5555-4444 declined again", "5555-5555-5555-4444"),
    ("payment_card", "Order #LRM-2024-88123 shipped!", None),
    ("payment_card", "tracking 4539 1488 0343 6468 (one digit off, no Luhn)", None),
    ("payment_card", "invoice 1234567890123456", None),
    ("payment_card", "carte du client : •••• •••• •••• 6467 exp 09/27", "•••• •••• •••• 6467"),
    (
        "iban",
        "virement sur FR14 2004 1010 0505 0001 3M02 606 svp",
        "FR14 2004 1010 0505 0001 3M02 606",
    ),
    ("iban", "send it to GB82 WEST 1234 5698 7654 32 thanks", "GB82 WEST 1234 5698 7654 32"),
    ("iban", "FR14 2004 1010 0505 0001 3M02 607 (bad checksum)", None),
    ("iban", "Flight AC870 gate B22 boarding now", None),
    ("canada_sin", "Son NAS : 130 692 544, il l'a laissé sur le comptoir", "130 692 544"),
    ("canada_sin", "SIN 130692544 on the form", "130692544"),
    ("canada_sin", "ticket 130692544 is closed", None),
    ("canada_sin", "NAS 130 692 545 (bad check digit)", None),
    ("france_nir", "Numéro de sécu du stagiaire : 2 95 10 99 126 111 93", "2 95 10 99 126 111 93"),
    ("france_nir", "295109912611193 sur la photo", "295109912611193"),
    ("france_nir", "2 95 10 99 126 111 94 (mauvaise clé)", None),
    (
        "postal_address",
        "Elle habite au 1234 rue Saint-Denis, H2X 3K8",
        "1234 rue Saint-Denis, H2X 3K8",
    ),
    (
        "postal_address",
        "the customer lives at 450 Sherbrooke Street West",
        "450 Sherbrooke Street West",
    ),
    ("postal_address", "12 avenue des Champs, 75008 Paris", "12 avenue des Champs, 75008 Paris"),
    ("postal_address", "Je suis au 3e étage, 4 rue de problèmes 😂", None),
    ("us_ssn", "My SSN is 523-71-4408, why does the bot need it", "523-71-4408"),
    ("us_ssn", "social security number 455 19 2038 on the form", "455 19 2038"),
    ("us_ssn", "SSN 666-12-3456 (no such area)", None),
    ("us_ssn", "Order 523 71 4408 shipped", None),
    ("ip_address", "login attempts from 203.0.113.45, not me", "203.0.113.45"),
    ("ip_address", "server 2001:db8:85a3::8a2e:370:7334 is down", "2001:db8:85a3::8a2e:370:7334"),
    ("ip_address", "Firmware v2.3.1.4 bricked my router", None),
    ("ip_address", "App version 10.0.0.1 is out", None),
    ("ip_address", "Meeting at 10:30:45 sharp", None),
    ("postal_address", "We sold 450 phones this week in 12 stores", None),
    ("secrets", "mot de passe: Laurentia2024! pour le wifi invité", "mot de passe: Laurentia2024!"),
    ("secrets", "prod key AKIAIOSFODNN7EXAMPLE in the screenshot", "AKIAIOSFODNN7EXAMPLE"),
    (
        "secrets",
        "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 oops",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ),
    ("secrets", "code de la porte arrière: 4512#", "code de la porte arrière: 4512"),
    ("secrets", "-----BEGIN RSA PRIVATE KEY----- lol", "-----BEGIN RSA PRIVATE KEY-----"),
    ("secrets", "I forgot my password again, reset link please", None),
    ("secrets", "your app says my password is wrong, reset it 4 times", None),
    ("secrets", "My password manager saved my life today, use one", None),
    ("secrets", "Changez votre mot de passe tous les 90 jours", None),
    ("location", "Je suis au Château Frontenac avec le PDG", "Je suis au Château"),
    (
        "location",
        "At YUL, our CEO is flying to Toronto tonight for the big meeting",
        "CEO is flying to",
    ),
    ("location", "Notre PDG atterrit à Paris demain matin", "PDG atterrit à"),
    ("location", "📍 Centre de données, Laval", "📍 C"),
    ("location", "Our new store opens in Laval on Friday", None),
    ("location", "I'm so happy with my new phone", None),
    ("location", "I'm in finance, trust me on this one", None),
    ("location", "Nous sommes au courant d'une interruption de service", None),
    ("location", "Je suis en train de réviser le rapport", None),
    ("location", "I'm at the airport with the whole exec team", "I'm at the airport"),
    ("confidentiality", "Voici le deck — CONFIDENTIEL, interne seulement", "CONFIDENTIEL"),
    ("confidentiality", "internal only: Q4 roadmap attached", "internal only"),
    ("confidentiality", "Sous embargo jusqu'à jeudi : le nouveau forfait", "Sous embargo"),
    ("confidentiality", "Vos données restent confidentielles chez nous", None),
    ("confidentiality", "Perte ce trimestre, pas encore public", None),
    ("confidentiality", "Our privacy policy explains how data stays confidential", None),
    (
        "copyright",
        "Belle photo trouvée sur Google Images pour notre infolettre",
        "photo trouvée sur Google",
    ),
    ("copyright", "Found this pic on Google, perfect for our post!", "Found this pic on Google"),
    ("copyright", "not my photo, no idea who took it #repost", "not my photo"),
    ("copyright", "Photo : @jane_doe, utilisée avec permission", None),
    ("copyright", "📷 @marc.aerial (licensed) — the new tower at sunset", None),
    ("copyright", "Google Pixel or iPhone, which one?", None),
    ("copyright", "Trouvé sur internet, je sais pas qui l'a prise", "Trouvé sur internet"),
    ("copyright", "C'est toi qui m'as raccroché au nez? Je t'ai trouvée sur Facebook", None),
]


def _detector(name: str) -> Detector:
    return REGISTRY[name](context=CONTEXT, sources=frozenset(Source))


@pytest.mark.parametrize(
    ("name", "text", "expected"), TABLE, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(TABLE)]
)
def test_detector_table(name: str, text: str, expected: str | None) -> None:
    found = _detector(name).detect(Item(text=text, source=Source.staff))
    if expected is None:  # nothing that fires (a low-scored finding is evidence, not a hit)
        assert [f for f in found if f.score >= 0.5] == [], f"{name} fired on {text!r}: {found}"
        return
    spans = [text[f.start : f.end].strip(" ,") for f in found if f.start is not None]
    assert expected in spans, f"{name} on {text!r} found {spans}"
    hit = found[spans.index(expected)]
    assert (hit.detector, hit.version) == (name, REGISTRY[name].version)
    if name != "secrets":  # secrets are masked in the evidence text; offsets point at the original
        assert hit.text == expected


def test_secrets_are_masked_in_evidence() -> None:
    detector = _detector("secrets")
    text = "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 oops"
    shown = detector.detect(Item(text=text, source=Source.staff))[0].text
    assert "0123456789" not in shown and shown.startswith("ghp_")
    shown = detector.detect(Item(text="mot de passe: Laurentia2024!", source=Source.staff))[0].text
    assert shown == "mot de passe: La…"


DISCLAIMER_TABLE = [
    ("Network engineer @LaurentiaMobile. Montréal. Dog dad 🐶", True),
    ("Conseillère chez Laurentia Mobile, Québec", True),
    ("Captain, Pelican Air A220 fleet. Dad.", True),
    ("Comptable senior | Crédit Provençal | Aix-en-Provence", True),
    ("Ledgerly · Accountant · QuickBooks survivor", True),
    ("Customer care @ Laurentia Mobile · Views mine, not my employer's", False),
    ("Laurentia Mobile · Les opinions exprimées n'engagent que moi", False),
    ("Laurentia Mobile retail, Laval. RTs ≠ endorsements, thoughts my own.", False),
    ("Official account of Laurentia Mobile", False),
    ("Retraité d'Hydro-Vallée après 32 ans", False),
    ("Former Laurentia employee, now freelance photographer", False),
    ("Nurse | mom | Montréal", False),
    ("Maman, coureuse, amatrice de café. Sherbrooke.", False),
    ("", False),
]


@pytest.mark.parametrize(("bio", "fires"), DISCLAIMER_TABLE)
def test_disclaimer_table(bio: str, fires: bool) -> None:
    detector = _detector("disclaimer")
    found = detector.detect(Item(text="Bon lundi ☕", source=Source.staff, bio=bio))
    assert bool(found) is fires, (bio, found)
    if fires:
        assert found[0].label is Label.missing_disclaimer and found[0].where == "bio"


def test_disclaimer_reads_staff_posts_only_by_default() -> None:
    detector = REGISTRY["disclaimer"](context=CONTEXT)
    bio = "Network engineer @LaurentiaMobile"
    assert detector.detect(Item(text="hi", source=Source.mention, bio=bio)) == []
    assert detector.detect(Item(text="hi", source=Source.staff, bio=bio))


def test_disclaimer_skips_the_brands_own_accounts() -> None:
    detector = _detector("disclaimer")
    item = Item(
        text="Panne réglée",
        source=Source.staff,
        bio="Soutien Laurentia Mobile",
        author="LaurentiaAide",
    )
    assert detector.detect(item) == []


def test_geotag_on_a_staff_post_is_a_location_disclosure() -> None:
    found = _detector("location").detect(
        Item(text="Belle journée", source=Source.staff, place="Centre de données Laval")
    )
    assert [(f.kind, f.where, f.text) for f in found] == [
        ("location", "place", "Centre de données Laval")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Julien Roy is useless, fire him", ["Julien Roy"]),
        ("emilie bouchard m'a raccroché au nez", ["emilie bouchard"]),
        ("Julien Royer was great", []),
    ],
)
def test_roster_names_are_supporting_evidence(text: str, expected: list[str]) -> None:
    found = _detector("roster").detect(Item(text=text, source=Source.mention))
    assert [f.text for f in found] == expected
    assert all(f.score == 0.0 for f in found)


PERSONAL_DATA = (
    "email",
    "phone",
    "payment_card",
    "iban",
    "canada_sin",
    "france_nir",
    "us_ssn",
    "ip_address",
    "postal_address",
)


def test_personal_data_detectors_watch_staff_posts_and_mentions() -> None:
    detectors = {d.name: d for d in build_detectors(DetectorsConfig.load(), CONTEXT)}
    for name in PERSONAL_DATA:
        assert detectors[name].sources == frozenset({Source.staff, Source.mention}), name
        assert detectors[name].kind == "personal_data"
    text = "Rappelez-moi au 514-555-0199"
    for source in (Source.mention, Source.staff):
        assert detectors["phone"].detect(Item(text=text, source=source))
    assert detectors["location"].sources == frozenset({Source.staff})


def test_config_turns_detectors_off_and_rejects_unknown_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "detectors.yaml"
    path.write_text("detectors:\n  email: {enabled: false}\n  phone: {score: 0.4}\n")
    detectors = {d.name: d for d in build_detectors(DetectorsConfig.load(path), CONTEXT)}
    assert "email" not in detectors and detectors["phone"].score == 0.4
    path.write_text("detectors:\n  telepathy: {}\n")
    with pytest.raises(ConfigError, match="unknown detector.*telepathy"):
        DetectorsConfig.load(path)
    path.write_text("detectors:\n  phone: {score: 2}\n")
    with pytest.raises(ConfigError, match="detectors.phone.score"):
        DetectorsConfig.load(path)


def test_every_registered_detector_has_a_name_a_version_and_a_table_row() -> None:
    tested = {name for name, _, _ in TABLE} | {"disclaimer", "roster", "person_name"}
    assert set(REGISTRY) == tested
    for name, cls in REGISTRY.items():
        assert cls.name == name and cls.version
