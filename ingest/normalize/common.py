"""Helpers the platform normalizers share: times, HTML to text, building a validated Post."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from pydantic import ValidationError

from events.schemas import Post
from ingest.errors import PayloadError

__all__ = ["build_post", "html_to_text", "parse_time", "raw_json", "utc_key"]


def parse_time(value: Any) -> datetime:
    """An aware UTC datetime from ISO text (with Z), epoch seconds or a datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, tz=UTC)
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError as exc:
            raise PayloadError(f"bad timestamp {value!r}") from exc
    else:
        raise PayloadError(f"missing or bad timestamp {value!r}")
    if moment.tzinfo is None:
        raise PayloadError(f"timestamp {value!r} has no time zone")
    return moment.astimezone(UTC)


def utc_key(moment: datetime) -> str:
    """Fixed-width UTC text: sorts like the times it stands for."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _TextOfHtml(HTMLParser):
    _BREAKS = {"br", "p", "div", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS - {"br"}:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """Plain text of the small HTML Mastodon sends (paragraphs, breaks, links)."""
    if not markup:
        return ""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts)).strip()


def raw_json(item: Any) -> bytes:
    """A platform item as UTF-8 JSON for the dead-letter topic (other values as their text)."""
    return json.dumps(item, default=str, ensure_ascii=False).encode()


def build_post(fields: dict[str, Any], *, what: str) -> Post:
    """Validate the normalized fields; PayloadError names the platform item and the fields."""
    try:
        return Post.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(post)'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise PayloadError(f"{what}: {problems}") from exc
