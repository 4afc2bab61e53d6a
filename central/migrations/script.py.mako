"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "${up_revision}"
down_revision = ${repr(down_revision).replace("'", '"')}
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Write the DDL out (op.create_table, op.add_column, ...); never import central.schema.
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    raise NotImplementedError("the central database only moves forward")
