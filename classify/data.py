"""Reading posts and labelled examples from JSONL or CSV files a brand exports.

Every row is validated; a bad row is reported with its line number and the reason, never
silently dropped. Training refuses a file with bad rows; batch classification sets them aside.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from classify.item import Item
from events.errors import SchemaError, VigieError
from events.records import record_from_csv_row
from events.schemas import Label, Post, Source

__all__ = [
    "EVALUATION_ONLY",
    "DataError",
    "InputRow",
    "LabelledRow",
    "RowError",
    "load_labelled",
    "read_rows",
]

_LIST_SEPARATORS = (";", "|", ",")

EVALUATION_ONLY = "challenge"
"""A folder of this name inside a data directory holds evaluation-only rows: loading the
directory skips it, so no model trains on it; name the folder itself to evaluate on it."""


class DataError(VigieError):
    """An input file cannot be read, or holds rows that are not valid."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    raw: str


class InputRow(BaseModel):
    """A post to classify: `text` at least, or a whole post record as replay files hold them.

    A post record (nested `author`, `platform_post_id`: the format of `vigie ingest --replay` and
    the sample stream, in JSONL or CSV with `author.handle` columns) is validated as a `Post` and
    read the way the stream reads it, so a file gives the same verdicts in batch as live.
    """

    model_config = ConfigDict(extra="ignore")

    text: str
    id: str | None = None
    lang: str | None = None
    source: Source = Source.mention
    author: str | None = None
    bio: str | None = None
    place: str | None = None
    media_count: int = 0
    media_alt: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_post_record(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if any(isinstance(k, str) and k.startswith("author.") for k in value):
            value = record_from_csv_row(value)  # a CSV post record: dotted and JSON columns
        if not (isinstance(value.get("author"), dict) or "platform_post_id" in value):
            return value
        fields = {k: v for k, v in value.items() if k in Post.model_fields}
        post = Post.model_validate({"collected_by": "batch", **fields})
        extra = {k: v for k, v in value.items() if k not in Post.model_fields}
        return {**extra, **_flat(Item.from_post(post))}

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("lang", "bio", "place", "author", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("source", mode="before")
    @classmethod
    def _blank_is_mention(cls, value: Any) -> Any:
        return Source.mention if value in ("", None) else value

    def item(self) -> Item:
        return Item(
            text=self.text,
            source=self.source,
            id=self.id,
            lang=self.lang,
            bio=self.bio,
            place=self.place,
            author=self.author,
            media_count=self.media_count,
            media_alt=tuple(self.media_alt),
        )


def _flat(item: Item) -> dict[str, Any]:
    """An Item's fields as an InputRow's (the inverse of `InputRow.item`)."""
    return {
        "text": item.text,
        "source": item.source,
        "id": item.id,
        "lang": item.lang,
        "bio": item.bio,
        "place": item.place,
        "author": item.author,
        "media_count": item.media_count,
        "media_alt": list(item.media_alt),
    }


class LabelledRow(InputRow):
    """A post with its labels (possibly none): one training or evaluation example."""

    labels: list[Label] = Field(default_factory=list)
    kind: str | None = None
    origin: str | None = Field(
        default=None,
        description="The public data set the row came from (classify/sources); None for the "
        "brand's own rows: the written corpus and the queue's corrections.",
    )

    @field_validator("labels", mode="before")
    @classmethod
    def _labels_from_csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            for sep in _LIST_SEPARATORS:
                if sep in text:
                    return [part.strip() for part in text.split(sep) if part.strip()]
            return [text] if text else []
        return value


def _decode_lines(path: Path) -> Iterator[tuple[int, str | RowError]]:
    """Each line of the file, decoded, read as it goes (a brand's export can be large)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\r\n")
            try:
                yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8")  # Excel's BOM
            except UnicodeDecodeError as exc:
                reason = f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
                yield number, RowError(number, reason, raw.decode("utf-8", errors="replace"))


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    for number, line in _decode_lines(path):
        if isinstance(line, RowError):
            yield number, line
        elif line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RowError(number, f"not JSON: {exc.msg}", line)
                continue
            yield (
                number,
                value if isinstance(value, dict) else RowError(number, "not a JSON object", line),
            )


def _csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    lines = list(_decode_lines(path))
    for number, line in lines:
        if isinstance(line, RowError):
            yield number, line  # reported here: the CSV reader below sees a blank line instead
    text = "\n".join("" if isinstance(line, RowError) else line for _, line in lines)
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        if any(v for v in row.values()):
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}


def read_rows(
    path: Path, model: type[InputRow] = InputRow
) -> Iterator[tuple[int, InputRow | RowError]]:
    """(line, row) for each row of a .jsonl or .csv file; invalid rows come as RowError."""
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".ndjson", ".json", ".csv"}:
        raise DataError(f"{path}: expected a .jsonl or .csv file")
    for number, value in _csv(path) if suffix == ".csv" else _jsonl(path):
        if isinstance(value, RowError):
            yield number, value
            continue
        try:
            yield number, model.model_validate(value)
        except (ValidationError, ValueError, SchemaError) as exc:
            yield (
                number,
                RowError(number, _describe(exc), json.dumps(value, ensure_ascii=False)[:500]),
            )


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors()[:5]
        )
    return str(exc)


def load_labelled(*paths: Path) -> list[LabelledRow]:
    """Every labelled row of the files; DataError if any is bad.

    A directory means its *.jsonl and *.csv files, outside any `challenge/` folder.
    """
    rows: list[LabelledRow] = []
    errors: list[str] = []
    for path in _expand(paths):
        for number, row in read_rows(path, LabelledRow):
            if isinstance(row, RowError):
                errors.append(f"{path}:{number}: {row.reason}")
            else:
                rows.append(row)  # type: ignore[arg-type]
    if errors:
        more = f"\n  ... and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise DataError("invalid labelled rows:\n  " + "\n  ".join(errors[:10]) + more)
    if not rows:
        raise DataError(f"no labelled rows in {', '.join(map(str, paths))}")
    return rows


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in {".jsonl", ".csv"}
                and EVALUATION_ONLY not in p.relative_to(path).parts[:-1]
            )
        else:
            files.append(path)
    return files
