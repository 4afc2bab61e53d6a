"""Initial schema: the tables migration 1 created at the first release (commit aac9cc7).

Written out from the ``metadata.create_all`` of that release; ``schema_migrations``, the
old runner's bookkeeping table, is left out (Alembic's ``alembic_version`` replaces it).
Times are ``DateTime(timezone=True)``, the storage type of ``central.schema.UTCDateTime``.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    change_counter = op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("op", sa.String(10), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("everyone", sa.Boolean(), nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "change_units",
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("unit", "seq"),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "units",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("leader", sa.String(200), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        _time("updated_at"),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(32), nullable=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "seats",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("prefix", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        _time("created_at"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("seat", sa.String(32), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "seat_logins",
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("seat", sa.String(32), nullable=False),
        _time("first_at"),
        _time("last_at"),
        sa.PrimaryKeyConstraint("user", "seat"),
    )
    op.create_table(
        "clients",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("seat", sa.String(32), nullable=False),
        sa.Column("last_mutation_id", sa.BigInteger(), nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "mutations",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("op_id", sa.String(64), nullable=False),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("command", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        _time("applied_at"),
        sa.PrimaryKeyConstraint("client_id", "mutation_id"),
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("co_units", sa.Text(), nullable=False),
        sa.Column("caller_phone", sa.String(64), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("leader_instructed", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("dispatched_at"),
        _time("deadline"),
        _time("signed_at", nullable=True),
        _time("replied_at", nullable=True),
        _time("closed_at", nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        _time("urged_at", nullable=True),
        sa.Column("criticised", sa.Boolean(), nullable=False),
        _time("next_callback_at", nullable=True),
        _time("updated_at"),
        sa.Column("snapshot", sa.Text(), nullable=False),
    )
    op.create_index("ix_orders_state_deadline", "orders", ["state", "deadline"])
    op.create_index("ix_orders_caller_phone", "orders", ["caller_phone"])
    op.create_table(
        "order_units",
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("unit", "order_id"),
    )
    op.create_table(
        "order_events",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _time("at"),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(32), nullable=True),
        sa.Column("seat", sa.String(32), nullable=True),
        sa.Column("event", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "seq"),
    )
    op.create_index("ix_order_events_kind_at", "order_events", ["kind", "at"])
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.String(64), primary_key=True),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        _time("received_at"),
        sa.Column("seat", sa.String(32), nullable=True),
        sa.Column("agent", sa.String(64), nullable=True),
        sa.Column("caller_phone", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("ix_contacts_order_id", "contacts", ["order_id"])
    op.create_table(
        "notices",
        sa.Column("number", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("copied_to", sa.String(200), nullable=False),
        _time("issued_at"),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_notices_order_id", "notices", ["order_id"])
    op.create_index("ix_notices_unit", "notices", ["unit"])
    op.create_table(
        "callbacks",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("queue", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_at", nullable=True),
        _time("announced_at", nullable=True),
        _time("updated_at"),
    )
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        _time("updated_at"),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "kb_proposals",
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("unit", sa.String(32), nullable=True),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("article_id", sa.String(64), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        _time("created_at"),
        _time("decided_at", nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        _time("expires_at"),
    )
    op.bulk_insert(change_counter, [{"id": 1, "value": 0}])


def downgrade() -> None:
    raise NotImplementedError("the central database only moves forward")
