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
from workstation.wire.commands import Command, parse_args
from workstation.wire.order import order_row
from workstation.wire.sync import PushRequest


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
    """Append one command with the next mutation id (same transaction as the view change).

    The args are parsed with the command's wire model first (``workstation.wire.commands``),
    as the server will parse them: what the server would refuse never enters the outbox.
    """
    args = parse_args(command, json.loads(json.dumps(args, ensure_ascii=False, default=str)))
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
    row["session_id"], row["proof"] = sign_row(conn, row, args)
    conn.execute(
        "INSERT INTO outbox(mutation_id, op_id, order_id, command, args, base_version, user,"
        " role, unit, seat, client_time, status, session_id, proof) VALUES (:mutation_id,"
        " :op_id, :order_id, :command, :args, :base_version, :user, :role, :unit, :seat,"
        " :client_time, 'pending', :session_id, :proof)",
        row,
    )
    return row


def sign_row(
    conn: sqlite3.Connection, row: dict[str, Any], args: dict[str, Any]
) -> tuple[str | None, str | None]:
    """(session id, proof) of a new outbox row, signed with its user's command key while
    that user is logged in (``offline_cache.session.signing_key``); (None, None) without
    one, and the server then refuses the command with a reason."""
    from offline_cache.session import signing_key
    from workstation.wire.commands import command_proof

    key = signing_key(conn, row["user"])
    if key is None:
        return None, None
    fields = {
        **row,
        "args": args,
        "client_id": get_meta(conn, "client_id") or "",
        "session_id": key.session_id,
    }
    return key.session_id, command_proof(key.key, fields)


def wire_command(row: dict[str, Any], client_id: str) -> Command:
    """An outbox row as the push body carries it (``workstation.wire.commands.Command``)."""
    return Command(
        op_id=row["op_id"],
        client_id=client_id,
        mutation_id=row["mutation_id"],
        order_id=row["order_id"],
        command=row["command"],
        args=json.loads(row["args"]),
        base_version=row["base_version"],
        user=row["user"],
        seat=row["seat"],
        client_time=row["client_time"],
        session_id=row.get("session_id"),
        proof=row.get("proof"),
    )


def push_body(rows: list[dict[str, Any]], client_id: str) -> bytes:
    """The push request (``workstation.wire.sync.PushRequest``) of outbox rows, as JSON."""
    commands = [wire_command(r, client_id) for r in rows]
    return PushRequest(client_id=client_id, commands=commands).model_dump_json().encode()


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


Known = dict[str, tuple[dict[str, Any], str]]
"""Server snapshots stored in this transaction: order id -> (snapshot, its JSON text)."""


def store_server_order(
    conn: sqlite3.Connection, data: dict[str, Any], known: Known | None = None
) -> bool:
    """Keep the newest server snapshot (versions only grow on the server); True if kept.

    ``known`` collects what was kept, so the view is rebuilt from the decoded snapshot
    instead of reading its text back and decoding it again.
    """
    version = int(data.get("version") or 0)
    row = conn.execute(
        "SELECT version FROM server_orders WHERE order_id=?", (data["order_id"],)
    ).fetchone()
    if row is not None and int(row[0]) > version:
        return False
    text = json.dumps(data, ensure_ascii=False)
    conn.execute(
        "INSERT INTO server_orders(order_id, version, snapshot) VALUES (?, ?, ?) "
        "ON CONFLICT(order_id) DO UPDATE SET version=excluded.version, snapshot=excluded.snapshot",
        (data["order_id"], version, text),
    )
    if known is not None:
        known[data["order_id"]] = (data, text)
    return True


_REPLAY = (
    "SELECT command, args, user, role, unit, seat, client_time, status FROM outbox"
    " WHERE order_id=? AND (status='pending' OR (status='applied' AND result IS NOT NULL"
    " AND CAST(json_extract(result, '$.version') AS INTEGER) > ?)) ORDER BY mutation_id"
)


def rebuild_order(
    conn: sqlite3.Connection,
    order_id: str,
    ctx: Any,
    fold: bool = True,
    known: Known | None = None,
) -> WorkOrder | None:
    """Recompute one order's local view: server snapshot + the commands not in it yet.

    Returns the view. ``fold=False`` (sync, thousands of orders a page) returns None
    instead: with nothing to replay the view IS the server snapshot, and its row is then
    written straight from the snapshot, without folding its events or serialising it again.
    ``known``: snapshots this transaction stored (already decoded; not read back).
    """
    from workstation.errors import UserFacingError
    from workstation.workflow import execute

    held = (known or {}).get(order_id)
    if held is None:
        row = conn.execute(
            "SELECT snapshot FROM server_orders WHERE order_id=?", (order_id,)
        ).fetchone()
        held = (json.loads(row[0]), row[0]) if row else None
    version = int(held[0].get("version") or 0) if held else 0
    replay = conn.execute(_REPLAY, (order_id, version)).fetchall()
    pending = any(r[-1] == "pending" for r in replay)
    if not replay and not fold:
        if held is None:
            conn.execute("DELETE FROM orders WHERE order_id=?", (order_id,))
            return None
        write_snapshot_row(conn, held[0], held[1], pending=False)
        return None
    order = from_snapshot(held[0]) if held else None
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


def write_snapshot_row(
    conn: sqlite3.Connection, snap: dict[str, Any], text: str, pending: bool
) -> None:
    """The seat's ``orders`` row of a snapshot: the order row (``wire.order.order_row``),
    booleans as 0/1, plus the pending flag and the snapshot text."""
    row = order_row(snap)
    del row["replied_at"], row["signed_at"], row["closed_at"], row["urged_at"]
    for name, value in row.items():
        if isinstance(value, bool):
            row[name] = int(value)
    row["co_units"] = json.dumps(row["co_units"])
    row["pending"] = int(pending)
    row["snapshot"] = text
    _write_row(conn, row)


def write_order_row(conn: sqlite3.Connection, order: WorkOrder, pending: bool) -> None:
    """The view of an order computed on this seat (its snapshot serialised once)."""
    snap = snapshot(order)
    write_snapshot_row(conn, snap, json.dumps(snap, ensure_ascii=False), pending)


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
