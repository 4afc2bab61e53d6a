"""Work orders on the server: events, the current snapshot row, contacts, notices, callbacks.

The events in ``order_events`` are the truth; the ``orders`` row holds the folded snapshot
(``workstation.orders.snapshot``) and the columns of the order row
(``workstation.wire.order.order_row``) that jobs and lists filter on. Both are
written in the same transaction as the change that tells the seats.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from central import schema
from central.changes import INTAKE, Change, Tx, author_scopes, dumps
from workstation.contacts import contact_to_dict
from workstation.errors import AlreadyExists
from workstation.models import Contact, Event, OrderState
from workstation.orders import WorkOrder, from_snapshot, snapshot
from workstation.wire.order import ORDER_ROW_COLUMNS, order_row


def order_units(order: WorkOrder | None) -> tuple[str, ...]:
    return () if order is None else (order.unit, *order.co_units)


@cache
def _order_statements() -> tuple[Any, Any, Any]:
    """(select snapshot, update order row, update callback row), with bound parameters."""
    o, cb = schema.orders, schema.callbacks
    select_snapshot = select(o.c.snapshot).where(o.c.order_id == bindparam("b_order_id"))
    update_order = update(o).where(o.c.order_id == bindparam("b_order_id"))
    update_callback = update(cb).where(cb.c.order_id == bindparam("b_order_id"))
    return select_snapshot, update_order, update_callback


def load_order(tx: Tx, order_id: str) -> WorkOrder | None:
    """The order, locked for the rest of the transaction (PostgreSQL row lock).

    Cached in ``tx.orders``: once loaded (and locked) or saved, later commands of the same
    push batch reuse it instead of re-reading the row and folding its events again.
    """
    if order_id in tx.orders:
        return tx.orders[order_id]  # type: ignore[no-any-return]
    stmt = tx.db.for_update(_order_statements()[0])
    row = tx.conn.execute(stmt, {"b_order_id": order_id}).first()
    order = None if row is None else from_snapshot(json.loads(row.snapshot))
    tx.orders[order_id] = order
    return order


def forget_order(tx: Tx, order_id: str | None) -> None:
    """Drop a cached order (its savepoint was rolled back: the row is as before)."""
    if order_id is not None:
        tx.orders.pop(order_id, None)


def save_order(tx: Tx, before: WorkOrder | None, after: WorkOrder, events: list[Event]) -> None:
    """Append the events, rewrite the snapshot row and emit the ``order`` change.

    The change is scoped to the units before and after, so a unit sees the order leave.
    """
    event_rows = [
        {
            "order_id": e.order_id,
            "seq": e.seq,
            "kind": e.kind,
            "at": e.at,
            "actor": e.actor,
            "role": e.role.value,
            "unit": e.unit,
            "seat": e.seat,
            "event": dumps(e.to_dict()),
        }
        for e in events
    ]
    snap = snapshot(after)
    text = dumps(snap)
    values = server_row(snap)
    values.update(updated_at=tx.now, snapshot=text)
    writes = tx.writes
    if writes is not None:  # a push batch: written at its end (central.batch_writes)
        writes.events.extend(event_rows)
        writes.order(after.order_id, before is not None, values)
        if order_units(before) != order_units(after):
            writes.units(after.order_id, before is not None, order_units(after))
        _sync_callback(tx, after)
        _saved(tx, before, after, snap, text)
        return
    if event_rows:
        tx.conn.execute(schema.order_events.insert(), event_rows)
    o = schema.orders
    if before is None:
        tx.conn.execute(o.insert(), {"order_id": after.order_id, **values})
    else:
        tx.conn.execute(_order_statements()[1], {"b_order_id": after.order_id, **values})
    if order_units(before) != order_units(after):
        ou = schema.order_units
        if before is not None:
            tx.conn.execute(delete(ou).where(ou.c.order_id == after.order_id))
        tx.conn.execute(
            ou.insert(),
            [{"unit": u, "order_id": after.order_id} for u in dict.fromkeys(order_units(after))],
        )
    _sync_callback(tx, after)
    _saved(tx, before, after, snap, text)


def _saved(
    tx: Tx, before: WorkOrder | None, after: WorkOrder, snap: dict[str, Any], text: str
) -> None:
    """The order is the transaction's from now on; the seats hear of it."""
    tx.orders[after.order_id] = after
    tx.emit(
        Change(
            "order",
            after.order_id,
            snap,
            units=(*order_units(before), *order_units(after)),
            text=text,
            scopes=author_scopes(after.seat, after.created_by),
        )
    )


_SERVER_COLUMNS = tuple(c.name for c in schema.orders.columns if c.name in ORDER_ROW_COLUMNS)
_TIMES = frozenset(c.name for c in schema.orders.columns if isinstance(c.type, schema.UTCDateTime))


def server_row(snap: dict[str, Any]) -> dict[str, Any]:
    """The ``orders`` table's columns of the order row (``workstation.wire.order``)."""
    row = order_row(snap)
    values = {c: row[c] for c in _SERVER_COLUMNS if c != "order_id"}
    values["co_units"] = dumps(row["co_units"])
    for name in _TIMES.intersection(values):
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    return values


def _sync_callback(tx: Tx, order: WorkOrder) -> None:
    """Keep the callback task row (回访任务) in step with the order."""
    if order.callback_queue is None:
        return
    if order.state is OrderState.CALLBACK_PENDING and not order.dissatisfied:
        status = "pending"
    elif order.closed_reason == "unreachable":
        status = "unreachable"
    else:
        status = "done"
    values = {
        "queue": order.callback_queue,
        "status": status,
        "attempts": order.callback_attempts,
        "next_at": order.next_callback_at,
        "updated_at": tx.now,
    }
    if tx.writes is not None:
        tx.writes.callbacks[order.order_id] = values
        return
    if not tx.db.insert_ignore(tx.conn, schema.callbacks, {"order_id": order.order_id, **values}):
        tx.conn.execute(_order_statements()[2], {"b_order_id": order.order_id, **values})


def callback_change(order: WorkOrder, due: bool) -> Change:
    """A ``callback`` change for the operators' or supervision queue (staff only)."""
    data = {
        "order_id": order.order_id,
        "queue": order.callback_queue,
        "attempts": order.callback_attempts,
        "next_at": order.next_callback_at.isoformat() if order.next_callback_at else None,
        "due": due,
        "state": order.state.value,
    }
    return Change("callback", order.order_id, data)


def store_contact(tx: Tx, contact: Contact, units: tuple[str, ...] = ()) -> dict[str, Any]:
    """Insert a contact record (every contact is logged); a reused id is refused."""
    data = contact_to_dict(contact)
    text = dumps(data)
    row = {
        "contact_id": contact.contact_id,
        "order_id": contact.order_id,
        "outcome": contact.outcome.value,
        "received_at": contact.received_at,
        "seat": contact.seat,
        "agent": contact.agent,
        "caller_phone": contact.caller_phone,
        "data": text,
    }
    writes = tx.writes
    if writes is not None and contact.contact_id in writes.contact_ids:
        added = False  # an earlier command of this push batch logged it
    elif writes is not None and writes.contact_free(contact.contact_id):
        writes.contact(row)  # a push batch: written at its end (central.batch_writes)
        added = True
    else:
        added = tx.db.insert_ignore(tx.conn, schema.contacts, row)
    if not added:
        raise AlreadyExists(
            f"来电记录 {contact.contact_id} 已存在", f"contact {contact.contact_id} already exists"
        )
    scopes = author_scopes(contact.seat, contact.agent) or (INTAKE,)
    tx.emit(Change("contact", contact.contact_id, data, units=units, text=text, scopes=scopes))
    return data


def next_counter(tx: Tx, name: str) -> int:
    """The next value of a named counter (locked until the transaction ends)."""
    c = schema.counters
    tx.db.insert_ignore(tx.conn, c, {"name": name, "value": 0})
    return int(
        tx.conn.execute(
            update(c).where(c.c.name == name).values(value=c.c.value + 1).returning(c.c.value)
        ).scalar_one()
    )


# -- reads ----------------------------------------------------------------------------


def get_snapshot(conn: Connection, order_id: str) -> dict[str, Any] | None:
    o = schema.orders
    row = conn.execute(select(o.c.snapshot).where(o.c.order_id == order_id)).first()
    return None if row is None else json.loads(row.snapshot)


def list_snapshots(
    conn: Connection, unit: str | None, state: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Orders (newest first) of a unit (handling or co-handling) and/or in a state."""
    o, ou = schema.orders, schema.order_units
    where: list[Any] = []
    if unit is not None:
        where.append(o.c.order_id.in_(select(ou.c.order_id).where(ou.c.unit == unit)))
    if state is not None:
        where.append(o.c.state == state)
    total = conn.execute(select(func.count()).select_from(o).where(*where)).scalar_one()
    rows = conn.execute(
        select(o.c.snapshot)
        .where(*where)
        .order_by(o.c.created_at.desc(), o.c.order_id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return [json.loads(r) for r in rows], int(total)


def contacts_of(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    c = schema.contacts
    rows = conn.execute(
        select(c.c.data).where(c.c.order_id == order_id).order_by(c.c.received_at)
    ).scalars()
    return [json.loads(r) for r in rows]
