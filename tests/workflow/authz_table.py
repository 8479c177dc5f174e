"""Who gets through each endpoint: the table tests/workflow/test_authz.py walks.

Identities (tests/workflow/test_authz.py creates them): `anonymous`; `nadia` viewer (comms);
`priya` agent and `carelead` lead (customer_care); `sophie` agent (legal, a restricted team);
`admin`. Cases: `care` (a complaint owned by customer_care) and `legal` (a leak owned by legal,
restricted: its copy team does not see it).

`allowed`: identities whose request passes authorization (any answer but 401, 403 and 404);
every other logged-in identity gets 403 or 404 (404 where the case's existence is hidden), and
`anonymous` 401. "public" rows let anyone through; "signed" rows (webhooks) let nobody through
without the sender's signature, whatever their login. For case routes, `allowed` maps each case
to its identities. Every route of the composed API (`vigie api`) needs a row: a new endpoint
without one fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVERYONE = frozenset({"nadia", "priya", "carelead", "sophie", "admin"})
ADMIN = frozenset({"admin"})
AGENTS = frozenset({"priya", "carelead", "sophie", "admin"})
CARE_READERS = frozenset({"priya", "carelead", "admin"})
CARE_ACTORS = frozenset({"priya", "carelead", "admin"})
LEGAL_READERS = frozenset({"sophie", "admin"})


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str] | dict[str, frozenset[str]] | str
    json: Any = None
    """The request body, a function of the identity (so creations do not collide)."""
    form: Any = None
    params: dict[str, Any] = field(default_factory=dict)


def _json(value: Any) -> Any:
    return lambda who: value


TABLE: dict[tuple[str, str], Row] = {
    # Pages and probes.
    ("GET", "/"): Row("public"),
    ("GET", "/healthz"): Row("public"),
    ("GET", "/readyz"): Row("public"),
    ("GET", "/metrics"): Row("public"),
    ("GET", "/queue"): Row("public"),
    ("GET", "/cases/{case_id}"): Row("public"),  # an empty shell: the data comes from /api
    ("GET", "/stories/{story_id}"): Row("public"),  # a shell, like a case page
    ("GET", "/draft-check"): Row("public"),
    ("GET", "/settings"): Row("public"),  # a shell: its data needs an admin
    ("GET", "/api/names"): Row("public"),  # team and label display names, for the login page too
    ("GET", "/login"): Row("public"),
    ("GET", "/assets/vigie/{name}"): Row("public"),
    # Webhooks: the sender's HMAC signature (or Meta's verify token), never a login.
    ("GET", "/ingest/webhooks/meta"): Row("signed"),
    ("POST", "/ingest/webhooks/{source}"): Row("signed", json=_json({"records": []})),
    ("POST", "/api/draft-check"): Row(EVERYONE, json=_json({"text": "Bonjour à tous"})),
    # Draft-check links: made by admins; the holder of one needs no login, a login is no link.
    ("GET", "/api/draft-links/staff"): Row(ADMIN),
    ("POST", "/api/draft-links"): Row(ADMIN, json=_json({"staff_id": "s-003"})),
    ("GET", "/api/draft-links/me"): Row("signed"),
    # The staff programme: leads read the policy roster and highlights; an employee acknowledges
    # the policy with a signed link (a login is no link); admins make such links.
    ("GET", "/api/staff-policy"): Row(frozenset({"carelead", "admin"})),
    ("POST", "/api/staff-policy/links"): Row(ADMIN, json=_json({"staff_id": "s-003"})),
    ("GET", "/api/staff-policy/me"): Row("signed"),
    ("POST", "/api/staff-policy/acknowledgements"): Row("signed", json=_json({"version": "x"})),
    ("GET", "/api/highlights"): Row(frozenset({"carelead", "admin"})),
    ("GET", "/staff"): Row("public"),  # a shell: its data needs a lead
    ("GET", "/acknowledge"): Row("public"),  # a shell: its data needs a policy link
    # Logging in.
    ("POST", "/api/auth/token"): Row("public", form=True),
    ("POST", "/api/auth/session"): Row("public", form=True),
    ("POST", "/api/auth/logout"): Row(EVERYONE),
    ("GET", "/api/auth/me"): Row(EVERYONE),
    ("GET", "/api/auth/sessions"): Row(EVERYONE),
    ("DELETE", "/api/auth/sessions/{token_id}"): Row(frozenset()),  # someone else's: 404
    ("POST", "/api/auth/tokens"): Row(AGENTS, json=lambda who: {"name": f"authz-{who}"}),
    ("GET", "/api/auth/tokens"): Row(EVERYONE),
    ("DELETE", "/api/auth/tokens/{token_id}"): Row(ADMIN),  # admin's own token of the setup
    (
        "POST",
        "/api/auth/password",
    ): Row(EVERYONE, json=_json({"current_password": "wrong", "new_password": "x"})),
    # Users, teams, reports, security log.
    ("GET", "/api/users"): Row(ADMIN),
    ("POST", "/api/users"): Row(
        ADMIN, json=lambda who: {"username": f"new-{who}", "role": "viewer", "teams": []}
    ),
    ("PATCH", "/api/users/{username}"): Row(ADMIN, json=_json({})),
    ("GET", "/api/teams"): Row(EVERYONE),
    ("GET", "/api/teams/{team_id}"): Row(EVERYONE),
    ("PATCH", "/api/teams/{team_id}/members/{member_id}"): Row(
        frozenset({"priya", "carelead", "admin"}), json=_json({"presence": "available"})
    ),
    ("POST", "/api/teams/{team_id}/members"): Row(
        frozenset({"carelead", "admin"}), json=lambda who: {"id": f"m-{who}", "name": who}
    ),
    ("GET", "/api/reports/sla"): Row(frozenset({"carelead", "admin"})),
    ("GET", "/api/security-events"): Row(ADMIN),
    # Privacy: erasure, access requests, retention and the audit trail are an admin's.
    ("POST", "/api/privacy/erasures"): Row(ADMIN, json=_json({"author": "x:nobody_here"})),
    ("POST", "/api/privacy/exports"): Row(ADMIN, json=_json({"author": "x:nobody_here"})),
    ("GET", "/api/privacy/retention"): Row(ADMIN),
    ("GET", "/api/privacy/audit"): Row(ADMIN),
    # The queue.
    ("GET", "/api/cases"): Row(EVERYONE),
    ("GET", "/api/cases/{case_id:int}"): Row({"care": CARE_READERS, "legal": LEGAL_READERS}),
    ("POST", "/api/cases/{case_id:int}/actions"): Row(
        {"care": CARE_ACTORS, "legal": LEGAL_READERS}, json=_json({"action": "note", "text": "vu"})
    ),
    # A legal hold: whoever sees the case may ask; an admin or a lead of a legal team sets it.
    ("GET", "/api/cases/{case_id}/legal-hold"): Row({"care": CARE_READERS, "legal": LEGAL_READERS}),
    ("PUT", "/api/cases/{case_id}/legal-hold"): Row(
        {"care": ADMIN, "legal": ADMIN}, json=_json({"reason": "litige en cours"})
    ),
    ("DELETE", "/api/cases/{case_id}/legal-hold"): Row(
        {"care": ADMIN, "legal": ADMIN}, params={"reason": "litige réglé"}
    ),
    # Answering from a case: its readers see the replies; its owning teams' agents answer.
    ("GET", "/api/cases/{case_id:int}/replies"): Row({"care": CARE_READERS, "legal": LEGAL_READERS}),
    ("POST", "/api/cases/{case_id:int}/replies"): Row(
        {"care": CARE_ACTORS, "legal": LEGAL_READERS},
        json=_json({"kind": "elsewhere", "text": "rappelé au téléphone"}),
    ),
    ("POST", "/api/cases/{case_id:int}/replies/decisions"): Row(
        {"care": CARE_ACTORS, "legal": LEGAL_READERS},
        json=_json({"reply_id": 999_999, "decision": "approve"}),
    ),
    # Rumour stories: everyone reads; agents of the story's case teams change a state (the role
    # is checked first; with no story to name here the scope check is not reached).
    ("GET", "/api/stories"): Row(EVERYONE),
    ("GET", "/api/stories/{story_id}"): Row(EVERYONE),
    ("POST", "/api/stories/{story_id}/state"): Row(AGENTS, json=_json({"state": "closed"})),
    ("POST", "/api/cases/bulk"): Row(
        {"care": CARE_ACTORS, "legal": LEGAL_READERS},
        json=_json({"action": {"action": "note", "text": "vu"}}),
    ),
}
