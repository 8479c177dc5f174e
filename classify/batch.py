"""Batch mode: a file of posts in, a file of verdicts out, with the same engine as the service."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from classify.data import InputRow, RowError, read_rows
from classify.engine import Engine, Result

__all__ = ["BatchSummary", "classify_file", "result_row"]


@dataclass
class BatchSummary:
    rows: int = 0
    labelled: int = 0
    rejected: int = 0


def result_row(row_id: str, result: Result, engine: Engine) -> dict[str, Any]:
    """One output line: id, lang, labels (label, score, severity, kind, evidence), model_version."""
    return {
        "id": row_id,
        "lang": result.lang,
        "labels": [v.model_dump(mode="json", exclude_none=True) for v in result.labels],
        "model_version": engine.model_version,
        "detector_versions": engine.detector_versions,
        "notes": result.notes,
    }


def classify_file(
    engine: Engine, source: Path, output: Path, rejects: Path, *, batch_size: int = 256
) -> BatchSummary:
    """Classify every row of `source`; rows that cannot be read go to `rejects` with the reason."""
    summary = BatchSummary()
    pending: list[tuple[str, InputRow]] = []
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out, rejects.open("w", encoding="utf-8") as bad:
        for line, row in read_rows(source):
            if isinstance(row, RowError):
                _reject(bad, source, row)
                summary.rejected += 1
                continue
            pending.append((row.id or f"line:{line}", row))
            if len(pending) >= batch_size:
                _flush(engine, pending, out, summary)
        _flush(engine, pending, out, summary)
    if not summary.rejected:
        rejects.unlink()
    return summary


def _flush(
    engine: Engine, pending: list[tuple[str, InputRow]], out: IO[str], summary: BatchSummary
) -> None:
    if not pending:
        return
    for (row_id, _), result in zip(
        pending, engine.classify([row.item() for _, row in pending]), strict=True
    ):
        out.write(json.dumps(result_row(row_id, result, engine), ensure_ascii=False) + "\n")
        summary.rows += 1
        summary.labelled += bool(result.labels)
    pending.clear()


def _reject(bad: IO[str], source: Path, error: RowError) -> None:
    record = {
        "file": str(source),
        "line": error.line,
        "reason": error.reason,
        "raw": error.raw[:2000],
    }
    bad.write(json.dumps(record, ensure_ascii=False) + "\n")
