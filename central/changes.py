"""The change feed (``changes``) that seats pull, and the transaction that writes it.

Why a single counter row: every writing transaction that emits changes runs
``UPDATE change_counter SET value = value + n RETURNING value`` as its last statement
before COMMIT. The row lock is held until the transaction ends, so the next writer gets
its seq only after the previous one has committed (or rolled back, leaving no rows).
Commit order is therefore seq order: whenever a reader sees seq N, every seq below N is
already committed, and a cursor can never skip a row that commits later. A plain
sequence or autoincrement does not give this (seq 11 can commit before seq 10). The cost
is that emitting transactions serialise on that row for the short time between the
bump and the commit, which is why the bump is deferred to the end (``Tx.flush``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from central import notify, schema
from central.db import Database
from workstation.wire.sync import PullPage, pull_page_json

EVERYONE = notify.BROADCAST
"""The ``change_units`` scope of a change every signed-in user may see."""
INTAKE = "intake"
"""The scope of web/mobile requests waiting for triage (every agent's queue), and of their
triage, so the request leaves every agent's queue."""


def unit_scope(unit: str) -> str:
    """A handling unit's orders, their contacts and notices (``unit:U001``)."""
    return f"unit:{unit}"


def seat_scope(seat: str) -> str:
    """What was done through one seat: its contacts and the orders it dispatched."""
    return f"seat:{seat}"


def user_scope(user: str) -> str:
    """What one user (an agent) logged or dispatched, from whichever seat."""
    return f"user:{user}"


def author_scopes(seat: str | None, user: str | None) -> tuple[str, ...]:
    """The keys of a record a seat and a user made (a contact, an order they dispatched)."""
    keys = (seat_scope(seat) if seat else "", user_scope(user) if user else "")
    return tuple(k for k in keys if k)


@dataclass(frozen=True)
class Reader:
    """Whose pull this is: the scope keys it reads and whether callers reach it masked.

    ``keys`` None: the board (supervisors, callback operators, admins; a few seats) reads
    every change. An agent reads ``*``, ``intake``, its seat and its user; a unit user
    ``*`` and its unit, masked. No key names another seat, so what a seat pulls does not
    grow with the number of other seats (docs/sync-protocol.md, "Scopes").
    """

    keys: frozenset[str] | None
    masked: bool = False

    @classmethod
    def board(cls) -> Reader:
        return cls(None)

    @classmethod
    def unit(cls, unit: str) -> Reader:
        return cls(frozenset((EVERYONE, unit_scope(unit))), masked=True)

    @classmethod
    def agent(cls, seat: str, user: str) -> Reader:
        return cls(frozenset((EVERYONE, INTAKE, seat_scope(seat), user_scope(user))))

    def sees(self, scopes: Iterable[str] | None) -> bool:
        """Whether a commit that touched ``scopes`` (None: unknown, any) may concern it."""
        if self.keys is None or scopes is None:
            return True
        return not self.keys.isdisjoint(scopes)


def reader_of(role: str, user: str, seat: str, unit: str | None) -> Reader:
    """The reader a signed-in user's pull is, from its role (``workstation.models.Role``)."""
    if role == "unit":
        return Reader.unit(unit or "")
    if role == "agent":
        return Reader.agent(seat, user)
    return Reader.board()


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Change:
    entity: str
    key: str
    data: dict[str, Any]
    op: str = "upsert"
    units: tuple[str, ...] = ()  # restricted to these units (plus staff)
    everyone: bool = False
    text: str | None = None  # ``dumps(data)`` when the caller already has it
    scopes: tuple[str, ...] = ()  # seat, user or intake keys beside the units'

    def scope_keys(self) -> tuple[str, ...]:
        """The ``change_units`` keys of this change; none: the board only (staff)."""
        if self.everyone:
            return (EVERYONE,)
        keys = [unit_scope(u) for u in self.units if u]
        keys.extend(k for k in self.scopes if k)
        return tuple(dict.fromkeys(keys))


@dataclass
class Tx:
    """A writing transaction: connection, request time and the changes it will emit.

    ``orders`` caches the orders this transaction has loaded (and locked) or saved, so a
    push batch that touches one order several times folds its events once.
    """

    db: Database
    conn: Connection
    now: datetime
    pending: list[Change] = field(default_factory=list)
    orders: dict[str, Any] = field(default_factory=dict)
    writes: Any = None  # central.batch_writes.BatchWrites while a push batch defers its rows

    def emit(self, change: Change) -> None:
        self.pending.append(change)

    def flush(self) -> list[int]:
        """Write the deferred rows, then allocate seqs and insert the pending changes (one
        multi-row INSERT each); call last, just before commit."""
        if self.writes is not None:
            self.writes.flush(self.conn, self.db.is_postgres)
            self.writes = None
        if not self.pending:
            return []
        n = len(self.pending)
        top = self.conn.execute(
            update(schema.change_counter)
            .where(schema.change_counter.c.id == 1)
            .values(value=schema.change_counter.c.value + n)
            .returning(schema.change_counter.c.value)
        ).scalar_one()
        seqs = list(range(top - n + 1, top + 1))
        rows: list[dict[str, Any]] = []
        scopes: list[dict[str, Any]] = []
        for seq, change in zip(seqs, self.pending, strict=True):
            rows.append(
                {
                    "seq": seq,
                    "entity": change.entity,
                    "key": change.key,
                    "op": change.op,
                    "data": change.text if change.text is not None else dumps(change.data),
                    "everyone": change.everyone,
                    "created_at": self.now,
                }
            )
            scopes.extend({"unit": k, "seq": seq} for k in change.scope_keys())
        from central.batch_writes import insert_rows

        postgres = self.db.is_postgres
        insert_rows(self.conn, schema.changes, rows, postgres)
        if scopes:
            insert_rows(self.conn, schema.change_units, scopes, postgres)
        self.pending.clear()
        return seqs


def touched_scopes(pending: Iterable[Change]) -> tuple[str, ...]:
    """The scope keys a transaction's changes touch (board-only changes touch none)."""
    keys: dict[str, None] = {}
    for change in pending:
        keys.update(dict.fromkeys(change.scope_keys()))
    return tuple(keys)


@contextmanager
def transaction(db: Database, now: datetime) -> Iterator[Tx]:
    """One writing transaction whose changes get their seqs right before it commits."""
    with db.write() as conn:
        tx = Tx(db, conn, now)
        yield tx
        touched = touched_scopes(tx.pending)
        seqs = tx.flush()
        if seqs and db.is_postgres:
            notify.send_pg(conn, seqs[-1], touched)
    if seqs:
        notify.notifier_for(db).publish(seqs[-1], touched)


ReaderLike = Reader | str | None
"""A :class:`Reader`; a unit code (that unit's user) or None (the board) for short."""


def _reader(reader: ReaderLike) -> Reader:
    if isinstance(reader, Reader):
        return reader
    return Reader.board() if reader is None else Reader.unit(reader)


def _pull_rows(db: Database, cursor: int, limit: int, reader: Reader) -> tuple[list[Any], bool]:
    c = schema.changes
    cols = (c.c.seq, c.c.entity, c.c.key, c.c.op, c.c.data)
    if reader.keys is None:
        stmt = select(*cols).where(c.c.seq > cursor).order_by(c.c.seq).limit(limit + 1)
    else:
        cu = schema.change_units
        visible = (
            select(cu.c.seq)
            .where(cu.c.unit.in_(sorted(reader.keys)), cu.c.seq > cursor)
            .distinct()
            .order_by(cu.c.seq)
            .limit(limit + 1)
        )
        stmt = select(*cols).where(c.c.seq.in_(visible)).order_by(c.c.seq)
    with db.read() as conn:
        rows = list(conn.execute(stmt).all())
    return rows[:limit], len(rows) > limit


def pull(
    db: Database, cursor: int, limit: int, unit: ReaderLike
) -> tuple[list[dict[str, Any]], int, bool]:
    """The pull page decoded (for callers in Python; the route sends ``pull_text``)."""
    page = PullPage.model_validate_json(pull_text(db, cursor, limit, unit))
    return [c.model_dump() for c in page.changes], page.cursor, page.has_more


def pull_text(db: Database, cursor: int, limit: int, reader: ReaderLike) -> str:
    """The pull page (``workstation.wire.sync.PullPage``) as JSON text."""
    return pull_page(db, cursor, limit, reader)[0]


def pull_page(db: Database, cursor: int, limit: int, reader: ReaderLike) -> tuple[str, int]:
    """The pull page as JSON text, and how many changes it holds.

    Each change's data goes out as the text stored when it was written (the seats pull
    thousands a page); only a change a unit user must see masked (a confidential order or
    contact) is decoded and serialised again.
    """
    who = _reader(reader)
    rows, has_more = _pull_rows(db, cursor, limit, who)
    page = []
    for seq, entity, key, op, data in rows:
        if who.masked and entity in _MASKED and _CONFIDENTIAL.search(data):
            data = dumps(mask_for_unit(entity, json.loads(data)))
        page.append((int(seq), entity, key, op, data))
    new_cursor = int(rows[-1][0]) if rows else cursor
    return pull_page_json(page, new_cursor, has_more), len(page)


def max_seq(db: Database) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(schema.change_counter.c.value).where(schema.change_counter.c.id == 1)
            ).scalar_one()
        )


_CALLER_FIELDS = ("caller_name", "caller_phone")
_MASKED = ("order", "contact")
_CONFIDENTIAL = re.compile(r'"confidential"\s*:\s*true')


def mask_for_unit(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """Confidential callers (保密) reach handling units masked, in events too."""
    if entity not in ("order", "contact") or not data.get("confidential"):
        return data
    from workstation.masking import mask_name, mask_phone

    def masked(d: dict[str, Any]) -> dict[str, Any]:
        d = dict(d)
        if d.get("caller_name"):
            d["caller_name"] = mask_name(str(d["caller_name"]))
        if d.get("caller_phone"):
            d["caller_phone"] = mask_phone(str(d["caller_phone"]))
        return d

    data = masked(data)
    if isinstance(data.get("events"), list):
        data["events"] = [
            {**e, "data": masked(e.get("data") or {})} if isinstance(e, dict) else e
            for e in data["events"]
        ]
    return data
