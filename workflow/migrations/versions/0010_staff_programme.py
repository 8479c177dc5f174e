"""The staff programme: policy acknowledgements, reminder and digest mails sent, staff post
checks (acceptance overdue when the post arrived), highlights and engagement baselines.

Revision ID: 0010_staff_programme
Revises: 0009_stories
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_staff_programme"
down_revision = "0009_stories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_acknowledgements",
        sa.Column("staff_id", sa.String(length=100), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.create_table(
        "staff_mails",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "staff_post_checks",
        sa.Column("post_id", sa.String(length=250), nullable=False),
        sa.Column("staff_id", sa.String(length=100), nullable=False),
        sa.Column("policy_status", sa.String(length=10), nullable=False),
        sa.Column("policy_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("post_id"),
    )
    op.create_index(
        "ix_staff_post_checks_staff_id", "staff_post_checks", ["staff_id"], unique=False
    )
    op.create_table(
        "highlights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.String(length=250), nullable=False),
        sa.Column("staff_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("account_use", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "kind"),
    )
    op.create_index("ix_highlights_staff_id", "highlights", ["staff_id"], unique=False)
    op.create_index("ix_highlights_posted_at", "highlights", ["posted_at"], unique=False)
    op.create_table(
        "engagement_baselines",
        sa.Column("account", sa.String(length=350), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("mean_log", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account"),
    )


def downgrade() -> None:
    op.drop_table("engagement_baselines")
    op.drop_index("ix_highlights_posted_at", table_name="highlights")
    op.drop_index("ix_highlights_staff_id", table_name="highlights")
    op.drop_table("highlights")
    op.drop_index("ix_staff_post_checks_staff_id", table_name="staff_post_checks")
    op.drop_table("staff_post_checks")
    op.drop_table("staff_mails")
    op.drop_table("policy_acknowledgements")
