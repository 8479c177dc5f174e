"""Reply templates in the brand configuration: both languages, known placeholders only, errors
naming the line, and a warning when a filled template would not fit in an X reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from events.brand import brand_config_warnings, load_brand_config
from events.errors import ConfigError
from events.settings import BUNDLED_BRAND_CONFIG

FIRST = "{author}, pour votre sécurité, retirez ce message"


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "brand.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_bundled_templates_follow_the_policy_in_both_languages() -> None:
    templates = load_brand_config(BUNDLED_BRAND_CONFIG).replies.templates
    values = {
        "author": "@annie_renaud_eo",
        "case_id": "42",
        "agent_first_name": "Marc-André",
        "brand": "Laurentia Mobile",
    }
    [press] = templates["press_inquiry"]
    assert "porte-parole" in press.render("fr", values) and "rappelle" in press.render("fr", values)
    assert "spokesperson will call you back" in press.render("en", values)
    assert all(
        t.render(lang, values).count("@annie_renaud_eo") == 1
        for ts in templates.values()
        for t in ts
        for lang in ("fr", "en")
    )
    assert any("laurentia.example/aide" in t.fr for t in templates["complaint"])  # a pointer


def test_an_unknown_placeholder_names_the_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, FIRST, "{client}, pour votre sécurité, retirez ce message")
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    message = str(err.value)
    assert (
        f"{path}:{_line(path, '{client}')}: replies.templates.personal_data_exposed.0.fr" in message
    )
    assert "unknown placeholder {client}" in message and "{agent_first_name}" in message


def test_a_lone_brace_is_refused_with_the_way_out(tmp_path: Path) -> None:
    path = _edited(tmp_path, FIRST, "{author, pour votre sécurité, retirez ce message")
    with pytest.raises(ConfigError, match=r"write \{\{ or \}\} for a literal brace"):
        load_brand_config(path)


def test_a_template_too_long_for_x_is_a_warning(tmp_path: Path) -> None:
    path = _edited(tmp_path, FIRST, FIRST + " " + "vraiment " * 30)
    config = load_brand_config(path)
    [warning] = brand_config_warnings(path, config)
    assert warning.startswith(
        f"{path}:{_line(path, 'vraiment')}: replies.templates.personal_data_exposed.0.fr:"
    )
    assert "too long for a reply on X (280)" in warning
    assert (
        brand_config_warnings(BUNDLED_BRAND_CONFIG, load_brand_config(BUNDLED_BRAND_CONFIG)) == []
    )


def test_template_names_are_unique(tmp_path: Path) -> None:
    path = _edited(tmp_path, "- name: help-page", "- name: private-message")
    with pytest.raises(ConfigError, match="private-message used twice"):
        load_brand_config(path)
