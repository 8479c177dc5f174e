"""Vigie's post record on disk: the fields of `events.schemas.Post` as JSON or as a CSV row.

Replay files, the generic webhook and batch classification all read this one format. A CSV row
uses the same names, with dotted columns for the author (`author.handle`) and JSON cells for
`media`, `metrics` and `author`; an empty cell is no value.
"""

from __future__ import annotations

import json
from typing import Any

from events.errors import SchemaError

__all__ = ["record_from_csv_row"]

_JSON_COLUMNS = {"media", "metrics", "author"}


def record_from_csv_row(row: dict[str | None, Any]) -> dict[str, Any]:
    """A CSV row (header -> cell) as a nested record; SchemaError says what is wrong."""
    if None in row:
        raise SchemaError("the row has more cells than the header has columns")
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
                raise SchemaError(f"column {column}: not JSON: {exc.msg}") from exc
        target = record
        *parents, leaf = column.strip().split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise SchemaError(f"column {column} conflicts with column {parent}")
        target[leaf] = value
    return record
