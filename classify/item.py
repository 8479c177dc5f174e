"""What the engine classifies: the parts of a post that detectors and the model look at."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from events.schemas import Post, Source

__all__ = ["DEFAULT_MAX_CHARS", "Item"]

DEFAULT_MAX_CHARS = 5_000
"""Longest text classified; longer posts are cut there and the verdict says so."""

_NO_DIGITS = str.maketrans("", "", "0123456789")


@dataclass(frozen=True)
class Item:
    """One post, reduced to what classification needs (built from a Post or a batch row)."""

    text: str
    source: Source = Source.mention
    id: str | None = None
    lang: str | None = None
    bio: str | None = None
    place: str | None = None
    author: str | None = None
    media_count: int = 0
    media_alt: tuple[str, ...] = ()

    @cached_property
    def lowered(self) -> str:
        """The text in lower case, computed once for every detector's keyword test."""
        return self.text.lower()

    @cached_property
    def digits(self) -> int:
        """How many digits the text holds: number detectors skip texts with too few."""
        return len(self.text) - len(self.text.translate(_NO_DIGITS))

    @classmethod
    def from_post(cls, post: Post) -> Item:
        return cls(
            text=post.text,
            source=post.source,
            id=post.post_id,
            lang=post.lang,
            bio=post.author.description,
            place=post.place,
            author=post.author.handle,
            media_count=len(post.media),
            media_alt=tuple(m.alt_text for m in post.media if m.alt_text),
        )

    def capped(self, max_chars: int) -> tuple[Item, str | None]:
        """The item with its text cut to `max_chars`, and the note that says so (None if intact)."""
        if len(self.text) <= max_chars:
            return self, None
        note = f"text truncated: classified the first {max_chars} of {len(self.text)} characters"
        return replace(self, text=self.text[:max_chars]), note
