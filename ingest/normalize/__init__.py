"""Pure functions from platform payloads (as the platforms document them) to `events.Post`.

No I/O and no roster here: a connector normalizes, then the roster attributes staff posts.
Anything that cannot become a valid Post raises PayloadError with the reason.
"""

from ingest.normalize.bluesky import post_from_notification, post_from_view
from ingest.normalize.mastodon import post_from_status
from ingest.normalize.meta import posts_from_meta
from ingest.normalize.record import post_from_record
from ingest.normalize.x import posts_from_x

__all__ = [
    "post_from_notification",
    "post_from_record",
    "post_from_status",
    "post_from_view",
    "posts_from_meta",
    "posts_from_x",
]
