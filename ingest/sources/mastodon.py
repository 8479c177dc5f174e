"""Mastodon through Mastodon.py: mentions of the brand account, its own replies, hashtag
timelines, staff statuses.

Pages are read with `min_id`, which returns the page just after the checkpoint: each page moves
the high-water mark itself, so an interrupted run resumes exactly where it stopped. (A feed's
first run takes the newest page only: history before Vigie was set up is a replay's job.)
Mastodon.py is told to throw on 429 rather than sleep, so the poller waits, interruptibly.
"""

from __future__ import annotations

import logging
from typing import Any

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from ingest.errors import AccessRevoked, PayloadError, RateLimited, SourceUnavailable
from ingest.normalize.common import raw_json
from ingest.normalize.mastodon import post_from_status
from ingest.roster import Roster, normalize_handle
from ingest.settings import IngestSettings
from ingest.sources.base import Feed, FeedRefused, Page, RateBudget, brand_replies, key_order
from ingest.store import FeedPosition

__all__ = ["MastodonSource"]

log = logging.getLogger(__name__)


class MastodonSource:
    name = "mastodon"

    def __init__(self, settings: IngestSettings) -> None:
        assert settings.mastodon_access_token is not None and settings.mastodon_api_base_url
        self.settings = settings
        self.client = Mastodon(
            access_token=settings.mastodon_access_token.get_secret_value(),
            api_base_url=settings.mastodon_api_base_url,
            ratelimit_method="throw",
            version_check_mode="none",
            request_timeout=30,
        )
        self.budget = RateBudget()
        self._accounts: dict[str, str] = {}

    def budgets(self) -> list[RateBudget]:
        return [self.budget]

    def close(self) -> None:
        self.client.session.close()

    def feeds(self, roster: Roster) -> list[Feed]:
        brand = roster.config.brand
        feeds: list[Feed] = [_MastodonFeed(self, "mentions", "mentions")]
        tags = self.settings.mastodon_hashtags or [k for k in brand.keywords if k.startswith("#")]
        feeds += [
            _MastodonFeed(self, "hashtag", f"hashtag:{t.lstrip('#').lower()}", tag=t.lstrip("#"))
            for t in tags
        ]
        for handle in brand.accounts.get("mastodon", []):
            if (account_id := self._account_id(normalize_handle(handle))) is not None:
                feeds.append(
                    _MastodonFeed(
                        self,
                        "statuses",
                        f"replies:{normalize_handle(handle)}",
                        account_id=account_id,
                        replies_only=True,
                    )
                )
        for account in roster.accounts("mastodon"):
            if (account_id := self._account_id(account.handle)) is not None:
                feeds.append(
                    _MastodonFeed(
                        self,
                        "statuses",
                        f"statuses:{account.member_id}:{account.handle}",
                        account_id=account_id,
                        member_id=account.member_id,
                    )
                )
        return feeds

    def reply(
        self, text: str, in_reply_to: str, *, key: str, lang: str | None
    ) -> tuple[str, str | None]:
        """Post `text` in reply to a status: its id and link. `key` is the Idempotency-Key
        Mastodon honours for an hour: sending again with it never makes a second status."""
        status = self.call(
            "reply",
            self.client.status_post,
            text,
            in_reply_to_id=in_reply_to,
            idempotency_key=key,
            language=lang,
        )
        return str(status["id"]), status.get("url") or status.get("uri")

    def _account_id(self, acct: str) -> str | None:
        if acct not in self._accounts:
            try:
                self._accounts[acct] = str(
                    self.call("lookup", self.client.account_lookup, acct)["id"]
                )
            except FeedRefused:
                log.warning("mastodon: account %s not found; not collected", acct)
                return None
        return self._accounts[acct]

    def call(self, what: str, method: Any, *args: Any, **kwargs: Any) -> Any:
        """One API call; the rate-limit budget recorded, failures as Vigie errors."""
        self.budget.check(f"mastodon {what}")
        try:
            result = method(*args, **kwargs)
        except MastodonRatelimitError as exc:
            self._record()
            raise RateLimited(
                f"mastodon {what}: 429 Too Many Requests", reset_at=self.budget.reset_at
            ) from exc
        except MastodonUnauthorizedError as exc:
            raise AccessRevoked(
                "the Mastodon instance refused the access token (401: revoked or invalid); "
                "set a valid VIGIE_MASTODON_ACCESS_TOKEN and restart"
            ) from exc
        except (MastodonServerError, MastodonNetworkError) as exc:
            raise SourceUnavailable(f"mastodon {what}: {exc}") from exc
        except MastodonNotFoundError as exc:
            raise FeedRefused(f"mastodon {what}: not found") from exc
        except MastodonAPIError as exc:
            raise FeedRefused(f"mastodon {what}: {exc}") from exc
        except MastodonError as exc:
            raise SourceUnavailable(f"mastodon {what}: {type(exc).__name__}: {exc}") from exc
        self._record()
        return result

    def _record(self) -> None:
        self.budget.update(self.client.ratelimit_remaining, self.client.ratelimit_reset)


class _MastodonFeed:
    def __init__(
        self,
        source: MastodonSource,
        kind: str,
        name: str,
        *,
        tag: str | None = None,
        account_id: str | None = None,
        member_id: str | None = None,
        replies_only: bool = False,
    ) -> None:
        self.source, self.kind, self.name = source, kind, name
        self.tag, self.account_id, self.member_id = tag, account_id, member_id
        self.replies_only = replies_only
        self.budget = source.budget

    def fetch(self, position: FeedPosition) -> Page:
        client, limit = self.source.client, self.source.settings.mastodon_page_size
        paging = {"min_id": position.high_water, "limit": limit}
        if self.kind == "mentions":
            items = self.source.call(
                "notifications", client.notifications, types=["mention"], **paging
            )
        elif self.kind == "hashtag":
            items = self.source.call("hashtag", client.timeline_hashtag, self.tag, **paging)
        else:
            items = self.source.call("statuses", client.account_statuses, self.account_id, **paging)
        page = self._page(list(items), more=position.high_water is not None and len(items) >= limit)
        return brand_replies(page) if self.replies_only else page

    def _page(self, items: list[Any], *, more: bool) -> Page:
        posts, rejects = [], []
        for item in items:
            status = item.get("status") if self.kind == "mentions" else item
            try:
                if not isinstance(status, dict):
                    raise PayloadError(f"mastodon {self.kind} item {item.get('id')}: no status")
                posts.append(
                    post_from_status(
                        status, collected_by=f"mastodon:{self.kind}", staff_member_id=self.member_id
                    )
                )
            except PayloadError as exc:
                rejects.append((raw_json(item), str(exc)))
        newest = max((str(i["id"]) for i in items), key=key_order, default=None)
        return Page(posts, newest_key=newest, more=more and bool(items), rejects=rejects)
