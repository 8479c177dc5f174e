"""A case is a conversation: threads joined by a merge rule, merge keys, the summary's post.

`case_threads` lists the other threads whose posts join a case and the rule that joined them;
`case_merge_keys` holds one row per merge-rule key (its primary key is what makes concurrent
replicas agree); cases gain `summary_post_id`, the post their summary quotes. Open cases keep
their per-concern `open_slot`: new cases use one slot per thread.

Revision ID: 0006_conversation
Revises: 0005_alert_state
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_conversation"
down_revision = "0005_alert_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_threads",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.String(length=250), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("post_id", sa.String(length=250), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "thread_id"),
    )
    op.create_index("ix_case_threads_thread_id", "case_threads", ["thread_id"], unique=False)
    op.create_table(
        "case_merge_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_case_merge_keys_case_id", "case_merge_keys", ["case_id"], unique=False)
    # Plain ALTER TABLE (see 0004): a batch copy of `cases` would break the foreign keys to it.
    op.add_column("cases", sa.Column("summary_post_id", sa.String(length=250), nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "summary_post_id")
    op.drop_index("ix_case_merge_keys_case_id", table_name="case_merge_keys")
    op.drop_table("case_merge_keys")
    op.drop_index("ix_case_threads_thread_id", table_name="case_threads")
    op.drop_table("case_threads")
