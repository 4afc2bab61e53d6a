"""Request rate limits shared by every server process (``rate_buckets``): one row per
bucket and window with its count, and the time from which the row may be deleted; and
an index on ``auth_events.at`` for pruning the login audit.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("bucket", sa.String(200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start"),
    )
    op.create_index("ix_rate_buckets_expires_at", "rate_buckets", ["expires_at"])
    op.create_index("ix_auth_events_at", "auth_events", ["at"])


def downgrade() -> None:
    raise NotImplementedError("the central database only moves forward")
