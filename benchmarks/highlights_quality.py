"""Precision and recall of the highlight text rules (helpful answer, customer story) on the
written development set.

    python benchmarks/highlights_quality.py [--data benchmarks/data/highlights/dev.jsonl] [--misses]

Each row is a made-up staff post of Laurentia Mobile: its text and language, its own labels, and
for a reply the labels of the customer's post it answers (`reply_to_labels`, null for an
original post); `expected` lists the kinds a person would give it. The rules of
workflow/highlights.py run on each (as the workflow runs them, the thread's labels being the
customer's post's); prints per kind and language: true positives, false positives, misses,
precision and recall. `--misses` prints the rows the rules got wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from events.schemas import Author, Post, Source  # noqa: E402
from workflow.highlights import Parent, recognise_text  # noqa: E402

KINDS = ("helpful_answer", "customer_story")


def _post(row: dict) -> Post:
    return Post(
        platform="x",
        platform_post_id=str(row["id"]),
        author=Author(id="staff", handle="staff_account"),
        source=Source.staff,
        staff_member_id="s-000",
        text=row["text"],
        lang=row["lang"],
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
        reply_to_id="1" if row["reply_to_labels"] is not None else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks/data/highlights/dev.jsonl")
    parser.add_argument("--misses", action="store_true", help="Print the rows the rules got wrong.")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    counts: Counter[tuple[str, str, str]] = Counter()
    wrong = []
    for row in rows:
        parent_labels = row["reply_to_labels"]
        parent = (
            Parent("mention", "customer", frozenset(parent_labels))
            if parent_labels is not None
            else None
        )
        thread = set(parent_labels or []) | set(row["labels"])
        found = {f.kind for f in recognise_text(_post(row), set(row["labels"]), parent, thread)}
        expected = set(row["expected"])
        for kind in KINDS:
            for lang in (row["lang"], "all"):
                if kind in found and kind in expected:
                    counts[(kind, lang, "tp")] += 1
                elif kind in found:
                    counts[(kind, lang, "fp")] += 1
                elif kind in expected:
                    counts[(kind, lang, "fn")] += 1
        if found != expected:
            wrong.append((row["id"], sorted(expected), sorted(found), row["text"]))
    print(f"{len(rows)} posts ({sum(1 for r in rows if r['reply_to_labels'] is not None)} replies)")
    print(f"{'kind':<16}{'lang':<6}{'tp':>4}{'fp':>4}{'fn':>4}{'precision':>11}{'recall':>8}")
    for kind in KINDS:
        for lang in ("fr", "en", "all"):
            tp, fp, fn = (counts[(kind, lang, k)] for k in ("tp", "fp", "fn"))
            precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
            recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
            print(f"{kind:<16}{lang:<6}{tp:>4}{fp:>4}{fn:>4}{precision:>11}{recall:>8}")
    if args.misses:
        for row_id, expected, found, text in wrong:
            print(f"#{row_id}: expected {expected or '-'}, found {found or '-'}: {text}")


if __name__ == "__main__":
    main()
