"""A stable pseudonym for a person, so services can name them without their handle.

`author_ref` is a hash of platform and handle: an erasure event carries it instead of the handle
(a consumer holding the handle can compute it and match), and feedback rows keep it instead of
the author. It is a pseudonym, not anonymity: whoever knows the handle can recompute it.
"""

from __future__ import annotations

import hashlib

__all__ = ["author_ref", "parse_author"]


def author_ref(platform: str, handle: str) -> str:
    """32 hex characters naming one account of one platform (handle case and @ ignored)."""
    key = f"{platform.lower()}:{handle.lower().lstrip('@')}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def parse_author(text: str) -> tuple[str, str]:
    """'x:@Handle' -> ('x', 'handle'); ValueError says what a person reference looks like."""
    platform, sep, handle = text.strip().partition(":")
    handle = handle.strip().lstrip("@").lower()
    if not sep or not platform or not handle:
        raise ValueError(f"{text!r} is not PLATFORM:HANDLE (e.g. x:jdoe or mastodon:@jdoe)")
    return platform.strip().lower(), handle
