"""The rows a push batch writes at its end: one multi-row statement per table.

In a push batch (:mod:`central.sync_server`) the work-order tables are not written command
by command: each command's rows are collected here and written by ``Tx.flush``, just
before the change counter is bumped, as one multi-row INSERT (or one pipelined
``executemany``) per table. An order touched by several commands of the batch is written
once, in its last state.

A command the domain refuses leaves nothing behind: ``mark()`` before it and ``undo()``
after it drop what it added. Reads during the batch never need these rows: the orders
are read through ``tx.orders`` (the batch's cache), and a contact id is checked against
the ids found at the start of the batch plus those the batch added (``contact_free``).
Two batches racing for the same new order or contact id meet at the unique index when
one of them flushes; that one rolls back whole and is retried (``sync_server.push_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, update

from central import schema


@dataclass
class BatchWrites:
    """Rows waiting for the end of the batch (see the module docstring)."""

    free_contacts: set[str] = field(default_factory=set)  # ids absent when the batch began
    new_orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # to insert
    old_orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # to update
    unit_sets: dict[str, tuple[bool, tuple[str, ...]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    contact_ids: set[str] = field(default_factory=set)
    callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)  # name -> value to store
    counter_tops: dict[str, int] = field(default_factory=dict)  # name -> highest so far

    # -- what commands add ---------------------------------------------------------------

    def order(self, order_id: str, existed: bool, values: dict[str, Any]) -> None:
        """The order row in its latest state (``existed``: the row was there before)."""
        if order_id in self.new_orders or not existed:
            self.new_orders[order_id] = values
        else:
            self.old_orders[order_id] = values

    def units(self, order_id: str, existed: bool, units: tuple[str, ...]) -> None:
        """The order's unit set now; the rows stored before the batch are replaced."""
        before = self.unit_sets.get(order_id)
        self.unit_sets[order_id] = (before[0] if before else existed, units)

    def contact_free(self, contact_id: str) -> bool:
        """Known absent at the start of the batch and not added by it since."""
        return contact_id in self.free_contacts and contact_id not in self.contact_ids

    def contact(self, row: dict[str, Any]) -> None:
        self.contacts.append(row)
        self.contact_ids.add(row["contact_id"])

    # -- a refused command ----------------------------------------------------------------

    def mark(self) -> tuple[Any, ...]:
        return (
            dict(self.new_orders),
            dict(self.old_orders),
            dict(self.unit_sets),
            len(self.events),
            len(self.contacts),
            dict(self.callbacks),
            dict(self.counters),
            dict(self.counter_tops),
        )

    def undo(self, mark: tuple[Any, ...]) -> None:
        """Back to ``mark``: what the refused command added is dropped."""
        new, old, units, n_events, n_contacts, callbacks, counters, tops = mark
        self.new_orders, self.old_orders, self.unit_sets = new, old, units
        del self.events[n_events:]
        if len(self.contacts) != n_contacts:
            del self.contacts[n_contacts:]
            self.contact_ids = {c["contact_id"] for c in self.contacts}
        self.callbacks, self.counters, self.counter_tops = callbacks, counters, tops

    # -- the end of the batch --------------------------------------------------------------

    def flush(self, conn: Connection, postgres: bool) -> None:
        """Write everything: one statement per table (inserts as multi-row VALUES)."""
        o, ou = schema.orders, schema.order_units
        if self.new_orders:
            rows = [{"order_id": k, **v} for k, v in self.new_orders.items()]
            insert_rows(conn, o, rows, postgres)
        if self.old_orders:
            stmt = update(o).where(o.c.order_id == bindparam("b_order_id"))
            conn.execute(stmt, [{"b_order_id": k, **v} for k, v in self.old_orders.items()])
        replaced = [k for k, (existed, _) in self.unit_sets.items() if existed]
        if replaced:
            conn.execute(delete(ou).where(ou.c.order_id.in_(replaced)))
        unit_rows = [
            {"unit": u, "order_id": k}
            for k, (_, units) in self.unit_sets.items()
            for u in dict.fromkeys(units)
        ]
        if unit_rows:
            insert_rows(conn, ou, unit_rows, postgres)
        if self.events:
            insert_rows(conn, schema.order_events, self.events, postgres)
        if self.contacts:
            insert_rows(conn, schema.contacts, self.contacts, postgres)
        if self.callbacks:
            conn.execute(_callback_upsert(postgres), [
                {"order_id": k, **v} for k, v in self.callbacks.items()
            ])  # fmt: skip
        if self.counters:
            c = schema.counters
            stmt = update(c).where(c.c.name == bindparam("b_name"))
            conn.execute(stmt, [{"b_name": k, "value": v} for k, v in self.counters.items()])


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]], postgres: bool) -> None:
    """INSERT ``rows`` (all with the same keys) in one statement.

    On PostgreSQL: ``INSERT ... SELECT * FROM unnest(%(a)s::type[], ...)``, one array per
    column, sent in binary (no escaping of the text), so the statement text is the same
    whatever the number of rows (psycopg parses
    and prepares it once; a multi-row VALUES would be a new text of thousands of
    placeholders each time, and a plain executemany one statement per row). SQLite's
    executemany runs in process and needs nothing of the kind.
    """
    if not postgres or len(rows) < 2:
        conn.execute(table.insert(), rows)
        return
    sql, defaults = _unnest_insert(table, tuple(rows[0]))
    params = {name: [row[name] for row in rows] for name in rows[0]}
    for name, value in defaults.items():
        params[name] = [value] * len(rows)
    conn.exec_driver_sql(sql, params)


@cache
def _unnest_insert(table: Table, given: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """The unnest INSERT of ``table`` for rows with the keys ``given`` (the columns left
    out that have a constant default get it), and those defaults."""
    from sqlalchemy import TypeDecorator
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    defaults = {
        c.name: c.default.arg  # type: ignore[attr-defined]
        for c in table.columns
        if c.name not in given and c.default is not None and c.default.is_scalar
    }
    names = (*given, *defaults)
    casts = []
    for name in names:
        kind = table.c[name].type
        if isinstance(kind, TypeDecorator):
            kind = kind.impl_instance
        casts.append(f"%({name})b::{kind.compile(dialect=dialect)}[]")
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) SELECT * FROM unnest({", ".join(casts)})'
    return sql, defaults


def _callback_upsert(postgres: bool) -> Any:
    """INSERT a callback row, or update the columns the order keeps in step."""
    if postgres:
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    cb = schema.callbacks
    stmt = insert(cb)
    columns = ("queue", "status", "attempts", "next_at", "updated_at")
    return stmt.on_conflict_do_update(
        index_elements=[cb.c.order_id], set_={c: stmt.excluded[c] for c in columns}
    )
