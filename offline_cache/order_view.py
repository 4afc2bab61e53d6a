"""Writes inside one local transaction: outbox commands and the optimistic order view.

The view of an order is always recomputed the same way: the server's snapshot (from pull
or push results) with this seat's commands that it does not contain yet re-applied on top
through ``workflow.execute`` at their own client time: the pending ones, and the applied
ones acknowledged by a slim result (``{"version": V}`` in ``outbox.result``) while the
snapshot is still older than V. So a pulled change, an acknowledgement and a rejection all
correct the view by the same code path.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from offline_cache.db import get_meta, set_meta
from offline_cache.ids import uuid7
from workstation.models import Actor, Role
from workstation.orders import WorkOrder, from_snapshot, snapshot
from workstation.permissions import ORDER_COMMANDS


def append_command(
    conn: sqlite3.Connection,
    *,
    command: str,
    args: dict[str, Any],
    actor: Actor,
    now: datetime,
    order_id: str | None,
    base_version: int | None,
) -> dict[str, Any]:
    """Append one command with the next mutation id (same transaction as the view change)."""
    last = int(get_meta(conn, "last_mutation_id") or 0)
    top = conn.execute("SELECT MAX(mutation_id) FROM outbox").fetchone()[0] or 0
    mutation_id = max(last, top) + 1
    set_meta(conn, "last_mutation_id", mutation_id)
    row = {
        "mutation_id": mutation_id,
        "op_id": uuid7(),
        "order_id": order_id,
        "command": command,
        "args": json.dumps(args, ensure_ascii=False, default=str),
        "base_version": base_version,
        "user": actor.user,
        "role": actor.role.value,
        "unit": actor.unit,
        "seat": actor.seat,
        "client_time": now.isoformat(),
    }
    conn.execute(
        "INSERT INTO outbox(mutation_id, op_id, order_id, command, args, base_version, user,"
        " role, unit, seat, client_time, status) VALUES (:mutation_id, :op_id, :order_id,"
        " :command, :args, :base_version, :user, :role, :unit, :seat, :client_time, 'pending')",
        row,
    )
    return row


def wire_command(row: dict[str, Any], client_id: str) -> dict[str, Any]:
    """An outbox row as the push body carries it (docs/sync-protocol.md)."""
    return {
        "op_id": row["op_id"],
        "client_id": client_id,
        "mutation_id": row["mutation_id"],
        "order_id": row["order_id"],
        "command": row["command"],
        "args": json.loads(row["args"]),
        "base_version": row["base_version"],
        "user": row["user"],
        "seat": row["seat"],
        "client_time": row["client_time"],
    }


def server_version(conn: sqlite3.Connection, order_id: str) -> int:
    """The version of the server snapshot held (0: none)."""
    row = conn.execute("SELECT version FROM server_orders WHERE order_id=?", (order_id,)).fetchone()
    return int(row[0]) if row else 0


def refresh_pending_flag(conn: sqlite3.Connection, order_id: str) -> None:
    """After a slim acknowledgement the view is unchanged; only ``pending`` may drop."""
    conn.execute(
        "UPDATE orders SET pending=EXISTS(SELECT 1 FROM outbox WHERE outbox.order_id=?"
        " AND status='pending') WHERE order_id=?",
        (order_id, order_id),
    )


def server_order(conn: sqlite3.Connection, order_id: str) -> WorkOrder | None:
    row = conn.execute(
        "SELECT snapshot FROM server_orders WHERE order_id=?", (order_id,)
    ).fetchone()
    return from_snapshot(json.loads(row[0])) if row else None


def store_server_order(conn: sqlite3.Connection, data: dict[str, Any]) -> bool:
    """Keep the newest server snapshot (versions only grow on the server); True if kept."""
    version = int(data.get("version") or 0)
    row = conn.execute(
        "SELECT version FROM server_orders WHERE order_id=?", (data["order_id"],)
    ).fetchone()
    if row is not None and int(row[0]) > version:
        return False
    conn.execute(
        "INSERT INTO server_orders(order_id, version, snapshot) VALUES (?, ?, ?) "
        "ON CONFLICT(order_id) DO UPDATE SET version=excluded.version, snapshot=excluded.snapshot",
        (data["order_id"], version, json.dumps(data, ensure_ascii=False)),
    )
    return True


_REPLAY = (
    "SELECT command, args, user, role, unit, seat, client_time, status FROM outbox"
    " WHERE order_id=? AND (status='pending' OR (status='applied' AND result IS NOT NULL"
    " AND CAST(json_extract(result, '$.version') AS INTEGER) > ?)) ORDER BY mutation_id"
)


def rebuild_order(
    conn: sqlite3.Connection, order_id: str, ctx: Any, fold: bool = True
) -> WorkOrder | None:
    """Recompute one order's local view: server snapshot + the commands not in it yet.

    Returns the view. ``fold=False`` (sync, thousands of orders a page) returns None
    instead: with nothing to replay the view IS the server snapshot, and its row is then
    written straight from the snapshot, without folding its events or serialising it again.
    """
    from workstation.errors import UserFacingError
    from workstation.workflow import execute

    row = conn.execute(
        "SELECT version, snapshot FROM server_orders WHERE order_id=?", (order_id,)
    ).fetchone()
    replay = conn.execute(_REPLAY, (order_id, int(row[0]) if row else 0)).fetchall()
    pending = any(r[-1] == "pending" for r in replay)
    if not replay and not fold:
        if row is None:
            conn.execute("DELETE FROM orders WHERE order_id=?", (order_id,))
            return None
        write_snapshot_row(conn, json.loads(row[1]), row[1], pending=False)
        return None
    order = from_snapshot(json.loads(row[1])) if row else None
    for command, args, user, role, unit, seat, client_time, _status in replay:
        if command not in ORDER_COMMANDS:
            continue
        actor = Actor(user=user, role=Role(role), unit=unit, seat=seat)
        try:
            order, _ = execute(
                order,
                command,
                json.loads(args),
                actor,
                datetime.fromisoformat(client_time),
                ctx,
                order_id=order_id,
            )
        except (UserFacingError, KeyError, ValueError):
            continue  # the server will decide; its answer corrects the view
    if order is None:
        conn.execute("DELETE FROM orders WHERE order_id=?", (order_id,))
        return None
    write_order_row(conn, order, pending=pending)
    return order


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def write_snapshot_row(
    conn: sqlite3.Connection, snap: dict[str, Any], text: str, pending: bool
) -> None:
    """The ``orders`` row of a server snapshot, from the snapshot itself (same values as
    ``write_order_row(from_snapshot(snap))``: the snapshot is that order's serialisation)."""
    ext = snap.get("extension") or None
    flags = snap.get("flags") or {}
    callback = snap.get("callback") or {}
    row = {
        "order_id": snap["order_id"],
        "version": snap["version"],
        "state": snap["state"],
        "type": snap["type"],
        "channel": snap["channel"],
        "unit": snap["unit"],
        "co_units": json.dumps(list(snap.get("co_units") or ())),
        "content": snap["content"],
        "address": snap.get("address", ""),
        "caller_name": snap.get("caller_name", ""),
        "caller_phone": snap.get("caller_phone", ""),
        "confidential": int(bool(snap.get("confidential"))),
        "investigation": int(bool(snap.get("investigation"))),
        "leader_instructed": int(bool(snap.get("leader_instructed"))),
        "dispatched_at": snap.get("dispatched_at"),
        "deadline": snap.get("deadline"),
        "created_at": snap.get("created_at"),
        "created_by": snap.get("created_by"),
        "seat": snap.get("seat"),
        "extension_status": ext["status"] if ext else None,
        "caller_notified": int(bool(ext["caller_notified"])) if ext else 0,
        "callback_queue": callback.get("queue"),
        "next_callback_at": callback.get("next_at"),
        "dissatisfied": int(bool(flags.get("dissatisfied"))),
        "overdue": int(bool(flags.get("overdue"))),
        "urged": int(bool(flags.get("urged"))),
        "criticised": int(bool(flags.get("criticised"))),
        "pending": int(pending),
        "snapshot": text,
    }
    _write_row(conn, row)


def write_order_row(conn: sqlite3.Connection, order: WorkOrder, pending: bool) -> None:
    ext = order.extension
    row = {
        "order_id": order.order_id,
        "version": order.version,
        "state": order.state.value,
        "type": order.type.value,
        "channel": order.channel.value,
        "unit": order.unit,
        "co_units": json.dumps(list(order.co_units)),
        "content": order.content,
        "address": order.address,
        "caller_name": order.caller_name,
        "caller_phone": order.caller_phone,
        "confidential": int(order.confidential),
        "investigation": int(order.investigation),
        "leader_instructed": int(order.leader_instructed),
        "dispatched_at": _iso(order.dispatched_at),
        "deadline": _iso(order.deadline),
        "created_at": _iso(order.created_at),
        "created_by": order.created_by,
        "seat": order.seat,
        "extension_status": ext.status if ext else None,
        "caller_notified": int(ext.caller_notified) if ext else 0,
        "callback_queue": order.callback_queue,
        "next_callback_at": _iso(order.next_callback_at),
        "dissatisfied": int(order.dissatisfied),
        "overdue": int(order.overdue),
        "urged": int(order.urged_at is not None),
        "criticised": int(order.criticised),
        "pending": int(pending),
        "snapshot": json.dumps(snapshot(order), ensure_ascii=False),
    }
    _write_row(conn, row)


def _write_row(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    cols = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    conn.execute(f"INSERT OR REPLACE INTO orders({cols}) VALUES ({marks})", row)


def upsert_contact(
    conn: sqlite3.Connection, data: dict[str, Any], pending: bool, op_id: str | None = None
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO contacts(contact_id, op_id, received_at, agent, seat,"
        " caller_phone, outcome, order_id, pending, data) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            data["contact_id"],
            op_id,
            data.get("received_at"),
            data.get("agent"),
            data.get("seat"),
            data.get("caller_phone") or "",
            data.get("outcome"),
            data.get("order_id"),
            int(pending),
            json.dumps(data, ensure_ascii=False),
        ),
    )


def upsert_entity(conn: sqlite3.Connection, entity: str, key: str, data: Any) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO entities(entity, key, data) VALUES (?, ?, ?)",
        (entity, key, json.dumps(data, ensure_ascii=False)),
    )
