"""Local HTTP servers that answer like the X v2, Mastodon and Bluesky APIs, as documented.

They hold posts in memory, page newest-first with the platforms' own cursor rules, send the
rate-limit headers each platform sends, and can be scripted to answer 429 (with reset headers),
503 or 401 (revoked token). The connectors talk to them through their real client libraries.
Used by tests/ingest and by benchmarks/ingest_*.py.
"""

from server_base import Logged, PlatformServer, Reply
from server_bluesky import BlueskyServer
from server_mastodon import MastodonServer
from server_x import XServer

__all__ = ["BlueskyServer", "Logged", "MastodonServer", "PlatformServer", "Reply", "XServer"]
