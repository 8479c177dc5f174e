"""The X API v2 endpoints Vigie reads, answering like X does (see platform_servers)."""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from datetime import timedelta
from typing import Any

from server_base import T0, PlatformServer, Reply, iso, one


class XServer(PlatformServer):
    """The X API v2 endpoints Vigie reads (users/by, mentions, recent search, user tweets) and
    writes with the brand's user token (POST /2/tweets, PUT /2/tweets/:id/hidden)."""

    user_token = "local-user-token"

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: list[dict[str, Any]] = []
        self.forbidden: set[str] = set()
        self.rules: dict[str, dict[str, str]] = {}
        self._next_rule = 1_600_000_000_000_000_000
        self.stream_queue: queue.Queue[dict[str, Any]] = queue.Queue()
        self.stream_forbidden = False
        self.stream_seconds = 2.0
        self.odd_user_lookups = 0  # answer the next n user lookups with an object
        self._next_user = 1000
        self._next_tweet = 1_800_000_000_000_000_000
        self.brand = "LaurentiaAide"  # the account the user token belongs to
        self.created: list[dict[str, Any]] = []  # tweets made through POST /2/tweets
        self.hidden: set[str] = set()
        self.hold_writes: threading.Event | None = None  # writes done, answers held until set

    def add_user(
        self, username: str, description: str = "", name: str | None = None
    ) -> dict[str, Any]:
        with self.lock:
            self._next_user += 1
            user = {
                "id": str(self._next_user),
                "username": username,
                "name": name or username.title(),
                "description": description,
            }
            self.users[username.lower()] = user
            return user

    def add_tweet(self, author: str, text: str, **extra: Any) -> dict[str, Any]:
        """A new tweet, newer than every other (ids grow with time, as snowflakes do)."""
        with self.lock:
            user = self.users.get(author.lower()) or self.add_user(author)
            self._next_tweet += 1000 + len(self.tweets)
            tweet_id = str(self._next_tweet)
            tweet = {
                "id": tweet_id,
                "text": text,
                "author_id": user["id"],
                "lang": "fr",
                "conversation_id": extra.pop("conversation_id", tweet_id),
                "created_at": iso(T0 + timedelta(seconds=len(self.tweets))),
                "public_metrics": {
                    "retweet_count": 0,
                    "reply_count": 0,
                    "like_count": 2,
                    "quote_count": 0,
                    "bookmark_count": 0,
                    "impression_count": 40,
                },
                "edit_history_tweet_ids": [tweet_id],
                **extra,
            }
            self.tweets.append(tweet)
            return tweet

    def limit_headers(self, remaining: int, reset_in: float) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(time.time() + reset_in + 0.999)),
        }

    def unauthorized(self) -> Reply:
        return Reply(
            401,
            {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
        )

    def authorized(self, headers: Any) -> bool:
        return headers.get("Authorization") in (f"Bearer {self.token}", f"Bearer {self.user_token}")

    def route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> Reply:
        if path == "/2/tweets" and method == "POST":
            return self._written(self._create(body or {}, headers))
        if (m := re.fullmatch(r"/2/tweets/(\d+)/hidden", path)) and method == "PUT":
            return self._written(self._hide(m.group(1), body or {}, headers))
        if path == "/2/users/by":
            return self._users(query)
        if m := re.fullmatch(r"/2/users/(\d+)/(mentions|tweets)", path):
            endpoint = "mentions" if m.group(2) == "mentions" else "timeline"
            return self._page(endpoint, query, self._matcher(m.group(2), m.group(1)))
        if path == "/2/tweets/search/stream/rules":
            return self._rules(method, body)
        if path == "/2/tweets/search/stream":
            if self.stream_forbidden:
                return Reply(
                    403,
                    {
                        "title": "Client Forbidden",
                        "reason": "client-not-enrolled",
                        "detail": "This endpoint requires a higher access level.",
                        "type": "https://api.twitter.com/2/problems/client-forbidden",
                    },
                )
            return Reply(200, stream=self._stream)
        if path == "/2/tweets/search/recent":
            return self._page("search", query, _search_matcher(one(query, "query") or ""))
        return Reply(404, {"title": "Not Found Error", "detail": f"no route {path}"})

    def _written(self, reply: Reply) -> Reply:
        reply.hold = self.hold_writes
        return reply

    def _app_only(self, headers: Any) -> Reply | None:
        """X refuses writes with an app-only bearer token (they need a user context)."""
        if headers.get("Authorization") == f"Bearer {self.user_token}":
            return None
        return Reply(
            403,
            {
                "title": "Unsupported Authentication",
                "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this "
                "endpoint.  Supported authentication types are [OAuth 1.0a User Context, "
                "OAuth 2.0 User Context].",
                "type": "https://api.twitter.com/2/problems/unsupported-authentication",
                "status": 403,
            },
        )

    def _create(self, body: dict[str, Any], headers: Any) -> Reply:
        if (refused := self._app_only(headers)) is not None:
            return refused
        target = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        parent = next((t for t in self.tweets if t["id"] == target), None)
        if target is not None and parent is None:
            return Reply(
                400,
                {
                    "errors": [{"message": "Your Tweet could not be sent: the Tweet you are "
                                "replying to has been deleted or is not visible to you."}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        extra: dict[str, Any] = {}
        if parent is not None:
            extra = {
                "conversation_id": parent["conversation_id"],
                "in_reply_to_user_id": parent["author_id"],
                "referenced_tweets": [{"type": "replied_to", "id": parent["id"]}],
            }
        tweet = self.add_tweet(self.brand, str(body.get("text", "")), **extra)
        self.created.append(tweet)
        return Reply(
            201,
            {
                "data": {
                    "id": tweet["id"],
                    "text": tweet["text"],
                    "edit_history_tweet_ids": [tweet["id"]],
                }
            },
            self.spend(),
        )

    def _hide(self, tweet_id: str, body: dict[str, Any], headers: Any) -> Reply:
        if (refused := self._app_only(headers)) is not None:
            return refused
        tweet = next((t for t in self.tweets if t["id"] == tweet_id), None)
        brand = self.users.get(self.brand.lower())
        root = next((t for t in self.tweets if tweet and t["id"] == tweet["conversation_id"]), None)
        if tweet is None or brand is None or root is None or root["author_id"] != brand["id"]:
            return Reply(
                403,
                {
                    "title": "Forbidden",
                    "detail": "You cannot hide or unhide this Tweet: it is not a reply in a "
                    "conversation you started.",
                    "type": "about:blank",
                    "status": 403,
                },
            )
        if body.get("hidden", True):
            self.hidden.add(tweet_id)
        else:
            self.hidden.discard(tweet_id)
        return Reply(200, {"data": {"hidden": tweet_id in self.hidden}}, self.spend())

    def stream_tweet(self, author: str, text: str) -> dict[str, Any]:
        """A new tweet that the filtered stream delivers (it exists for search too)."""
        tweet = self.add_tweet(author, text)
        self.stream_queue.put(tweet)
        return tweet

    def _rules(self, method: str, body: Any) -> Reply:
        with self.lock:
            if method == "GET":
                return Reply(
                    200,
                    {"data": list(self.rules.values()), "meta": {"result_count": len(self.rules)}}
                    if self.rules
                    else {"meta": {"result_count": 0}},
                )
            created = []
            for rule in (body or {}).get("add", []):
                self._next_rule += 1
                self.rules[str(self._next_rule)] = {"id": str(self._next_rule), **rule}
                created.append(self.rules[str(self._next_rule)])
            for rule_id in ((body or {}).get("delete") or {}).get("ids", []):
                self.rules.pop(rule_id, None)
            return Reply(
                200,
                {"data": created, "meta": {"summary": {"created": len(created), "not_created": 0}}},
            )

    def _stream(self, out: Any) -> None:
        """Newline-delimited tweets with keep-alive blank lines, for `stream_seconds`."""
        ends = time.monotonic() + self.stream_seconds
        while time.monotonic() < ends:
            try:
                tweet = self.stream_queue.get(timeout=0.1)
            except queue.Empty:
                out.write(b"\r\n")
            else:
                user = next(u for u in self.users.values() if u["id"] == tweet["author_id"])
                message = {
                    "data": tweet,
                    "includes": {"users": [user]},
                    "matching_rules": [{"id": next(iter(self.rules), "0"), "tag": "vigie"}],
                }
                out.write(json.dumps(message).encode() + b"\r\n")
            out.flush()

    def _users(self, query: dict[str, list[str]]) -> Reply:
        names = (one(query, "usernames") or "").split(",")
        data = [self.users[n.lower()] for n in names if n.lower() in self.users]
        errors = [
            {
                "value": n,
                "detail": f"Could not find user with usernames: [{n}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "usernames",
            }
            for n in names
            if n.lower() not in self.users
        ]
        body: dict[str, Any] = {"data": data}
        if self.odd_user_lookups > 0:  # an answer unlike the documentation: an object, not a list
            self.odd_user_lookups -= 1
            body = {"data": data[0] if data else {}}
        if errors:
            body["errors"] = errors
        return Reply(200, body, self.spend())

    def _matcher(self, kind: str, user_id: str) -> Any:
        user = next(u for u in self.users.values() if u["id"] == user_id)
        if kind == "tweets":
            return lambda t: t["author_id"] == user_id
        return lambda t: f"@{user['username'].lower()}" in t["text"].lower()

    def _page(self, endpoint: str, query: dict[str, list[str]], matches: Any) -> Reply:
        if endpoint in self.forbidden:
            return Reply(
                403,
                {
                    "title": "Forbidden",
                    "type": "https://api.twitter.com/2/problems/client-forbidden",
                    "detail": "When authenticating requests to the Twitter API v2 endpoints, "
                    "you must use keys and tokens from a Twitter developer App that is "
                    "attached to a Project.",
                    "reason": "client-not-enrolled",
                },
            )
        since = int(one(query, "since_id") or 0)
        cursor_name, wrong = (
            ("next_token", "pagination_token")
            if endpoint == "search"
            else ("pagination_token", "next_token")
        )
        token = one(query, cursor_name)
        if wrong in query or (token is not None and not token.startswith("next_")):
            name = wrong if wrong in query else cursor_name
            return Reply(
                400,
                {
                    "errors": [
                        {
                            "parameters": {name: query.get(name)},
                            "message": f"The `{name}` query parameter value is invalid",
                        }
                    ],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                },
            )
        until = int(token.removeprefix("next_")) if token else None
        size = int(one(query, "max_results") or 10)
        with self.lock:
            found = sorted(
                (
                    t
                    for t in self.tweets
                    if int(t["id"]) > since
                    and matches(t)
                    and (until is None or int(t["id"]) < until)
                ),
                key=lambda t: int(t["id"]),
                reverse=True,
            )
        page, rest = found[:size], found[size:]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if rest:
            meta["next_token"] = f"next_{page[-1]['id']}"
        body: dict[str, Any] = {"meta": meta}
        if page:
            authors = {t["author_id"] for t in page}
            body["data"] = page
            body["includes"] = {"users": [u for u in self.users.values() if u["id"] in authors]}
        return Reply(200, body, self.spend())


def _search_matcher(query: str) -> Any:
    """Enough of X's query language for Vigie's queries: (a OR "b c" OR #d) -is:retweet."""
    core = query.replace("-is:retweet", "").strip().strip("()")
    terms = [t.strip().strip('"').lower() for t in core.split(" OR ") if t.strip()]
    return lambda t: any(term in t["text"].lower() for term in terms)
