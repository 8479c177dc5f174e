"""Files that hold personal data are readable by their owner only.

A SQLite database holds posts, handles and notes: Vigie creates it 0600 (and its folder 0700 when
Vigie creates the folder). SQLite gives its -wal, -shm and -journal files the mode of the
database file, so creating the database file first with the right mode covers them; files left
by an older version are tightened too.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "private_dir", "private_sqlite_file"]

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_SIDECARS = ("", "-wal", "-shm", "-journal", ".migrate.lock")


def private_sqlite_file(database_url: str) -> None:
    """Create the SQLite file of `database_url` owner-only before SQLite opens it; no-op for
    other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url  # here: the CLI's light commands need no database code

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE)
    os.close(fd)
    for suffix in _SIDECARS:
        sibling = path.with_name(path.name + suffix)
        if sibling.exists() and sibling.stat().st_mode & 0o077:
            sibling.chmod(PRIVATE_FILE_MODE)


def private_dir(folder: Path) -> None:
    """mkdir -p with 0700 for the folders created here; existing folders are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
