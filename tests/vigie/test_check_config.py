"""`vigie check-config` warnings: a valid file that sets up something that cannot work is named,
file and line, without failing (errors still fail)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from events.settings import BUNDLED_BRAND_CONFIG
from vigie.cli import app

runner = CliRunner()
EXAMPLE = BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8")


def _check(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> tuple[int, str, Path]:
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check-config", str(path)], env=env)
    return result.exit_code, result.output, path


def _line(path: Path, fragment: str) -> int:
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if fragment in text)


def test_the_example_has_no_warning() -> None:
    result = runner.invoke(app, ["check-config", str(BUNDLED_BRAND_CONFIG)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert "10 staff accounts, 8 teams, 11 routing rules, 11 SLA policies" in result.output


def test_a_review_label_owned_by_a_team_of_one(tmp_path: Path) -> None:
    text = EXAMPLE.replace(
        "      - {id: mathieu, name: Mathieu Pelletier", "      # - {id: mathieu, name: Mathieu Pelletier"
    )
    code, output, path = _check(tmp_path, text)
    assert code == 0
    legal = next(i for i, t in enumerate(yaml.safe_load(text)["teams"]) if t["id"] == "legal")
    members = _line(path, "- {id: sophie, name: Sophie Lavoie") - 1
    assert (f"warning: {path}:{members}: teams.{legal}.members: team 'legal' owns risky_disclosure, "
            "whose cases close only when a second person approves, but has 1 member") in output
    assert "1 warning" in output and "investor_relations" not in output
    # The review labels are the workflow's: without any, one reviewer is enough.
    code, output, _ = _check(tmp_path, text, env={"VIGIE_REVIEW_LABELS": "investor_sensitive"})
    assert code == 0 and "warning" not in output


def test_a_label_no_rule_routes(tmp_path: Path) -> None:
    rule = "  - {name: copyright-to-legal, priority: 40, match: {labels: [copyright]}, team: legal}\n"
    assert rule in EXAMPLE
    code, output, path = _check(tmp_path, EXAMPLE.replace(rule, ""))
    assert code == 0
    assert (f"{path}:{_line(path, 'routing:')}: routing: no rule routes copyright: such posts all go "
            "to the triage team 'triage'") in output
    # A label switched off needs no rule.
    disabled = EXAMPLE.replace(rule, "").replace("copyright: {severity: normal}",
                                                 "copyright: {severity: normal, enabled: false}")
    assert "warning" not in _check(tmp_path, disabled)[1]


def test_a_calendar_nobody_works_and_one_nothing_uses(tmp_path: Path) -> None:
    text = EXAMPLE.replace("calendars:\n", "calendars:\n  closed: {timezone: America/Toronto}\n"
                           "  spare: {always_open: true}\n", 1)
    text = text.replace("    name: Ressources humaines / HR\n    calendar: business",
                        "    name: Ressources humaines / HR\n    calendar: closed")
    code, output, path = _check(tmp_path, text)
    assert code == 0
    hr = _line(path, "calendar: closed")
    assert (f"{path}:{hr}: teams.6.calendar: calendar 'closed' has no working hours: team 'hr' is "
            "never at work") in output
    assert (f"{path}:{_line(path, 'spare:')}: calendars.spare: calendar 'spare' is used by no team "
            "or SLA policy") in output
    assert "3 warnings" not in output and "2 warnings" in output


def test_errors_still_fail(tmp_path: Path) -> None:
    code, output, path = _check(tmp_path, EXAMPLE.replace("triage_team: triage", "triage_team: nobody"))
    assert code == 2 and f"{path}:{_line(path, 'triage_team: nobody')}: triage_team" in output


def test_bad_review_labels_are_named(tmp_path: Path) -> None:
    code, output, _ = _check(tmp_path, EXAMPLE, env={"VIGIE_REVIEW_LABELS": "leaks"})
    assert code == 2 and "VIGIE_REVIEW_LABELS: unknown labels leaks" in output
