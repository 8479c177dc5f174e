"""Privacy: legal hold on cases; feedback rows hold what training needs and no more.

Cases gain `legal_hold` (the purge keeps a held case). Feedback rows gain the training fields they
used to borrow from the post (source, bio, place), so they outlive the post's retention, and a
pseudonymous `author_ref` so an erasure finds them; they lose `actor` (who relabeled is in the
audit). Existing rows are filled from their posts.

Revision ID: 0004_privacy
Revises: 0003_auth
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0004_privacy"
down_revision = "0003_auth"
branch_labels = None
depends_on = None


def _author_ref(platform: str, handle: str) -> str:
    # Same as events.pseudonyms.author_ref at the time of this migration (frozen here).
    key = f"{platform.lower()}:{handle.lower().lstrip('@')}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def upgrade() -> None:
    # Plain ALTER TABLE on `cases` both ways (SQLite 3.35+ drops columns): a batch copy of the
    # table would break the foreign keys of the rows that refer to it.
    op.add_column(
        "cases", sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("author_ref", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("source", sa.String(length=10), server_default="mention", nullable=False)
        )
        batch_op.add_column(sa.Column("bio", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("place", sa.String(length=500), nullable=True))
        batch_op.create_index("ix_feedback_author_ref", ["author_ref"], unique=False)
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT f.id, p.platform, p.author_handle, p.source, p.payload FROM feedback f "
            "JOIN posts p ON p.id = f.post_id"
        )
    ).all()
    for fid, platform, handle, source, payload in rows:
        data = json.loads(payload) if isinstance(payload, str) else (payload or {})
        bind.execute(
            sa.text(
                "UPDATE feedback SET author_ref = :ref, source = :source, bio = :bio, "
                "place = :place WHERE id = :id"
            ),
            {
                "ref": _author_ref(platform, handle),
                "source": source,
                "bio": (data.get("author") or {}).get("description"),
                "place": data.get("place"),
                "id": fid,
            },
        )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("actor")


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("actor", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.drop_index("ix_feedback_author_ref")
        for column in ("place", "bio", "source", "author_ref"):
            batch_op.drop_column(column)
    op.drop_column("cases", "legal_hold")
