"""Mastodon REST v1 endpoints Vigie reads, answering like Mastodon does (see platform_servers)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from server_base import T0, PlatformServer, Reply, iso, one


class MastodonServer(PlatformServer):
    """Mastodon REST v1: mention notifications, hashtag timelines, account lookup and statuses;
    posting a status (in reply to another), with the Idempotency-Key Mastodon honours."""

    def __init__(self, me: str = "laurentia") -> None:
        super().__init__()
        self.me = me
        self.accounts: dict[str, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self._next_id = 110_000_000_000_000_000
        self.created: list[dict[str, Any]] = []  # statuses made through POST /api/v1/statuses
        self.idempotent: dict[str, dict[str, Any]] = {}
        self.hold_writes: Any = None  # a threading.Event: writes done, answers held until set

    def account(self, acct: str, note: str = "") -> dict[str, Any]:
        with self.lock:
            if acct.lower() not in self.accounts:
                self._next_id += 7
                self.accounts[acct.lower()] = {
                    "id": str(self._next_id),
                    "username": acct.split("@")[0],
                    "acct": acct,
                    "display_name": acct.split("@")[0].title(),
                    "note": f"<p>{note}</p>" if note else "",
                    "url": f"https://mastodon.example/@{acct}",
                    "created_at": iso(T0),
                    "locked": False,
                    "bot": False,
                    "followers_count": 3,
                    "following_count": 4,
                    "statuses_count": 5,
                }
            return self.accounts[acct.lower()]

    def add_status(
        self, acct: str, html: str, *, tags: list[str] = (), mention: bool = False, **extra: Any
    ) -> dict[str, Any]:
        with self.lock:
            self._next_id += 1000
            status_id = str(self._next_id)
            status = {
                "id": status_id,
                "uri": f"https://mastodon.example/users/{acct}/statuses/{status_id}",
                "url": f"https://mastodon.example/@{acct}/{status_id}",
                "created_at": iso(T0 + timedelta(seconds=len(self.statuses))),
                "account": self.account(acct),
                "content": html,
                "visibility": "public",
                "sensitive": False,
                "spoiler_text": "",
                "media_attachments": [],
                "mentions": [],
                "tags": [{"name": t, "url": f"https://mastodon.example/tags/{t}"} for t in tags],
                "emojis": [],
                "reblogs_count": 0,
                "favourites_count": 1,
                "replies_count": 0,
                "in_reply_to_id": None,
                "in_reply_to_account_id": None,
                "reblog": None,
                "language": "fr",
                "edited_at": None,
                **extra,
            }
            self.statuses.append(status)
            if mention:
                self._next_id += 1
                self.notifications.append(
                    {
                        "id": str(self._next_id),
                        "type": "mention",
                        "created_at": status["created_at"],
                        "account": status["account"],
                        "status": status,
                    }
                )
            return status

    def limit_headers(self, remaining: int, reset_in: float) -> dict[str, str]:
        reset = datetime.now(UTC) + timedelta(seconds=reset_in)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }

    def route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> Reply:
        if path == "/api/v1/statuses" and method == "POST":
            reply = self._post_status(body or {}, headers.get("Idempotency-Key"))
            reply.hold = self.hold_writes
            return reply
        if path == "/api/v1/notifications":
            types = query.get("types[]") or query.get("types") or []
            items = [n for n in self.notifications if not types or n["type"] in types]
            return self._page(items, query)
        if m := re.fullmatch(r"/api/v1/timelines/tag/([^/]+)", path):
            tag = m.group(1).lower()
            return self._page(
                [s for s in self.statuses if any(t["name"].lower() == tag for t in s["tags"])],
                query,
            )
        if path == "/api/v1/accounts/lookup":
            account = self.accounts.get((one(query, "acct") or "").lower())
            return (
                Reply(200, account, self.spend())
                if account
                else Reply(404, {"error": "Record not found"})
            )
        if m := re.fullmatch(r"/api/v1/accounts/(\d+)/statuses", path):
            return self._page([s for s in self.statuses if s["account"]["id"] == m.group(1)], query)
        return Reply(404, {"error": "Record not found"})

    def _post_status(self, body: dict[str, Any], key: str | None) -> Reply:
        if key and key in self.idempotent:  # the same request again: the same status
            return Reply(200, self.idempotent[key], self.spend())
        text = str(body.get("status") or "")
        if not text:
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        parent_id = body.get("in_reply_to_id")
        parent = next((s for s in self.statuses if s["id"] == parent_id), None)
        if parent_id and parent is None:
            return Reply(404, {"error": "Record not found"})
        status = self.add_status(
            self.me,
            f"<p>{text}</p>",
            in_reply_to_id=parent_id,
            in_reply_to_account_id=parent["account"]["id"] if parent else None,
            language=body.get("language") or None,
        )
        self.created.append(status)
        if key:
            self.idempotent[key] = status
        return Reply(200, status, self.spend())

    def _page(self, items: list[dict[str, Any]], query: dict[str, list[str]]) -> Reply:
        """max_id/since_id page down from the newest; min_id gives the page just after it."""
        limit = int(one(query, "limit") or 20)
        key = lambda item: int(item["id"])  # noqa: E731
        since, max_id, min_id = (int(one(query, k) or 0) for k in ("since_id", "max_id", "min_id"))
        chosen = [
            i for i in items if key(i) > max(since, min_id) and (not max_id or key(i) < max_id)
        ]
        if min_id:
            chosen = sorted(chosen, key=key)[:limit]
        chosen = sorted(chosen, key=key, reverse=True)[:limit]
        return Reply(200, chosen, self.spend())
