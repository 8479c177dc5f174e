"""Public labelled data the shipped model trains on, kept outside the repository.

Each source is one module here: where the data lives (a public git repository at a pinned
commit), its licence, and how its rows map to Vigie's labels. The rows themselves never enter
the repository: `python -m classify.sources.build` reads them from local mirrors of those
repositories into a scratch training file, and writes one manifest per source
(`manifests/<name>.json`: name, URL, commit, licence, rows used, SHA-256 of the rows) so anyone
can rebuild the same file and check it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from classify.data import LabelledRow

__all__ = ["PublicSource", "RowReader"]

RowReader = Callable[[Callable[[str], bytes]], Iterator[LabelledRow]]
"""Given a function that returns a file of the pinned commit by its path, yield labelled rows."""


@dataclass(frozen=True)
class PublicSource:
    """One public data set: its provenance, and the function that maps its rows to labels."""

    name: str
    repo: str  # owner/name on GitHub
    commit: str  # 40 hex digits: the exact version read
    licence: str  # SPDX identifier, or the licence's name when it has none
    description: str
    read: RowReader
    languages: tuple[str, ...] = ("en",)
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}"
