"""What the API promises in its OpenAPI document and what it shows to whom: one error shape,
version preconditions, Swagger UI without a CDN, members' details to those who assign work."""

from __future__ import annotations

import re
from typing import Any

import pytest


def complaint(make_verdict: Any) -> Any:
    return make_verdict("Toujours pas reçu ma commande", (("complaint", "normal"),))


def test_every_refusal_is_documented_as_one_error_shape(api: Any) -> None:
    schema = api.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error = schema["components"]["schemas"]["ErrorBody"]
    assert error["properties"]["detail"]["type"] == "string"
    act = schema["paths"]["/api/cases/{case_id}/actions"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "422", "428"} <= set(act)
    for path in schema["paths"].values():
        for operation in path.values():
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (operation["operationId"], code)


def test_a_workflow_refusal_and_a_schema_refusal_share_the_shape(
    people: Any, make_verdict: Any
) -> None:
    people.feed(complaint(make_verdict))
    case = people.cases("priya")[0]
    url = f"/api/cases/{case['id']}/actions"
    refused = people.act("priya", case["id"], action="assign", assignee="kevin")
    invalid = people.as_("priya", "POST", url, json={"action": "fly", "version": 1})
    for response in (refused, invalid):
        assert response.status_code == 422
        assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert invalid.json()["errors"][0]["loc"][0] == "body"


@pytest.mark.parametrize("if_match", ["null", '"abc"', "1e3", "-1", '"99999999999"'])
def test_a_malformed_if_match_is_a_422_with_the_reason(
    people: Any, make_verdict: Any, if_match: str
) -> None:
    people.feed(complaint(make_verdict))
    case = people.cases("priya")[0]
    response = people.as_(
        "priya",
        "POST",
        f"/api/cases/{case['id']}/actions",
        json={"action": "note", "text": "appelé"},
        headers={"If-Match": if_match},
    )
    assert response.status_code == 422 and "if-match" in response.json()["detail"]


def test_no_version_at_all_is_428_and_a_weak_etag_is_read(people: Any, make_verdict: Any) -> None:
    people.feed(complaint(make_verdict))
    case = people.cases("priya")[0]
    url = f"/api/cases/{case['id']}/actions"
    missing = people.as_("priya", "POST", url, json={"action": "note", "text": "appelé"})
    assert missing.status_code == 428 and "version" in missing.json()["detail"]
    weak = people.as_(
        "priya",
        "POST",
        url,
        json={"action": "note", "text": "appelé"},
        headers={"If-Match": f'W/"{case["version"]}"'},
    )
    assert weak.status_code == 200, weak.text


def test_a_405_lists_every_method_of_the_path(api: Any) -> None:
    response = api.client.put("/api/auth/tokens")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
    bulk = api.client.get("/api/cases/bulk")
    assert bulk.status_code == 405 and bulk.headers["allow"] == "POST"


def test_swagger_ui_is_served_from_this_server(api: Any) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "cdn" not in page.text.lower()
    for source in sources:
        asset = api.client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 1000, source
    assert api.client.get("/redoc").status_code == 404  # ReDoc would need a CDN


def test_members_contact_and_load_only_to_leads_admins_and_teammates(people: Any) -> None:
    def members(username: str) -> dict[str, dict]:
        teams = people.as_(username, "GET", "/api/teams").json()
        return {m["id"]: m for team in teams for m in team["members"]}

    viewer = members("nadia")  # comms viewer
    outsider = viewer["priya"]
    assert outsider["name"] and outsider["email"] is None
    assert outsider["presence"] is None and outsider["open_tasks"] is None
    assert members("kevin")["priya"]["presence"] == "available"  # a teammate
    assert members("kevin")["sophie"]["presence"] is None  # legal is not kevin's team
    for boss in ("carelead", "legalead", "admin"):
        assert members(boss)["sophie"]["open_tasks"] == 0, boss
    one_team = people.as_("nadia", "GET", "/api/teams/customer_care").json()
    assert all(m["presence"] is None for m in one_team["members"])
