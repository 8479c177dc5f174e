"""Build the public part of the training file from local mirrors of the sources' repositories.

    python -m classify.sources.build --mirrors DIR --out public.jsonl [--clone] [--check]

Each line is a labelled row (the corpus's format) with `origin`, the source's name: training
weighs public rows apart from the brand's own, and `benchmarks/classify_quality.py` scores each
source apart.
DIR holds one bare git mirror per source, as `DIR/<owner>+<name>/repo` (a `git clone --mirror`
of the source's URL; --clone makes the missing ones). Each source is read at its pinned commit, so the same mirrors always give
the same rows; the manifest of each source records how many rows it gave and their SHA-256.
With --check, the rows must match the committed manifests exactly (nothing is written to them).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import pkgutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from classify.data import LabelledRow
from classify.sources import PublicSource

__all__ = ["MANIFESTS", "all_sources", "build", "manifest", "rows_hash"]

MANIFESTS = Path(__file__).with_name("manifests")


def all_sources() -> list[PublicSource]:
    """Every module of this package that defines SOURCE, in name order."""
    found = []
    package = importlib.import_module("classify.sources")
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"classify.sources.{info.name}")
        source = getattr(module, "SOURCE", None)
        if isinstance(source, PublicSource):
            found.append(source)
    return sorted(found, key=lambda s: s.name)


def git_reader(git_dir: Path, commit: str) -> Callable[[str], bytes]:
    """A function giving a file of `commit` from a bare repository, by path."""

    def read(path: str) -> bytes:
        done = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
            capture_output=True,
            check=False,
        )
        if done.returncode:
            raise FileNotFoundError(f"{git_dir}: {commit}:{path}: {done.stderr.decode().strip()}")
        return done.stdout

    return read


def _line(row: LabelledRow) -> str:
    return json.dumps(row.model_dump(mode="json", exclude_none=True), ensure_ascii=False)


def rows_hash(rows: Iterable[LabelledRow]) -> str:
    """SHA-256 of the rows as written, in order."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update((_line(row) + "\n").encode("utf-8"))
    return digest.hexdigest()


def manifest(source: PublicSource, rows: Sequence[LabelledRow]) -> dict[str, object]:
    return {
        "name": source.name,
        "url": source.url,
        "commit": source.commit,
        "licence": source.licence,
        "description": source.description,
        "languages": list(source.languages),
        "rows_used": len(rows),
        "per_label": dict(sorted(Counter(str(lb) for r in rows for lb in r.labels).items())),
        "unlabelled_rows": sum(not r.labels for r in rows),
        "sha256": rows_hash(rows),
        "notes": source.notes,
    }


def clone_missing(sources: Sequence[PublicSource], mirrors: Path) -> None:
    """Mirror each source's repository that DIR does not hold yet."""
    for source in sources:
        git_dir = mirrors / source.repo.replace("/", "+") / "repo"
        if not git_dir.is_dir():
            print(f"cloning {source.url} -> {git_dir}", file=sys.stderr)
            subprocess.run(
                ["git", "clone", "--quiet", "--mirror", source.url, str(git_dir)], check=True
            )


def read_source(source: PublicSource, mirrors: Path) -> list[LabelledRow]:
    """The source's rows, without duplicate texts (the first occurrence is kept)."""
    git_dir = mirrors / source.repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        raise FileNotFoundError(
            f"{source.name}: no mirror at {git_dir} (git clone --mirror {source.url})"
        )
    seen: set[str] = set()
    rows = []
    for row in source.read(git_reader(git_dir, source.commit)):
        key = " ".join(row.text.lower().split())
        if key and key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def build(
    mirrors: Path,
    out: Path,
    *,
    check: bool = False,
    sources: Sequence[PublicSource] | None = None,
    manifests: Path = MANIFESTS,
) -> list[dict[str, object]]:
    """Write the sources' rows to `out` and their manifests (or compare with them, with check)."""
    written = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for source in all_sources() if sources is None else sources:
            rows = read_source(source, mirrors)
            record = manifest(source, rows)
            path = manifests / f"{source.name}.json"
            if check:
                committed = json.loads(path.read_text(encoding="utf-8"))
                if committed.get("sha256") != record["sha256"]:
                    raise SystemExit(f"{source.name}: rows differ from {path}")
            else:
                path.write_text(
                    json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                )
            for row in rows:
                handle.write(_line(row.model_copy(update={"origin": source.name})) + "\n")
            written.append(record)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="compare with the committed manifests")
    parser.add_argument("--clone", action="store_true", help="mirror the sources DIR lacks")
    parser.add_argument("--only", nargs="*", default=(), help="source names (default: all)")
    args = parser.parse_args(argv)
    chosen = [s for s in all_sources() if not args.only or s.name in args.only]
    if args.clone:
        clone_missing(chosen, args.mirrors)
    for record in build(args.mirrors, args.out, check=args.check, sources=chosen):
        print(f"{record['name']:<28} {record['rows_used']:>7} rows  {record['per_label']}")
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
