"""Security event log; the sticky review gate and pending relabel of high-risk cases.

`security_events` records logins, failures, logouts, tokens, passwords and user changes (and is
the login throttle's shared memory). Cases gain `review_gate` (the case once carried a review
label) and `relabel_request` (a relabel removing a review label, waiting for a second person).
API tokens made before every token had a lifetime get one: 90 days from the upgrade.

Revision ID: 0003_auth
Revises: 0002
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from workflow.models import UtcDateTime

revision = "0003_auth"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_security_events_at", "security_events", ["at"], unique=False)
    op.create_index(
        "ix_security_events_kind_username",
        "security_events",
        ["kind", "username", "at"],
        unique=False,
    )
    op.create_index(
        "ix_security_events_kind_address",
        "security_events",
        ["kind", "address", "at"],
        unique=False,
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_gate", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("relabel_request", sa.JSON(), nullable=True))
    # Cases already carrying a review label keep their gate whatever happens to the label.
    op.execute(
        "UPDATE cases SET review_gate = TRUE WHERE id IN (SELECT case_id FROM case_labels "
        "WHERE label IN ('risky_disclosure', 'investor_sensitive'))"
    )
    tokens = sa.table(
        "auth_tokens", sa.column("expires_at", UtcDateTime()), sa.column("kind", sa.String)
    )
    op.get_bind().execute(
        tokens.update()
        .where(tokens.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=90))
    )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("relabel_request")
        batch_op.drop_column("review_gate")
    op.drop_index("ix_security_events_kind_address", table_name="security_events")
    op.drop_index("ix_security_events_kind_username", table_name="security_events")
    op.drop_index("ix_security_events_at", table_name="security_events")
    op.drop_table("security_events")
