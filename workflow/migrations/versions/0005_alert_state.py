"""The alerts service keeps its state in the database: incident cooldowns, group send times,
alerts waiting to go out (held for a digest or being delivered), and the posts counted for
volume spikes, so a crash loses no alert and replicas never send one twice.

Revision ID: 0005_alert_state
Revises: 0004_privacy
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_alert_state"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_incidents",
        sa.Column("incident", sa.String(length=250), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("incident"),
    )
    op.create_index("ix_alert_incidents_alerted_at", "alert_incidents", ["alerted_at"])
    op.create_table(
        "alert_groups",
        sa.Column("group_key", sa.String(length=250), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_key"),
    )
    op.create_index("ix_alert_groups_sent_at", "alert_groups", ["sent_at"])
    op.create_table(
        "alert_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=250), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_id", sa.String(length=32), nullable=False),
        sa.Column("alert", sa.JSON(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_queue_group_key", "alert_queue", ["group_key"])
    op.create_index("ix_alert_queue_due", "alert_queue", ["due_at", "claimed_at"])
    op.create_table(
        "spike_sightings",
        sa.Column("series", sa.String(length=250), nullable=False),
        sa.Column("post_ref", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("series", "post_ref"),
    )
    op.create_index("ix_spike_sightings_at", "spike_sightings", ["at", "series"])


def downgrade() -> None:
    op.drop_index("ix_spike_sightings_at", table_name="spike_sightings")
    op.drop_table("spike_sightings")
    op.drop_index("ix_alert_queue_due", table_name="alert_queue")
    op.drop_index("ix_alert_queue_group_key", table_name="alert_queue")
    op.drop_table("alert_queue")
    op.drop_index("ix_alert_groups_sent_at", table_name="alert_groups")
    op.drop_table("alert_groups")
    op.drop_index("ix_alert_incidents_alerted_at", table_name="alert_incidents")
    op.drop_table("alert_incidents")
