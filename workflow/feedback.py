"""The queue's relabel corrections as training rows for the classifier.

A row is `{"text", "labels", "lang", "source"}` (source: mention or staff, as the post came in),
plus `id`, `bio` and `place` when known, so staff-specific labels (a missing disclaimer in a bio,
a geotag) can be learned too. Only a post's latest correction counts (people correct each
other); an empty label list is a real answer: "this post needed no label".
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from workflow.db import create_db_engine, transient_errors
from workflow.models import Feedback, PostRecord

__all__ = ["export_feedback"]


def export_feedback(database_url: str) -> list[dict[str, Any]]:
    """One training row per corrected post, oldest correction first."""
    engine = create_db_engine(database_url)
    try:
        with transient_errors("exporting feedback"), Session(engine) as session:
            if not engine.dialect.has_table(session.connection(), Feedback.__tablename__):
                return []  # the workflow never ran on this database
            rows = session.exec(
                select(Feedback, PostRecord.source, PostRecord.payload)
                .join(PostRecord, col(PostRecord.id) == col(Feedback.post_id))
                .order_by(col(Feedback.at), col(Feedback.id))
            ).all()
    finally:
        engine.dispose()
    latest = {feedback.post_id: (feedback, source, payload) for feedback, source, payload in rows}
    ordered = sorted(latest.values(), key=lambda r: (r[0].at, r[0].id or 0))
    return [_row(feedback, source, payload) for feedback, source, payload in ordered]


def _row(feedback: Feedback, source: str, payload: dict[str, Any]) -> dict[str, Any]:
    author = payload.get("author") or {}
    return {
        "text": feedback.text,
        "labels": list(feedback.labels),
        "lang": feedback.lang,
        "source": source,
        "id": feedback.post_id,
        "bio": author.get("description"),
        "place": payload.get("place"),
    }
