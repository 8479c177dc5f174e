"""Notices: escalation steps that name a person, waiting to be delivered to them.

Revision ID: 0008_staffing
Revises: 0007_replies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_staffing"
down_revision = "0007_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notices_case_id", "notices", ["case_id"], unique=False)
    op.create_index("ix_notices_sent_at", "notices", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notices_sent_at", table_name="notices")
    op.drop_index("ix_notices_case_id", table_name="notices")
    op.drop_table("notices")
