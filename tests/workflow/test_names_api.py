"""What the page needs to speak the reader's language: team and label names, and deadline
explanations as codes and parameters."""

from __future__ import annotations

from typing import Any


def test_names_of_teams_and_labels_in_both_languages(api: Any) -> None:
    names = api.client.get("/api/names")  # no login: the draft check by link names labels too
    assert names.status_code == 200
    teams = names.json()["teams"]
    assert teams["legal"] == {"fr": "Juridique et conformité", "en": "Legal & compliance"}
    assert teams["investor_relations"]["fr"] == "Relations avec les investisseurs"
    assert names.json()["labels"] == {}  # the example file renames no label


def test_a_deadline_comes_with_its_explanation_as_codes(api: Any, make_verdict: Any) -> None:
    api.feed(make_verdict("Toujours pas reçu ma commande", (("complaint", "normal"),)))
    (case,) = api.cases()
    (task,) = api.as_("admin", "GET", f"/api/cases/{case['id']}").json()["tasks"]
    first = next(d for d in task["deadlines"] if d["milestone"] == "first_response")
    why = first["why"]
    assert why["head"]["code"] in {"due", "paused"}
    assert [s["code"] for s in why["steps"]][:2] == ["received", "budget"]
    budget = why["steps"][1]["params"]
    assert budget["calendar"] == "care_extended" and budget["tz"] == "America/Toronto"
    assert set(why["steps"][0]["params"]["at"]) == {"date", "weekday", "time", "tz"}
