"""Replies from cases: answers sent to the platform (through ingest), hidden replies, and
"answered elsewhere", with their approval, outbox state and platform id.

Revision ID: 0007_replies
Revises: 0006_conversation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.models import UtcDateTime

revision = "0007_replies"
down_revision = "0006_conversation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_key", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.String(length=250), nullable=True),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("lang", sa.String(length=10), nullable=True),
        sa.Column("template", sa.String(length=60), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("platform_post_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reply_key"),
    )
    op.create_index("ix_replies_case_id", "replies", ["case_id"])
    op.create_index("ix_replies_platform_post_id", "replies", ["platform_post_id"])
    op.create_index("ix_replies_outbox", "replies", ["state", "published_at"])


def downgrade() -> None:
    op.drop_table("replies")
