"""X through tweepy (API v2): brand mentions, the brand's own replies, keyword search, staff
timelines and profiles; and, with the brand account's user token, replies and hidden replies
from cases.

tweepy's Client speaks to api.twitter.com; its requests session is swapped for one that sends
the same paths to VIGIE_X_API_BASE_URL, so a proxy or a local test server can stand in. tweepy
logs request headers (the bearer token) at DEBUG: its logger is kept at INFO or above.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
import tweepy
from pydantic import SecretStr

from ingest.errors import AccessRevoked, RateLimited, SourceUnavailable
from ingest.normalize import x as nx
from ingest.roster import Roster, normalize_handle
from ingest.settings import IngestSettings
from ingest.sources.base import (
    CursorRejected,
    Feed,
    FeedRefused,
    Page,
    RateBudget,
    brand_replies,
)
from ingest.store import FeedPosition

__all__ = ["XSource", "search_queries"]

log = logging.getLogger(__name__)
logging.getLogger("tweepy").setLevel(max(logging.INFO, logging.getLogger("tweepy").level))

OFFICIAL_HOST = "https://api.twitter.com"
_MAX_QUERY = 512
_TIMEOUT = 30


class _RebasedSession(requests.Session):
    """Sends tweepy's api.twitter.com requests to the configured base URL, with a timeout."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(OFFICIAL_HOST):
            url = self.base_url + url[len(OFFICIAL_HOST) :]
        kwargs.setdefault("timeout", _TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def search_queries(keywords: list[str], extra: list[str]) -> list[str]:
    """Brand keywords OR-ed into as few queries as X's 512-character limit allows, retweets out."""
    terms = [f'"{k}"' if " " in k else k for k in keywords]
    queries, current = [], ""
    suffix = " -is:retweet"
    for term in terms:
        candidate = f"{current} OR {term}" if current else term
        if len(f"({candidate}){suffix}") > _MAX_QUERY and current:
            queries.append(f"({current}){suffix}")
            candidate = term
        current = candidate
    if current:
        queries.append(f"({current}){suffix}")
    return queries + list(extra)


class XSource:
    name = "x"

    def __init__(self, settings: IngestSettings, token: SecretStr | None = None) -> None:
        """Reads with the app's bearer token; `token` (the brand's user token) writes."""
        token = token or settings.x_bearer_token
        assert token is not None
        self.settings = settings
        self.client = tweepy.Client(
            bearer_token=token.get_secret_value(),
            return_type=requests.Response,
            wait_on_rate_limit=False,  # the poller waits, interruptibly
        )
        self.client.session = _RebasedSession(settings.x_api_base_url)
        self._budgets: dict[str, RateBudget] = {}
        self._missing: set[str] = set()

    def budgets(self) -> list[RateBudget]:
        return list(self._budgets.values())

    def budget(self, endpoint: str) -> RateBudget:
        return self._budgets.setdefault(endpoint, RateBudget())

    def close(self) -> None:
        self.client.session.close()

    def feeds(self, roster: Roster) -> list[Feed]:
        brand = roster.config.brand
        staff = roster.accounts("x")
        handles = [normalize_handle(h) for h in brand.accounts.get("x", [])] + [
            a.handle for a in staff
        ]
        users = self.users(handles)
        feeds: list[Feed] = []
        for handle in brand.accounts.get("x", []):
            if (user := users.get(normalize_handle(handle))) is not None:
                feeds.append(
                    _XFeed(self, "mentions", f"mentions:{user['username']}", user_id=user["id"])
                )
                feeds.append(
                    _XFeed(
                        self,
                        "timeline",
                        f"replies:{user['username']}",
                        user_id=user["id"],
                        replies_only=True,
                    )
                )
        for query in search_queries(brand.keywords, self.settings.x_search_queries):
            feeds.append(_XFeed(self, "search", f"search:{query}", query=query))
        for account in staff:
            if (user := users.get(account.handle)) is not None:
                feeds.append(
                    _XFeed(
                        self,
                        "timeline",
                        f"timeline:{account.member_id}:{account.handle}",
                        user_id=user["id"],
                        member_id=account.member_id,
                    )
                )
        return feeds

    def users(self, handles: list[str]) -> dict[str, dict[str, Any]]:
        """Lower-cased username -> user (id, name, username, description), 100 per request."""
        found: dict[str, dict[str, Any]] = {}
        unique = sorted(set(handles))
        for start in range(0, len(unique), 100):
            payload = self.call(
                "users",
                self.client.get_users,
                usernames=unique[start : start + 100],
                user_fields=nx.USER_FIELDS,
            )
            for user in payload.get("data") or []:
                found[normalize_handle(user["username"])] = user
        for missing in sorted(set(unique) - set(found) - self._missing):
            log.warning("x: account @%s not found (renamed or suspended?); not collected", missing)
        self._missing = set(unique) - set(found)
        return found

    def reply(self, text: str, in_reply_to: str) -> tuple[str, str]:
        """Post `text` in reply to a tweet (POST /2/tweets): its id and link."""
        payload = self.call(
            "reply",
            self.client.create_tweet,
            text=text,
            in_reply_to_tweet_id=in_reply_to,
            user_auth=False,
        )
        tweet_id = str((payload.get("data") or {}).get("id") or "")
        if not tweet_id:
            raise SourceUnavailable("x reply: the answer carries no tweet id")
        return tweet_id, f"https://x.com/i/web/status/{tweet_id}"

    def hide(self, tweet_id: str) -> None:
        """Hide a reply in a conversation the brand started (PUT /2/tweets/:id/hidden)."""
        payload = self.call("hide", self.client.hide_reply, id=tweet_id, user_auth=False)
        if not (payload.get("data") or {}).get("hidden"):
            raise SourceUnavailable("x hide: the reply is not hidden")

    def call(self, endpoint: str, method: Any, **params: Any) -> dict[str, Any]:
        """One API call; its rate-limit headers recorded, its failures as Vigie errors."""
        budget = self.budget(endpoint)
        budget.check(f"x {endpoint}")
        try:
            response = method(**params)
        except tweepy.TooManyRequests as exc:
            budget.update(0, exc.response.headers.get("x-rate-limit-reset"))
            raise RateLimited(
                f"x {endpoint}: 429 Too Many Requests", reset_at=budget.reset_at
            ) from exc
        except tweepy.Unauthorized as exc:
            raise AccessRevoked(
                "X refused the bearer token (401 Unauthorized: revoked or invalid); "
                "set a valid VIGIE_X_BEARER_TOKEN and restart"
            ) from exc
        except tweepy.Forbidden as exc:
            raise FeedRefused(
                f"x {endpoint}: 403 Forbidden ({_detail(exc)}); the access tier may not allow it"
            ) from exc
        except tweepy.BadRequest as exc:
            if params.get("pagination_token") or params.get("next_token"):
                raise CursorRejected(f"x {endpoint}: 400 ({_detail(exc)})") from exc
            raise FeedRefused(f"x {endpoint}: 400 Bad Request ({_detail(exc)})") from exc
        except tweepy.TwitterServerError as exc:
            raise SourceUnavailable(
                f"x {endpoint}: {exc.response.status_code} server error"
            ) from exc
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise SourceUnavailable(f"x {endpoint}: {type(exc).__name__}: {exc}") from exc
        headers = response.headers
        budget.update(headers.get("x-rate-limit-remaining"), headers.get("x-rate-limit-reset"))
        try:
            return response.json()
        except ValueError as exc:
            raise SourceUnavailable(f"x {endpoint}: response is not JSON") from exc


def _detail(exc: tweepy.HTTPException) -> str:
    return "; ".join(exc.api_messages) or str(exc.response.status_code)


class _XFeed:
    """One query: the mentions of a brand account, its own replies, a search, or a staff
    member's timeline."""

    def __init__(
        self,
        source: XSource,
        endpoint: str,
        name: str,
        *,
        user_id: str | None = None,
        query: str | None = None,
        member_id: str | None = None,
        replies_only: bool = False,
    ) -> None:
        self.source, self.endpoint, self.name = source, endpoint, name
        self.user_id, self.query, self.member_id = user_id, query, member_id
        self.replies_only = replies_only
        self.budget = source.budget(endpoint)

    def fetch(self, position: FeedPosition) -> Page:
        client = self.source.client
        method, target = {
            "mentions": (client.get_users_mentions, {"id": self.user_id}),
            "search": (client.search_recent_tweets, {"query": self.query}),
            "timeline": (client.get_users_tweets, {"id": self.user_id}),
        }[self.endpoint]
        max_results = self.source.settings.x_page_size
        if self.endpoint == "search":
            max_results = max(10, max_results)
        cursor_name = "next_token" if self.endpoint == "search" else "pagination_token"
        payload = self.source.call(
            self.endpoint,
            method,
            **target,
            since_id=position.high_water,
            **{cursor_name: position.cursor},
            max_results=max_results,
            **nx.REQUEST_FIELDS,
        )
        page = self._page(payload)
        return brand_replies(page) if self.replies_only else page

    def _page(self, payload: dict[str, Any]) -> Page:
        rejects: list[tuple[bytes, str]] = []
        posts = nx.posts_from_x(
            payload,
            collected_by=f"x:{self.endpoint}",
            staff_member_id=self.member_id,
            rejects=rejects,
        )
        meta = payload.get("meta") or {}
        return Page(
            posts,
            newest_key=meta.get("newest_id"),
            next_cursor=meta.get("next_token"),
            rejects=rejects,
        )
