"""Routing tables: concerns, owning teams, triage for unlabeled posts, assignment inside a team."""

from __future__ import annotations

from typing import Any

import pytest

from events.brand import BrandConfig, RoutingRule
from events.errors import ConfigError
from workflow.routing import Candidate, choose_assignee, concerns, plan_tasks, triage_reason
from workflow.seed import check_routing_references


@pytest.mark.parametrize(
    ("labels", "teams", "copies"),
    [
        ((("complaint", "normal"),), ["customer_care"], [()]),
        ((("press_inquiry", "high"),), ["pr"], [("comms",)]),
        ((("risky_disclosure", "critical"),), ["legal"], [("security",)]),
        ((("investor_sensitive", "critical"),), ["investor_relations"], [("legal",)]),
        ((("security_threat", "critical"),), ["security"], [()]),
        ((("harassment", "high"),), ["hr"], [("security",)]),
        ((("missing_disclaimer", "low"),), ["hr"], [()]),
        # A customer's own card number in public: customer care hides it and answers in private.
        ((("personal_data_exposed", "high"),), ["customer_care"], [()]),
        # A complaint that spreads a rumour: one task for the comms lead, one for customer care.
        ((("complaint", "normal"), ("rumour", "high")), ["comms", "customer_care"], [(), ()]),
        # Two labels owned by the same team share one task.
        ((("copyright", "normal"), ("risky_disclosure", "critical")), ["legal"], [("security",)]),
    ],
)
def test_labels_route_to_their_owning_teams(
    make_verdict: Any, brand: BrandConfig, labels: tuple, teams: list, copies: list
) -> None:
    plans = plan_tasks(make_verdict("texte", labels), brand)
    assert [p.team for p in plans] == teams
    assert [p.copy_to for p in plans] == copies
    assert all(p.rules for p in plans)


def test_known_journalists_go_to_the_spokespersons_whatever_the_label(
    make_verdict: Any, brand: BrandConfig
) -> None:
    verdict = make_verdict(
        "Votre service est lent",
        (("complaint", "normal"),),
        author={"id": "j1", "handle": "journaliste_lp"},
    )
    (plan,) = plan_tasks(verdict, brand)
    assert (plan.team, plan.rules) == ("pr", ("known-journalists",))


def test_the_most_urgent_concern_comes_first(make_verdict: Any, brand: BrandConfig) -> None:
    verdict = make_verdict("x", (("complaint", "normal"), ("security_threat", "critical")))
    assert [c for c, _ in concerns(verdict, brand)] == ["security_threat", "complaint"]
    assert plan_tasks(verdict, brand)[0].severity.value == "critical"


@pytest.mark.parametrize(
    ("text", "fields", "needs_person"),
    [
        ("@LaurentiaMobile pourquoi mon forfait a changé?", {}, True),
        ("@LaurentiaMobile how do I port my number", {}, True),
        ("Est-ce que quelqu'un sait si ça marche ?", {"reply_to_id": "123"}, True),
        ("@LaurentiaMobile merci, super service", {}, False),
        ("Quelle belle journée au parc?", {}, False),  # a question, but not to the brand
        ("Bonne nouvelle", {"author": {"id": "m", "handle": "mairedemontreal"}}, True),  # VIP list
        ("@LaurentiaMobile pourquoi?", {"source": "staff", "staff_member_id": "s-001"}, False),
    ],
)
def test_unlabeled_posts_needing_a_person_go_to_triage(
    make_verdict: Any, brand: BrandConfig, text: str, fields: dict, needs_person: bool
) -> None:
    verdict = make_verdict(text, **fields)
    assert (triage_reason(verdict, brand) is not None) is needs_person
    plans = plan_tasks(verdict, brand)
    assert bool(plans) is needs_person
    if needs_person and "author" not in fields:
        assert plans[0].team == "triage" and plans[0].labels == ("triage",)


def test_a_journalist_unlabeled_question_reaches_the_spokespersons(
    make_verdict: Any, brand: BrandConfig
) -> None:
    verdict = make_verdict("Question rapide", author={"id": "r", "handle": "reporter_cbcmtl"})
    (plan,) = plan_tasks(verdict, brand)
    assert plan.team == "pr"


def test_disabled_labels_are_ignored(make_verdict: Any, brand: BrandConfig) -> None:
    labels = dict(brand.labels)
    labels["copyright"] = labels["copyright"].model_copy(update={"enabled": False})
    config = brand.model_copy(update={"labels": labels})
    assert plan_tasks(make_verdict("x", (("copyright", "normal"),)), config) == []


def test_rules_match_on_source_language_platform_and_staff_team(
    make_verdict: Any, brand: BrandConfig
) -> None:
    rules = [
        RoutingRule(
            name="staff-of-security",
            priority=1,
            team="security",
            match={"authors": ["@team:security"], "labels": ["risky_disclosure"]},
        ),
        RoutingRule(
            name="english-complaints-on-bluesky",
            priority=2,
            team="comms",
            match={
                "labels": ["complaint"],
                "lang": ["en"],
                "platform": ["bluesky"],
                "source": ["mention"],
            },
        ),
        *brand.routing,
    ]
    config = brand.model_copy(update={"routing": rules})
    staff = make_verdict(
        "badge", (("risky_disclosure", "critical"),), source="staff", staff_member_id="s-004"
    )
    assert plan_tasks(staff, config)[0].rules == ("staff-of-security",)
    other_staff = make_verdict(
        "badge", (("risky_disclosure", "critical"),), source="staff", staff_member_id="s-001"
    )
    assert plan_tasks(other_staff, config)[0].team == "legal"
    bluesky = make_verdict("bad", (("complaint", "normal"),), lang="en", platform="bluesky")
    assert plan_tasks(bluesky, config)[0].team == "comms"
    french = make_verdict("mauvais", (("complaint", "normal"),), lang="fr", platform="bluesky")
    assert plan_tasks(french, config)[0].team == "customer_care"


def test_unmatched_labels_fall_to_triage(make_verdict: Any, brand: BrandConfig) -> None:
    config = brand.model_copy(update={"routing": []})
    (plan,) = plan_tasks(make_verdict("x", (("rumour", "high"),)), config)
    assert plan.team == "triage" and plan.rules == ("no rule matched: triage",)


def test_unknown_team_in_an_author_matcher_is_a_config_error(brand: BrandConfig) -> None:
    bad = RoutingRule(name="r", team="pr", match={"authors": ["@team:nope"]})
    with pytest.raises(ConfigError, match="unknown team"):
        check_routing_references(brand.model_copy(update={"routing": [bad]}))


def people(*specs: tuple[str, tuple[str, ...], int, int, bool]) -> list[Candidate]:
    return [Candidate(i, langs, cap, load, avail) for i, langs, cap, load, avail in specs]


@pytest.mark.parametrize(
    ("strategy", "lang", "last", "expected"),
    [
        ("round_robin", None, None, "a"),
        ("round_robin", None, "a", "b"),
        ("round_robin", None, "b", "d"),  # c is away
        ("round_robin", None, "d", "a"),  # wraps around
        ("round_robin", "en", "a", "d"),  # b speaks French only
        ("least_loaded", None, None, "d"),
        ("least_loaded", "fr", None, "b"),
        ("round_robin", "de", "a", "b"),  # nobody speaks German: anyone available
    ],
)
def test_choose_assignee(strategy: str, lang: str | None, last: str | None, expected: str) -> None:
    team = people(
        ("a", ("fr", "en"), 5, 4, True),
        ("b", ("fr",), 5, 2, True),
        ("c", ("en",), 5, 0, False),
        ("d", ("en",), 5, 1, True),
        ("e", ("en",), 3, 3, True),
    )
    assert choose_assignee(team, lang=lang, strategy=strategy, last=last) == expected


def test_nobody_available_or_all_full() -> None:
    assert (
        choose_assignee(
            people(("a", ("fr",), 2, 2, True), ("b", ("fr",), 2, 0, False)),
            lang="fr",
            strategy="least_loaded",
        )
        is None
    )
    assert (
        choose_assignee(
            people(("a", ("fr",), 2, 0, True)), lang=None, strategy="round_robin", exclude="a"
        )
        is None
    )
