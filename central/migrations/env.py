"""Alembic's entry point: migrate on the connection the runner hands over (online only).

The runner (``central.migrations.upgrade``) passes a connection that is already inside
the caller's writing transaction, so Alembic neither opens nor commits one of its own.
Imported as a plain module (outside an Alembic run) it does nothing.
"""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through central.migrations.upgrade (workstation admin migrate)"
        )
    context.configure(connection=connection, target_metadata=None, version_table="alembic_version")
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # inside an Alembic run
    run_migrations()
