"""Rumour stories: posts carrying the same claim gathered into one story, and its posts.

Revision ID: 0009_stories
Revises: 0008_staffing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_stories"
down_revision = "0008_staffing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=300), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("answer_url", sa.String(length=2000), nullable=True),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("anchor_post_id", sa.String(length=250), nullable=True),
        sa.Column("first_post_id", sa.String(length=250), nullable=False),
        sa.Column("last_post_id", sa.String(length=250), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spread_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stories_case_id", "stories", ["case_id"], unique=False)
    op.create_index("ix_stories_state_last", "stories", ["state", "last_at"], unique=False)
    op.create_table(
        "story_posts",
        sa.Column("post_id", sa.String(length=250), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.String(length=250), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("lang", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("shared", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"]),
        sa.PrimaryKeyConstraint("post_id"),
    )
    op.create_index("ix_story_posts_story_id", "story_posts", ["story_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_story_posts_story_id", table_name="story_posts")
    op.drop_table("story_posts")
    op.drop_index("ix_stories_state_last", table_name="stories")
    op.drop_index("ix_stories_case_id", table_name="stories")
    op.drop_table("stories")
