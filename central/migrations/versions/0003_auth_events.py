"""The login audit (``auth_events``): each login, failure and lockout; the login throttle
counts failures here, so every server process sees the same count.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("seat", sa.String(32), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.String(200), nullable=False),
    )
    op.create_index("ix_auth_events_user_at", "auth_events", ["user", "at"])
    op.create_index("ix_auth_events_address_at", "auth_events", ["address", "at"])


def downgrade() -> None:
    raise NotImplementedError("the central database only moves forward")
