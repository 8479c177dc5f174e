"""Vigie's own post records (replay files, the generic webhook) -> Post.

A record has the fields of `events.schemas.Post` (JSON), `collected_by` aside. CSV rows use the
same names, with dotted columns for the author (`author.handle`) and JSON cells for `media` and
`metrics`; an empty cell is no value.
"""

from __future__ import annotations

import json
from typing import Any

from events.schemas import Post
from ingest.errors import PayloadError
from ingest.normalize.common import build_post

__all__ = ["post_from_record", "record_from_csv_row"]

_JSON_COLUMNS = {"media", "metrics", "author"}


def post_from_record(record: Any, *, collected_by: str) -> Post:
    """Validate one record; the record's own `collected_by`, if any, is kept."""
    if not isinstance(record, dict):
        raise PayloadError(f"a post record is a JSON object, not {type(record).__name__}")
    fields = {"collected_by": collected_by, **record}
    what = f"post {record.get('platform', '?')}:{record.get('platform_post_id', '?')}"
    return build_post(fields, what=what)


def record_from_csv_row(row: dict[str | None, Any]) -> dict[str, Any]:
    """A CSV row (header -> cell) as a nested record."""
    if None in row:
        raise PayloadError("the row has more cells than the header has columns")
    record: dict[str, Any] = {}
    for column, cell in row.items():
        assert column is not None
        if cell is None or cell == "":
            continue
        value: Any = cell
        if column in _JSON_COLUMNS:
            try:
                value = json.loads(cell)
            except json.JSONDecodeError as exc:
                raise PayloadError(f"column {column}: not JSON: {exc.msg}") from exc
        target = record
        *parents, leaf = column.strip().split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise PayloadError(f"column {column} conflicts with column {parent}")
        target[leaf] = value
    return record
