"""The queue's relabel corrections as training rows for the classifier.

A row is `{"text", "labels", "lang", "source"}` (source: mention or staff, as the post came in),
plus `id`, `bio` and `place` when known, so staff-specific labels (a missing disclaimer in a bio,
a geotag) can be learned too. Only a post's latest correction counts (people correct each
other); an empty label list is a real answer: "this post needed no label".

A feedback row stores exactly those fields (the post's text as classify masked it), copied when
the relabel is made, so the row outlives the post's retention and needs no join; it is purged on
its own retention (`retention.feedback`) and erased with its author.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from events.pseudonyms import author_ref
from workflow.db import create_db_engine, transient_errors
from workflow.models import Feedback, PostRecord

__all__ = ["export_feedback", "feedback_row"]


def feedback_row(case_id: int, post: PostRecord, labels: list[str], now: datetime) -> Feedback:
    """The training row of one relabel of `post`."""
    author = post.payload.get("author") or {}
    return Feedback(
        case_id=case_id,
        post_id=post.id,
        author_ref=author_ref(post.platform, post.author_handle),
        text=post.text,
        labels=labels,
        lang=post.lang,
        source=post.payload.get("source") or post.source,  # as it came in (not "brand")
        bio=author.get("description"),
        place=post.payload.get("place"),
        at=now,
    )


def export_feedback(database_url: str) -> list[dict[str, Any]]:
    """One training row per corrected post, oldest correction first."""
    engine = create_db_engine(database_url)
    try:
        with transient_errors("exporting feedback"), Session(engine) as session:
            if not engine.dialect.has_table(session.connection(), Feedback.__tablename__):
                return []  # the workflow never ran on this database
            rows = session.exec(select(Feedback).order_by(col(Feedback.at), col(Feedback.id))).all()
    finally:
        engine.dispose()
    latest = {feedback.post_id: feedback for feedback in rows}
    ordered = sorted(latest.values(), key=lambda f: (f.at, f.id or 0))
    return [_row(feedback) for feedback in ordered]


def _row(feedback: Feedback) -> dict[str, Any]:
    return {
        "text": feedback.text,
        "labels": list(feedback.labels),
        "lang": feedback.lang,
        "source": feedback.source,
        "id": feedback.post_id,
        "bio": feedback.bio,
        "place": feedback.place,
    }
