"""Build the personal-data dev set: `{en,fr}.marked.txt` -> `{en,fr}.jsonl` with exact offsets.

    python benchmarks/data/pii/build.py

The same for the held-out set in `heldout/`, written after the detectors were tuned on the first.

Each line of a marked file is one post; `[[type:text]]` marks a gold span. The marks are stripped,
each span's offsets are recorded, and every offset is checked against the text it claims.
All data is invented: 555-01xx numbers, example domains, test card numbers, computed checksums.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPES = {
    "email",
    "phone",
    "card",
    "iban",
    "ssn",
    "sin",
    "nir",
    "ip",
    "address",
    "secret",
    "location",
}
_MARK = re.compile(r"\[\[(\w+):(.+?)\]\]")


def parse(line: str, lang: str) -> dict[str, object]:
    text, spans, cursor = "", [], 0
    for match in _MARK.finditer(line):
        kind, value = match.group(1), match.group(2)
        if kind not in TYPES:
            raise ValueError(f"unknown type {kind!r} in {line!r}")
        text += line[cursor : match.start()]
        spans.append({"start": len(text), "end": len(text) + len(value), "type": kind})
        text += value
        cursor = match.end()
    text += line[cursor:]
    for span, match in zip(spans, _MARK.finditer(line), strict=True):
        assert text[span["start"] : span["end"]] == match.group(2), (line, span)
    return {"text": text, "lang": lang, "spans": spans}


def main() -> None:
    for folder in (HERE, HERE / "heldout"):
        for lang in ("en", "fr"):
            lines = (folder / f"{lang}.marked.txt").read_text(encoding="utf-8").splitlines()
            rows = [
                parse(line, lang) for line in lines if line.strip() and not line.startswith("#")
            ]
            with (folder / f"{lang}.jsonl").open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            spans = sum(len(r["spans"]) for r in rows)  # type: ignore[arg-type]
            negatives = sum(not r["spans"] for r in rows)
            print(
                f"{folder.name}/{lang}: {len(rows)} posts, {spans} spans, {negatives} without any"
            )


if __name__ == "__main__":
    main()
