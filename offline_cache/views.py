"""The local views screens read: plain queries over the materialised ``orders`` table.

Each returns small frozen records, newest or most urgent first, masking the caller for
unit users when the caller asked for confidentiality (保密).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from offline_cache.db import SeatDB
from offline_cache.records import (
    Board,
    ContactRow,
    InboxRow,
    NoticeRow,
    OrderRow,
    ProposalRow,
    WebRequestRow,
)
from workstation.models import OrderState  # noqa: E402
from workstation.orders import OPEN_STATES  # noqa: E402
from workstation.seat_api import FIND_LIMIT


def _states_in(states: frozenset[OrderState]) -> str:
    """``state IN (...)`` for a set of states (values are fixed identifiers, not input)."""
    return "state IN (" + ",".join(f"'{s.value}'" for s in sorted(states)) + ")"


OPEN_IN = _states_in(OPEN_STATES)
INBOX_IN = _states_in(OPEN_STATES | {OrderState.RETURNED})


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def order_row(row: dict[str, Any], mask: bool) -> dict[str, Any]:
    """The fields of ``OrderRow`` from an ``orders`` row (caller masked when asked)."""
    name, phone = row["caller_name"] or "", row["caller_phone"] or ""
    if mask and row["confidential"]:
        from workstation.masking import mask_name, mask_phone

        name, phone = mask_name(name), mask_phone(phone)
    return {
        "order_id": row["order_id"],
        "state": row["state"],
        "type": row["type"],
        "unit": row["unit"],
        "content": row["content"],
        "caller_name": name,
        "caller_phone": phone,
        "deadline": _dt(row["deadline"]),
        "created_at": _dt(row["created_at"]),
        "flags": {
            "overdue": bool(row["overdue"]),
            "urged": bool(row["urged"]),
            "criticised": bool(row["criticised"]),
            "dissatisfied": bool(row["dissatisfied"]),
        },
        "version": row["version"],
        "pending": bool(row["pending"]),
        "confidential": bool(row["confidential"]),
        "leader_instructed": bool(row["leader_instructed"]),
        "co_units": tuple(json.loads(row["co_units"] or "[]")),
        "next_callback_at": _dt(row["next_callback_at"]),
    }


_COLS = (
    "order_id, state, type, unit, content, caller_name, caller_phone, deadline, created_at,"
    " overdue, urged, criticised, dissatisfied, version, pending, confidential,"
    " leader_instructed, co_units, next_callback_at, extension_status, caller_notified"
)


def _rows(db: SeatDB, where: str, params: Any, order: str, mask: bool) -> list[OrderRow]:
    rows = db.query(f"SELECT {_COLS} FROM orders WHERE {where} ORDER BY {order}", params)
    return [OrderRow(**order_row(r, mask)) for r in rows]


def caller_history(db: SeatDB, phone: str, limit: int, mask: bool) -> list[OrderRow]:
    phone = phone.strip()
    if not phone:
        return []
    return _rows(db, "caller_phone=?", (phone,), f"created_at DESC LIMIT {int(limit)}", mask)


def find_orders(db: SeatDB, query: str, mask: bool, unit: str | None = None) -> list[OrderRow]:
    """Orders matching ``query``: an order number (or part of one), a phone number (or its
    digits), or every word of the query in the content or address; newest first.

    ``mask`` (unit users): confidential callers stay masked and are never found by phone.
    ``unit``: only that unit's orders (as handler or co-handler).
    """
    words = [w for w in query.replace("\u3000", " ").split() if w][:8]
    if not words:
        return []
    clauses, params = [], []
    for word in words:
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        phone = "caller_phone LIKE ? ESCAPE '\\'"
        if mask:
            phone = f"({phone} AND NOT confidential)"
        clauses.append(
            f"(order_id LIKE ? ESCAPE '\\' OR {phone} OR content LIKE ? ESCAPE '\\'"
            " OR address LIKE ? ESCAPE '\\')"
        )
        params += [like, like, like, like]
    if unit is not None:
        clauses.append("(unit=? OR co_units LIKE ?)")
        params += [unit, f'%"{unit}"%']
    return _rows(
        db, " AND ".join(clauses), tuple(params), f"created_at DESC LIMIT {FIND_LIMIT}", mask
    )


def caller_contacts(db: SeatDB, phone: str, limit: int, mask: bool) -> list[ContactRow]:
    """The caller's contacts that made no order (answered on the call, not accepted), newest
    first: with ``caller_history`` (the orders), everything this phone called about."""
    phone = phone.strip()
    if not phone or mask:
        return []
    rows = db.query(
        "SELECT data, pending FROM contacts WHERE caller_phone=?"
        " AND outcome IN ('answered', 'rejected')"
        " ORDER BY received_at DESC LIMIT ?",
        (phone, int(limit)),
    )
    return _contact_rows(rows)


def my_intake_history(db: SeatDB, user: str, limit: int) -> list[ContactRow]:
    rows = db.query(
        "SELECT data, pending FROM contacts WHERE agent=? ORDER BY received_at DESC LIMIT ?",
        (user, int(limit)),
    )
    return _contact_rows(rows)


def _contact_rows(rows: Any) -> list[ContactRow]:
    out = []
    for r in rows:
        d = json.loads(r["data"])
        out.append(
            ContactRow(
                contact_id=d["contact_id"],
                received_at=_dt(d.get("received_at")),
                outcome=d.get("outcome") or "",
                type=d.get("type"),
                content=d.get("content") or "",
                caller_name=d.get("caller_name") or "",
                caller_phone=d.get("caller_phone") or "",
                order_id=d.get("order_id"),
                pending=bool(r["pending"]),
                reject_reason=d.get("reject_reason"),
            )
        )
    return out


def unit_inbox(
    db: SeatDB, unit: str, now: datetime, calendar: Any, rules: Any, tz: str, mask: bool
) -> list[InboxRow]:
    """A unit's open orders with their bucket and working-day countdown, most urgent first."""
    from workstation.assessment import overdue_at
    from workstation.deadlines import is_due_soon, working_days_left

    rows = db.query(
        f"SELECT {_COLS} FROM orders WHERE (unit=? OR co_units LIKE ?)"
        f" AND {INBOX_IN}"
        " ORDER BY deadline",
        (unit, f'%"{unit}"%'),
    )
    out: list[InboxRow] = []
    for r in rows:
        base = order_row(r, mask)
        deadline = base["deadline"]
        left = working_days_left(deadline, now, calendar, tz) if deadline else None
        if r["state"] == "returned":
            bucket = "returned"
        elif overdue_at(r["state"], deadline, now):  # the assessment's definition
            bucket = "overdue"
        elif r["state"] == "extension_requested":
            bucket = "extension"
        elif deadline and is_due_soon(deadline, now, calendar, rules, tz):
            bucket = "due_soon"
        elif r["state"] in ("dispatched", "rehandling"):
            bucket = "new"
        else:
            bucket = "signed"
        out.append(InboxRow(**base, bucket=bucket, working_days_left=left))
    rank = {"overdue": 0, "due_soon": 1, "new": 2, "extension": 3, "signed": 4, "returned": 5}
    out.sort(key=lambda r: (rank[r.bucket], r.deadline or now))
    return out


def callback_queue(db: SeatDB, queue: str, now: datetime, mask: bool) -> list[OrderRow]:
    """Orders waiting for a callback whose next attempt is due, oldest first."""
    rows = _rows(
        db,
        "state='callback_pending' AND dissatisfied=0 AND callback_queue=?",
        (queue,),
        "next_callback_at, created_at",
        mask,
    )
    return [r for r in rows if r.next_callback_at is None or r.next_callback_at <= now]


def supervision_board(db: SeatDB, now: datetime) -> Board:
    from workstation.assessment import overdue_at

    # the assessment's definition (a pending extension request pauses the clock; the
    # request is on the board's extension list instead)
    overdue = [
        r for r in _rows(db, OPEN_IN, (), "deadline", False) if overdue_at(r.state, r.deadline, now)
    ]
    return Board(
        overdue=overdue,
        extension_requests=_rows(db, "state='extension_requested'", (), "deadline", False),
        returned=_rows(db, "state='returned'", (), "created_at", False),
        dissatisfied=_rows(
            db, "state='callback_pending' AND dissatisfied=1", (), "created_at", False
        ),
        caller_notifications=_rows(
            db, "extension_status='approved' AND caller_notified=0", (), "deadline", False
        ),
        overridden=_rows(
            db,
            f"{OPEN_IN} AND json_extract(snapshot, '$.events[0].data.override') IS NOT NULL",
            (),
            "created_at DESC",
            False,
        ),
        closed=closed_with_publication(db),
    )


CLOSED_ON_BOARD = 200
"""The board lists this many of the latest closed orders for publication (公开)."""


def closed_with_publication(db: SeatDB) -> list[OrderRow]:
    """The latest closed orders, each with whether it is published: the seat's own pending
    decision or the server's (a ``publication`` change), else the order's ``published``."""
    from dataclasses import replace

    rows = _rows(db, "state='closed'", (), f"created_at DESC LIMIT {CLOSED_ON_BOARD}", False)
    if not rows:
        return rows
    marks = ",".join("?" * len(rows))
    ids = [r.order_id for r in rows]
    decided = {
        str(r["key"]): json.loads(r["data"]).get("published")
        for r in db.query(
            f"SELECT key, data FROM entities WHERE entity='publication' AND key IN ({marks})",
            ids,
        )
    }
    in_order = {
        str(r["order_id"]): r["published"]
        for r in db.query(
            "SELECT order_id, json_extract(snapshot, '$.published') AS published FROM orders"
            f" WHERE order_id IN ({marks})",
            ids,
        )
    }
    out = []
    for row in rows:
        value = decided.get(row.order_id, in_order.get(row.order_id))
        out.append(replace(row, published=None if value is None else bool(value)))
    return out


def notices(db: SeatDB, unit: str | None) -> list[NoticeRow]:
    rows = db.query("SELECT data FROM entities WHERE entity='notice'")
    out = []
    for r in rows:
        d = json.loads(r["data"])
        if unit and d.get("unit") != unit:
            continue
        out.append(
            NoticeRow(
                number=str(d.get("number", "")),
                kind=str(d.get("kind", "")),
                order_id=str(d.get("order_id", "")),
                unit=str(d.get("unit", "")),
                issued_at=_dt(d.get("issued_at")),
                text=str(d.get("text", "")),
                copied_to=str(d.get("copied_to") or ""),
            )
        )
    out.sort(key=lambda n: n.issued_at.isoformat() if n.issued_at else "", reverse=True)
    return out


def kb_proposals(db: SeatDB) -> list[ProposalRow]:
    rows = db.query("SELECT key, data FROM entities WHERE entity='kb_proposal' ORDER BY key DESC")
    out = []
    for r in rows:
        d = json.loads(r["data"])
        article = d.get("article") or {}
        out.append(
            ProposalRow(
                proposal_id=r["key"],
                status=str(d.get("status") or "pending"),
                title=str(article.get("title") or d.get("title") or ""),
                unit=str(d.get("unit") or article.get("unit") or ""),
                data=d,
                pending=bool(d.get("_pending")),
            )
        )
    return out


WEB_CHANNELS = ("web", "mobile", "mailbox", "sms")


def web_requests(db: SeatDB) -> list[WebRequestRow]:
    """Contacts from the web/mobile/mailbox channels still ``logged`` (pulled), oldest first."""
    rows = db.query(
        "SELECT data FROM contacts WHERE outcome='logged'"
        " AND json_extract(data, '$.channel') IN (" + ", ".join("?" * len(WEB_CHANNELS)) + ")"
        " ORDER BY received_at, contact_id",
        WEB_CHANNELS,
    )
    out = []
    for r in rows:
        d = json.loads(r["data"])
        extra = d.get("open311") if isinstance(d.get("open311"), dict) else {}
        out.append(
            WebRequestRow(
                contact_id=str(d["contact_id"]),
                received_at=_dt(d.get("received_at")),
                channel=str(d.get("channel") or "web"),
                type=d.get("type"),
                content=str(d.get("content") or ""),
                caller_name=str(d.get("caller_name") or ""),
                caller_phone=str(d.get("caller_phone") or ""),
                service_name=str(extra.get("service_name") or ""),
                address=str(extra.get("address") or ""),
            )
        )
    return out
