"""The brand configuration: the bundled example is valid, and errors name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from events.brand import load_brand_config, parse_duration
from events.errors import ConfigError
from events.schemas import Label
from events.settings import BUNDLED_BRAND_CONFIG


def test_bundled_example_covers_the_taxonomy() -> None:
    config = load_brand_config(BUNDLED_BRAND_CONFIG)
    routed = {label for rule in config.routing for label in rule.match.labels}
    assert set(Label) <= routed
    assert config.triage_team in config.team_ids
    assert config.label_policy(Label.risky_disclosure).severity == "critical"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "brand.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unknown_team_names_the_line_and_field(tmp_path: Path) -> None:
    path = _broken(tmp_path, "team: security}", "team: securty}")
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    assert f"{path}:{_line_of(path, 'securty')}: routing.4.team: unknown team 'securty'" in str(err.value)


def test_bad_duration_names_the_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "first_response: 4h,", "first_response: four hours,")
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    assert f":{_line_of(path, 'four hours')}: sla_policies.7.first_response" in str(err.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text("brand:\n  name: X\nteams: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"brand.yaml:4: not valid YAML"):
        load_brand_config(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read brand configuration"):
        load_brand_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "minutes", "business"),
    [("30m", 30, False), ("1h", 60, False), ("2d", 2880, False), ("3bd", 4320, True)],
)
def test_parse_duration(text: str, minutes: int, business: bool) -> None:
    span, is_business = parse_duration(text)
    assert span.total_seconds() == minutes * 60 and is_business is business


@pytest.mark.parametrize("text", ["", "1 hour", "h", "-1h", "2w"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_team_and_label_names_in_both_languages(tmp_path: Path) -> None:
    from events.brand import team_display_name

    config = load_brand_config(BUNDLED_BRAND_CONFIG)
    teams = {team.id: team_display_name(team, config.names) for team in config.teams}
    assert (teams["customer_care"].fr, teams["customer_care"].en) == (
        "Service à la clientèle",
        "Customer care",
    )  # from "name: Service à la clientèle / Customer care"
    assert teams["investor_relations"].en == "Investor relations"  # from the names block
    path = _broken(
        tmp_path,
        "    investor_relations: {fr:",
        "    investors: {fr:",
    )
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    assert f"{path}:{_line_of(path, 'investors: {fr')}: names.teams.investors: unknown team" in str(
        err.value
    )
    path = _broken(tmp_path, "  # labels:\n", "  labels:\n    complaint: {fr: Plainte client}\n")
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    assert "names.labels.complaint.en" in str(err.value)


def test_retention_defaults_and_topic_retention_ms(tmp_path) -> None:  # noqa: ANN001
    from datetime import timedelta

    from events.brand import RetentionPolicy
    from events.topics import Topics

    policy = RetentionPolicy()
    assert policy.of("closed_case_posts") == timedelta(days=180)
    assert policy.of("shadow_verdicts") == timedelta(days=30)
    day = 86_400_000
    assert Topics("p").retention_ms(policy.topics) == {
        "p.posts": 7 * day, "p.verdicts": 7 * day, "p.cases": 30 * day,
        "p.posts.dlq": 14 * day, "p.verdicts.dlq": 14 * day, "p.cases.dlq": 14 * day,
        # Replies from cases and their outcomes are kept as long as case events.
        "p.replies": 30 * day, "p.reply_outcomes": 30 * day,
        "p.replies.dlq": 14 * day, "p.reply_outcomes.dlq": 14 * day,
    }


def test_a_retention_shorter_than_a_day_is_refused_with_its_line(tmp_path) -> None:  # noqa: ANN001
    import pytest

    from events.brand import load_brand_config
    from events.errors import ConfigError
    from events.settings import BUNDLED_BRAND_CONFIG

    text = BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8").replace(
        "  shadow_verdicts: 30d", "  shadow_verdicts: 3h"
    )
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  shadow_verdicts: 3h") + 1
    with pytest.raises(ConfigError, match=rf"brand.yaml:{line}: retention.shadow_verdicts: .*whole clock days"):
        load_brand_config(path)


def test_a_merge_window_in_business_days_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "labels: [complaint], window: 24h}", "labels: [complaint], window: 2bd}")
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    assert f"{path}:{_line_of(path, 'window: 2bd')}: case_merge.0.window" in str(err.value)
    assert "clock time" in str(err.value)


def test_merge_rule_names_are_unique(tmp_path: Path) -> None:
    rule = "  - {name: repeated-complaint, labels: [complaint], window: 24h}\n"
    path = _broken(tmp_path, rule, rule + rule.replace("complaint]", "rumour]"))
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    assert "case_merge.1.name: duplicate rule name 'repeated-complaint'" in str(err.value)


def test_a_members_hours_and_channel_and_the_people_email_must_exist(tmp_path: Path) -> None:
    member = "{id: isabelle, name: Isabelle Fortin, email:"
    path = _broken(tmp_path, member, "{id: isabelle, name: Isabelle Fortin, hours: nights, notify: pager, email:")
    path.write_text(path.read_text().replace("people_email: oncall-email", "people_email: comms-slack"))
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    line = _line_of(path, "hours: nights")
    assert f"{path}:{line}: teams.6.members.0.hours: unknown calendar 'nights'" in str(err.value)
    assert f"{path}:{line}: teams.6.members.0.notify: unknown alert channel 'pager'" in str(err.value)
    assert f"{path}:{_line_of(path, 'people_email: comms')}: alerts.people_email: 'comms-slack' is not an e-mail channel" in str(err.value)
