"""Command keys and unique op ids (issue 13): each login session gets a public
``session_id``, a ``command_key`` that signs its user's commands and the key's own expiry;
each stored mutation keeps the proof it came with; an ``op_id`` is applied once.

Earlier duplicate op ids (the same op applied at two mutation ids) are renamed before the
unique index is built: every copy after the first gets ``~<mutation_id>`` at its end.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("session_id", sa.String(64), nullable=True))
    op.add_column("sessions", sa.Column("command_key", sa.String(64), nullable=True))
    op.add_column(
        "sessions", sa.Column("key_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ux_sessions_session_id", "sessions", ["session_id"], unique=True)
    op.add_column("mutations", sa.Column("proof", sa.String(64), nullable=True))
    op.execute(
        "UPDATE mutations SET op_id = substr(op_id, 1, 40) || '~' || CAST(mutation_id AS"
        " VARCHAR) WHERE EXISTS (SELECT 1 FROM mutations AS m WHERE m.op_id = mutations.op_id"
        " AND (m.client_id < mutations.client_id OR (m.client_id = mutations.client_id"
        " AND m.mutation_id < mutations.mutation_id)))"
    )
    op.create_index("ux_mutations_op_id", "mutations", ["op_id"], unique=True)


def downgrade() -> None:
    raise NotImplementedError("the central database only moves forward")
