"""The citizen's web pages (issue 17): publication decisions per order
(``order_publication``), the lookup codes of requests submitted on the web page
(``web_lookups``), the server's own secrets (``server_secrets``), an index for the
public list of closed orders, and ``public_search`` (content and reply of each closed
order, filled here from the snapshots of the orders already closed).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_publication",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "web_lookups",
        sa.Column("contact_id", sa.String(64), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_orders_state_closed_at", "orders", ["state", "closed_at"])
    op.create_table(
        "public_search",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        text = (
            "COALESCE(CAST(snapshot AS json)->>'content', '') || chr(10)"
            " || COALESCE(CAST(snapshot AS json)->>'reply', '')"
        )
    else:
        text = (
            "COALESCE(json_extract(snapshot, '$.content'), '') || char(10)"
            " || COALESCE(json_extract(snapshot, '$.reply'), '')"
        )
    op.execute(
        f"INSERT INTO public_search (order_id, text) SELECT order_id, {text}"
        " FROM orders WHERE state = 'closed'"
    )


def downgrade() -> None:
    raise NotImplementedError("the central database only moves forward")
