"""The audit trail exported for an admin: every entry of a date range, as JSON lines or CSV.

The audit is what an auditor, a regulator or a court asks for ("who saw and changed what, when");
entries come out in the order they were written, with their before/after states as JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from workflow.models import AuditEntry

__all__ = ["AUDIT_FIELDS", "AuditFormat", "audit_entries", "render_audit"]

AuditFormat = Literal["jsonl", "csv"]
AUDIT_FIELDS = ["id", "at", "case_id", "task_id", "actor", "action", "before", "after", "clock"]
_PAGE = 1000


def audit_entries(session: Session, since: datetime, until: datetime) -> Iterator[dict[str, Any]]:
    """Entries with since <= at < until in the order they were written, a page at a time."""
    last = 0
    while True:
        page = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.at) >= since, col(AuditEntry.at) < until, col(AuditEntry.id) > last)
            .order_by(col(AuditEntry.id))
            .limit(_PAGE)
        ).all()
        for entry in page:
            yield {
                "id": entry.id,
                "at": entry.at.isoformat(),
                "case_id": entry.case_id,
                "task_id": entry.task_id,
                "actor": entry.actor,
                "action": entry.action,
                "before": entry.before,
                "after": entry.after,
                "clock": list(entry.clock),
            }
        if len(page) < _PAGE:
            return
        last = page[-1].id or last


def render_audit(entries: Iterator[dict[str, Any]], fmt: AuditFormat) -> Iterator[str]:
    """The entries as JSON lines, or as CSV with a header (JSON cells for before/after/clock)."""
    if fmt == "jsonl":
        for entry in entries:
            yield json.dumps(entry, ensure_ascii=False) + "\n"
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_FIELDS, lineterminator="\n")
    writer.writeheader()
    yield out.getvalue()
    for entry in entries:
        out.seek(0)
        out.truncate()
        writer.writerow(
            entry | {k: json.dumps(entry[k], ensure_ascii=False) for k in ("before", "after", "clock")}
        )
        yield out.getvalue()
