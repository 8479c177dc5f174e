"""Malformed input is a 4xx with a reason, never a 500, and the answer never echoes it back.

Each rule is tested with the input that used to crash the API: a lone surrogate in JSON text,
a forged cursor, dates at the limits of the calendar with offsets.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

SURROGATE_BODY = b'{"name": "\\ud800"}'


def _cursor(**fields: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


def test_a_lone_surrogate_in_json_text_is_refused_with_the_reason(people: Any) -> None:
    """Every request model shares the rule; tokens, users and notes are three of them."""
    cases = [
        ("/api/auth/tokens", SURROGATE_BODY),
        ("/api/users", b'{"username": "zoe", "password": "\\udfff-long-enough", "role": "agent"}'),
        ("/api/teams/customer_care/members", b'{"id": "m9", "name": "Z\\ud83d"}'),
    ]
    for url, body in cases:
        response = people.as_(
            "admin", "POST", url, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (url, response.text)
        assert "surrogate" in response.json()["detail"]
    viewer = people.as_(
        "nadia",
        "POST",
        "/api/auth/tokens",
        content=SURROGATE_BODY,
        headers={"Content-Type": "application/json"},
    )
    assert viewer.status_code == 422


def test_a_validation_error_never_echoes_what_was_submitted(people: Any) -> None:
    secret = "hunter2-secret"
    response = people.as_(
        "admin",
        "POST",
        "/api/users",
        json={"username": "zoe", "password": [secret], "role": "agent", "extra": secret},
    )
    assert response.status_code == 422
    body = response.json()
    assert secret not in response.text
    assert isinstance(body["detail"], str) and "password" in body["detail"]
    assert {tuple(e["loc"]) for e in body["errors"]} >= {("body", "password"), ("body", "extra")}
    assert all(set(e) == {"loc", "msg", "type"} for e in body["errors"])


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor(s="deadline", k="2026-01-01T00:00:00+00:00", i=1e20),
        _cursor(s="deadline", k="2026-01-01T00:00:00+00:00", i=2**40),
        _cursor(s="deadline", k="2026-01-01T00:00:00+00:00", i="7"),
        _cursor(s="deadline", k="0001-01-01T00:00:00+00:00", i=1),
        _cursor(s="deadline", k="0001-01-01T00:00:00+14:00", i=1),
        _cursor(s="deadline", k="9999-12-31T23:59:59-14:00", i=1),
        _cursor(s="deadline", k="2026-01-01T00:00:00", i=1),
        _cursor(s="deadline", k=5, i=1),
        _cursor(s="opened", k="2026-01-01T00:00:00+00:00", i=1),
        "not base64 !",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_forged_cursor_is_refused_with_the_reason(people: Any, cursor: str) -> None:
    response = people.as_("nadia", "GET", "/api/cases", params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert "cursor" in response.json()["detail"]


def test_a_real_cursor_still_pages_through_the_queue(people: Any, make_verdict: Any) -> None:
    people.feed(*(make_verdict(f"plainte {n}", (("complaint", "normal"),)) for n in range(3)))
    ids: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = people.as_("admin", "GET", "/api/cases", params=params).json()
        ids += [c["id"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len(ids) == len(set(ids)) == 3


@pytest.mark.parametrize(
    "params, field",
    [
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"until": "9999-12-31T23:59:59-14:00"}, "until"),
        ({"since": "1900-01-01T00:00:00Z"}, "since"),
        ({"until": "0.5"}, "until"),
        ({"until": "1700000000"}, "until"),
        ({"until": "2026-01-01T00:00:00"}, "until"),
    ],
)
@pytest.mark.parametrize(
    "who, path",
    [
        ("carelead", "/api/reports/sla"),
        ("admin", "/api/security-events"),
        ("admin", "/api/privacy/audit"),
    ],
)
def test_query_dates_outside_a_sane_range_are_refused(
    people: Any, params: dict[str, str], field: str, who: str, path: str
) -> None:
    response = people.as_(who, "GET", path, params=params)
    assert response.status_code == 422, response.text
    assert f"query.{field}" in response.json()["detail"]


def test_report_dates_with_offsets_inside_the_range_are_read(people: Any) -> None:
    response = people.as_(
        "carelead",
        "GET",
        "/api/reports/sla",
        params={"since": "2026-01-01T00:00:00+14:00", "until": "2026-02-01T00:00:00-14:00"},
    )
    assert response.status_code == 200, response.text


def test_an_unexpected_error_is_a_500_logged_without_request_values(
    api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash whose message quotes a submitted password: neither the answer nor the log has it."""
    from fastapi import Form

    secret = "s3cret-password-typed-by-a-user"

    @api.client.app.post("/crash-for-test")
    def crash(password: str = Form()) -> None:
        raise ValueError(f"cannot use {password!r}")

    with caplog.at_level("INFO"):
        response = api.client.post("/crash-for-test", data={"password": secret})
    assert response.status_code == 500 and secret not in response.text
    assert isinstance(response.json()["detail"], str)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ValueError" in logged and "crash" in logged  # the stack is there...
    assert secret not in logged  # ...its message is not


def test_http_client_request_lines_are_not_logged() -> None:
    """httpx logs each request URL at INFO, and a Slack or Teams webhook URL is a credential."""
    import logging

    from events.runtime import configure_logging

    configure_logging("INFO")
    for name in ("httpx", "httpcore"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
