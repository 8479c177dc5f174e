"""Storing posts and shadow verdicts as received, and saying why a post opened no case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from events.brand import BrandConfig
from events.schemas import Source, Verdict
from workflow.models import ShadowVerdict

__all__ = ["insert_ignore", "insert_shadows", "post_record", "recorded_reason"]


def post_record(
    verdict: Verdict,
    *,
    outcome: str,
    now: datetime,
    case_id: int | None = None,
    reason: str = "",
    rules: Sequence[str] = (),
) -> dict[str, Any]:
    """The `posts` row of a verdict (a dict: posts are written in bulk)."""
    post = verdict.post
    return {
        "id": post.post_id,
        "thread_id": post.thread_id,
        "case_id": case_id,
        "platform": post.platform,
        "author_id": post.author.id,
        "author_handle": post.author.handle,
        "source": post.source.value,
        "lang": (verdict.lang or post.lang or "und")[:10],
        "text": post.text,
        "url": post.url,
        "created_at": post.created_at,
        "received_at": now,
        "outcome": outcome,
        "reason": reason[:200],
        "rules": list(dict.fromkeys(rules)),
        "labels": [lv.model_dump(mode="json") for lv in verdict.labels],
        "severity": verdict.severity.value if verdict.severity else None,
        "model_version": verdict.model_version[:100],
        "detector_versions": dict(verdict.detector_versions),
        "payload": post.model_dump(mode="json"),
    }


def recorded_reason(verdict: Verdict, config: BrandConfig) -> str:
    """Why a post opened no case (stored with it, so nothing is dropped silently)."""
    if verdict.labels:
        return "labels disabled in the brand configuration: " + ", ".join(
            lv.label.value for lv in verdict.labels
        )
    if verdict.post.source is Source.staff:
        return "staff post without label"
    return "no label, no question addressed to the brand, author on no list"


def insert_ignore(session: Session, model: type, rows: list[dict]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on either database; returns the rows inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(rows).on_conflict_do_nothing()
    return len(session.execute(statement.returning(*table.primary_key.columns)).all())


def insert_shadows(session: Session, verdicts: Sequence[Verdict]) -> int:
    """Keep candidate models' verdicts (one per post and model version) for comparison."""
    rows = [
        {
            "post_id": v.post.post_id,
            "thread_id": v.post.thread_id,
            "model_version": v.model_version[:100],
            "labels": [lv.model_dump(mode="json") for lv in v.labels],
            "text": v.post.text,
            "lang": (v.lang or v.post.lang or "und")[:10],
            "classified_at": v.classified_at,
        }
        for v in verdicts
    ]
    return insert_ignore(session, ShadowVerdict, rows)
