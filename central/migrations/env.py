"""Alembic's entry point: migrate on the connection the runner hands over (online only).

The runner (``central.migrations.upgrade``) passes a connection that is already inside
the caller's writing transaction, so Alembic neither opens nor commits one of its own.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through central.migrations.upgrade (workstation admin migrate)"
    )

context.configure(connection=connection, target_metadata=None, version_table="alembic_version")
with context.begin_transaction():
    context.run_migrations()
