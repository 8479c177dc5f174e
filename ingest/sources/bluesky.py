"""Bluesky through the atproto SDK: mentions (notifications), the brand's own replies, keyword
search, staff author feeds.

Bluesky pages newest-first with opaque cursors and has no since_id, so the high-water mark is
the newest `indexedAt` ingested: a run pages down until it meets older items, and the seen-id
table absorbs items indexed in the same instant as the mark. The client keeps the rate-limit
headers of the last response (ratelimit-remaining/-reset) for the poller.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from atproto import Client, models
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import Request

from ingest.errors import AccessRevoked, PayloadError, RateLimited, SourceUnavailable
from ingest.normalize.bluesky import post_from_notification, post_from_view
from ingest.normalize.common import parse_time, raw_json, utc_key
from ingest.roster import Roster, normalize_handle
from ingest.settings import IngestSettings
from ingest.sources.base import (
    CursorRejected,
    Feed,
    FeedRefused,
    Page,
    RateBudget,
    brand_replies,
    older_than,
)
from ingest.store import FeedPosition

__all__ = ["BlueskySource"]

log = logging.getLogger(__name__)

_MENTION_REASONS = {"mention", "reply", "quote"}


class _HeaderKeepingRequest(Request):
    """The SDK's transport, remembering the rate-limit headers of the last response."""

    def __init__(self, budget: RateBudget) -> None:
        super().__init__(timeout=30)
        self.budget = budget

    def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = super()._send_request(method, url, **kwargs)
        except RateLimitExceededError as exc:
            self.budget.update(
                0, (exc.response.headers if exc.response else {}).get("ratelimit-reset")
            )
            raise
        self.budget.update(
            response.headers.get("ratelimit-remaining"), response.headers.get("ratelimit-reset")
        )
        return response

    def _new_instance(self) -> _HeaderKeepingRequest:
        return type(self)(self.budget)


class BlueskySource:
    name = "bluesky"

    def __init__(self, settings: IngestSettings) -> None:
        assert settings.bluesky_handle and settings.bluesky_app_password is not None
        self.settings = settings
        self.budget = RateBudget()
        self.client = Client(
            base_url=settings.bluesky_base_url, request=_HeaderKeepingRequest(self.budget)
        )
        self._logged_in = False

    def budgets(self) -> list[RateBudget]:
        return [self.budget]

    def close(self) -> None:
        self.client.request.close()

    def login(self) -> None:
        if not self._logged_in:
            self.call(
                "login",
                self.client.login,
                self.settings.bluesky_handle,
                self.settings.bluesky_app_password.get_secret_value(),  # type: ignore[union-attr]
                fetch_bsky_profile=False,
            )
            self._logged_in = True

    def reply(self, text: str, parent_uri: str, *, rkey: str, lang: str | None) -> tuple[str, str]:
        """Post `text` in reply to a post, under the record key `rkey` (so that `find_reply`
        can tell afterwards whether it exists): its at:// URI and link."""
        self.login()
        views = get_model_as_dict(self.call("reply", self.client.get_posts, [parent_uri]))
        if not views.get("posts"):
            raise FeedRefused(f"bluesky reply: the post {parent_uri} no longer exists")
        parent = views["posts"][0]
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root = ((parent.get("record") or {}).get("reply") or {}).get("root") or parent_ref
        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=self.client.get_current_time_iso(),
            langs=[lang] if lang else None,
            reply=models.AppBskyFeedPost.ReplyRef(
                parent=models.ComAtprotoRepoStrongRef.Main(**parent_ref),
                root=models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"]),
            ),
        )
        created = self.call(
            "reply", self.client.app.bsky.feed.post.create, self.settings.bluesky_handle, record, rkey=rkey
        )
        return created.uri, self._web_url(rkey)

    def find_reply(self, rkey: str) -> tuple[str, str] | None:
        """The brand's post under `rkey`, if it exists (an interrupted send may have made it)."""
        self.login()
        try:
            found = self.call(
                "check reply", self.client.app.bsky.feed.post.get, self.settings.bluesky_handle, rkey
            )
        except FeedRefused:  # RecordNotFound is a 400
            return None
        return found.uri, self._web_url(rkey)

    def _web_url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self.settings.bluesky_handle}/post/{rkey}"

    def feeds(self, roster: Roster) -> list[Feed]:
        self.login()
        feeds: list[Feed] = [_BlueskyFeed(self, "mentions", "mentions")]
        feeds += [
            _BlueskyFeed(self, "search", f"search:{k}", query=k)
            for k in roster.config.brand.keywords
        ]
        feeds += [
            _BlueskyFeed(self, "author", f"replies:{h}", actor=h, replies_only=True)
            for h in map(normalize_handle, roster.config.brand.accounts.get("bluesky", []))
        ]
        feeds += [
            _BlueskyFeed(
                self,
                "author",
                f"author:{a.member_id}:{a.handle}",
                actor=a.handle,
                member_id=a.member_id,
            )
            for a in roster.accounts("bluesky")
        ]
        return feeds

    def call(self, what: str, method: Any, *args: Any, **kwargs: Any) -> Any:
        self.budget.check(f"bluesky {what}")
        try:
            return method(*args, **kwargs)
        except RateLimitExceededError as exc:
            raise RateLimited(
                f"bluesky {what}: 429 Too Many Requests", reset_at=exc.reset_at
            ) from exc
        except UnauthorizedError as exc:
            raise AccessRevoked(
                f"Bluesky refused the session ({exc}: app password revoked or invalid); "
                "set a valid VIGIE_BLUESKY_APP_PASSWORD and restart"
            ) from exc
        except BadRequestError as exc:
            if kwargs.get("params", {}).get("cursor"):
                raise CursorRejected(f"bluesky {what}: {exc}") from exc
            raise FeedRefused(f"bluesky {what}: {exc}") from exc
        except NetworkError as exc:
            raise SourceUnavailable(f"bluesky {what}: network error {exc}") from exc
        except RequestException as exc:
            status = exc.response.status_code if exc.response else 0
            if status >= 500 or status == 0:
                raise SourceUnavailable(f"bluesky {what}: {exc}") from exc
            raise FeedRefused(f"bluesky {what}: {exc}") from exc
        except AtProtocolError as exc:
            raise SourceUnavailable(f"bluesky {what}: {type(exc).__name__}: {exc}") from exc


class _BlueskyFeed:
    def __init__(
        self,
        source: BlueskySource,
        kind: str,
        name: str,
        *,
        query: str | None = None,
        actor: str | None = None,
        member_id: str | None = None,
        replies_only: bool = False,
    ) -> None:
        self.source, self.kind, self.name = source, kind, name
        self.query, self.actor, self.member_id = query, actor, member_id
        self.replies_only = replies_only
        self.budget = source.budget

    def fetch(self, position: FeedPosition) -> Page:
        ns, limit = self.source.client.app.bsky, self.source.settings.bluesky_page_size
        params: dict[str, Any] = {
            "limit": limit,
            **({"cursor": position.cursor} if position.cursor else {}),
        }
        if self.kind == "mentions":
            result = self.source.call(
                "notifications", ns.notification.list_notifications, params=params
            )
        elif self.kind == "search":
            result = self.source.call(
                "search", ns.feed.search_posts, params={**params, "q": self.query, "sort": "latest"}
            )
        else:
            result = self.source.call(
                "author feed", ns.feed.get_author_feed, params={**params, "actor": self.actor}
            )
        page = self._page(get_model_as_dict(result), position)
        return brand_replies(page) if self.replies_only else page

    def _items(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        if self.kind == "mentions":
            return [
                n for n in payload.get("notifications", []) if n.get("reason") in _MENTION_REASONS
            ]
        if self.kind == "search":
            return list(payload.get("posts", []))
        return [
            entry["post"] for entry in payload.get("feed", []) if "reason" not in entry
        ]  # no reposts

    def _page(self, payload: dict[str, Any], position: FeedPosition) -> Page:
        posts, rejects, keys = [], [], []
        reached = False
        for item in self._items(payload):
            try:
                key = utc_key(parse_time(item.get("indexedAt")))
                if older_than(key, position.high_water):
                    reached = True
                    continue
                keys.append(key)
                posts.append(self._post(item))
            except PayloadError as exc:
                rejects.append((raw_json(item), str(exc)))
        newest = max(keys, default=None)
        # A first run takes the newest page only: earlier history is a replay's job.
        cursor = None if reached or position.high_water is None else payload.get("cursor")
        return Page(posts, newest_key=newest, next_cursor=cursor, rejects=rejects)

    def _post(self, item: dict[str, Any]) -> Any:
        collected_by = f"bluesky:{self.kind}"
        if self.kind == "mentions":
            return post_from_notification(item, collected_by=collected_by)
        return post_from_view(item, collected_by=collected_by, staff_member_id=self.member_id)
