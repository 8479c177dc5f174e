"""Second review of high-risk closings, a platform index for the queue, trigram text search.

Tasks gain who asked for a closing and who reviewed it, and an index that covers the open-cases
count of /metrics. Cases gain an index for the platform filter and, on PostgreSQL only, a pg_trgm
GIN index that serves `search_text LIKE '%...%'` (SQLite keeps scanning: it has no trigram
index).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _review_columns() -> list[sa.Column]:
    return [
        sa.Column("review_outcome", sa.String(length=10), nullable=True),
        sa.Column("review_requested_by", sa.String(length=64), nullable=True),
        sa.Column("review_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        for column in _review_columns():
            batch_op.add_column(column)
        batch_op.create_index("ix_tasks_open_counts", ["state", "team_id", "label"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_platform_queue", ["platform", "sort_due", "id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension: a database owner may create it (PostgreSQL 13+).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_cases_search_trgm",
            "cases",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cases_search_trgm", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_platform_queue")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_open_counts")
        for column in reversed(_review_columns()):
            batch_op.drop_column(column.name)
