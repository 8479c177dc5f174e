"""Vigie's own post records (replay files, the generic webhook) -> Post.

A record has the fields of `events.schemas.Post` (JSON), `collected_by` aside; CSV rows become
records through `events.records.record_from_csv_row`.
"""

from __future__ import annotations

from typing import Any

from events.schemas import Post
from ingest.errors import PayloadError
from ingest.normalize.common import build_post

__all__ = ["post_from_record"]


def post_from_record(record: Any, *, collected_by: str) -> Post:
    """Validate one record; the record's own `collected_by`, if any, is kept."""
    if not isinstance(record, dict):
        raise PayloadError(f"a post record is a JSON object, not {type(record).__name__}")
    fields = {"collected_by": collected_by, **record}
    what = f"post {record.get('platform', '?')}:{record.get('platform_post_id', '?')}"
    return build_post(fields, what=what)
