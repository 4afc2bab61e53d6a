"""Change scopes (issue 15): ``change_units.unit`` holds scope keys, not unit codes.

A unit's code becomes ``unit:<code>``; ``*`` stays. Contacts and orders already in the
feed get the keys of the seat and user that made them (from ``contacts``), and web/mobile
requests the ``intake`` key, so a seat that pulls again from 0 still gets its own intake.
The column widens to hold ``user:<64-character name>``. Contacts get an index on the
caller's phone, for the caller history the seats now ask the server for.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_units") as batch:
        batch.alter_column(
            "unit", existing_type=sa.String(32), type_=sa.String(80), existing_nullable=False
        )
    op.execute("UPDATE change_units SET unit = 'unit:' || unit WHERE unit <> '*'")
    for prefix, column in (("seat:", "seat"), ("user:", "agent")):
        op.execute(
            "INSERT INTO change_units (unit, seq)"
            f" SELECT DISTINCT '{prefix}' || ct.{column}, ch.seq FROM changes ch"
            " JOIN contacts ct ON ("
            "  (ch.entity = 'contact' AND ct.contact_id = ch.key)"
            "  OR (ch.entity = 'order' AND ct.order_id = ch.key))"
            f" WHERE ct.{column} IS NOT NULL AND ct.{column} <> ''"
        )
    op.execute(
        "INSERT INTO change_units (unit, seq)"
        " SELECT DISTINCT 'intake', ch.seq FROM changes ch"
        " JOIN contacts ct ON ch.entity = 'contact' AND ct.contact_id = ch.key"
        " WHERE ct.seat IS NULL OR ct.data LIKE '%\"open311\"%'"
    )

    op.create_index("ix_contacts_caller_phone", "contacts", ["caller_phone", "received_at"])


def downgrade() -> None:
    raise NotImplementedError("the central database only moves forward")
