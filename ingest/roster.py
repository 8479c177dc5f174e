"""The staff roster: which accounts are collected as staff posts, and under which consent.

Only accounts of the brand configuration's `staff` whose use (official, professional, personal)
is in the member's `consent` are staff accounts. Every post passes `Roster.attribute` just before
it is produced, with the roster of that moment: a person removed from the file stops being
collected at the next post, not at the next restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from events.brand import BrandConfig, StaffUse, load_brand_config
from events.errors import ConfigError
from events.schemas import Post, Source

__all__ = ["DEFAULT_USE", "Roster", "RosterWatcher", "StaffAccount", "normalize_handle"]

log = logging.getLogger(__name__)

DEFAULT_USE: StaffUse = "professional"


def normalize_handle(handle: str) -> str:
    """Handles compare without case and without a leading @."""
    return handle.strip().lstrip("@").lower()


@dataclass(frozen=True)
class StaffAccount:
    member_id: str
    platform: str
    handle: str
    use: StaffUse


class Roster:
    """The consented staff accounts of one brand configuration, by platform and handle."""

    def __init__(self, config: BrandConfig) -> None:
        self.config = config
        self._accounts: dict[tuple[str, str], StaffAccount] = {}
        self.refused: list[StaffAccount] = []
        self._official = {
            (platform, normalize_handle(h))
            for platform, handles in config.brand.accounts.items()
            for h in handles
        }
        self._official_members = {m.id for m in config.staff if "official" in m.consent}
        for member in config.staff:
            for platform, handle in member.accounts.items():
                use = member.account_use.get(platform, DEFAULT_USE)
                account = StaffAccount(member.id, platform, normalize_handle(handle), use)
                if use in member.consent:
                    self._accounts[(platform, account.handle)] = account
                else:
                    self.refused.append(account)

    def lookup(self, platform: str, handle: str) -> StaffAccount | None:
        """The consented staff account behind a handle, or None."""
        return self._accounts.get((platform, normalize_handle(handle)))

    def _official_use(self, post: Post) -> bool:
        return (
            post.platform,
            normalize_handle(post.author.handle),
        ) in self._official and post.staff_member_id in self._official_members

    def accounts(self, platform: str) -> list[StaffAccount]:
        """The staff accounts to collect on one platform (timelines, profiles)."""
        return [a for (p, _), a in self._accounts.items() if p == platform]

    def attribute(self, post: Post) -> Post | None:
        """The post as the roster sees it now, or None when it must not be collected.

        A post fetched as staff whose author is no longer a consented staff account is dropped;
        a mention written by a consented staff account is a staff post. A post of the brand's own
        account is a staff post (official use) when it names a member who consented to that use,
        as a publishing tool's export does.
        """
        account = self.lookup(post.platform, post.author.handle)
        if account is None:
            if post.source is Source.staff:
                return post if self._official_use(post) else None
            return post
        if post.source is Source.staff and post.staff_member_id == account.member_id:
            return post
        return post.model_copy(
            update={"source": Source.staff, "staff_member_id": account.member_id}
        )


class RosterWatcher:
    """The roster of a brand configuration file, reloaded when the file changes.

    A file that becomes invalid keeps the last good roster and logs the error with its line.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp = self._file_stamp()
        self._roster = Roster(load_brand_config(self.path))
        for account in self._roster.refused:
            log.info(
                "staff %s @%s on %s: %s use not consented, not collected",
                account.member_id,
                account.handle,
                account.platform,
                account.use,
            )

    def _file_stamp(self) -> tuple[int, int]:
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read brand configuration: {exc}") from exc
        return stat.st_mtime_ns, stat.st_size

    def current(self) -> Roster:
        """The roster of the file as it is now (cheap when the file did not change)."""
        with self._lock:
            try:
                stamp = self._file_stamp()
            except ConfigError as exc:
                log.error("%s; keeping the previous staff roster", exc)
                return self._roster
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._roster = Roster(load_brand_config(self.path))
                    log.info("staff roster reloaded from %s", self.path)
                except ConfigError as exc:
                    log.error("%s; keeping the previous staff roster", exc)
            return self._roster
