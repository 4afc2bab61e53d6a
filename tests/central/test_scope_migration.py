"""Migration 0006: unit codes in ``change_units`` become ``unit:`` keys, and the contacts
and orders already in the feed get the keys of the seat and user that made them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from central.db import Database
from tests.central.test_migrations import NewDb, new_db  # noqa: F401  (the fixture)


def test_existing_scopes_become_keys_and_own_intake_stays_reachable(new_db: NewDb) -> None:  # noqa: F811
    db = Database(new_db())
    db.migrate("0004")
    at = datetime(2026, 3, 2, tzinfo=UTC)
    with db.write() as conn:
        for seq, entity, key in (
            (1, "unit", "U001"),
            (2, "contact", "C-1"),
            (3, "order", "QD-S01-0001"),
            (4, "contact", "C-web"),
            (5, "callback", "QD-S01-0001"),
        ):
            conn.execute(
                text(
                    "INSERT INTO changes (seq, entity, key, op, data, everyone, created_at)"
                    " VALUES (:s, :e, :k, 'upsert', '{}', :ev, :at)"
                ),
                {"s": seq, "e": entity, "k": key, "ev": entity == "unit", "at": at},
            )
        conn.execute(
            text("INSERT INTO change_units (unit, seq) VALUES ('*', 1), ('U001', 2), ('U001', 3)")
        )
        for cid, order, seat, agent, data in (
            ("C-1", "QD-S01-0001", "S01", "agent1", "{}"),
            ("C-web", None, None, None, '{"open311":{"id":1}}'),
        ):
            conn.execute(
                text(
                    "INSERT INTO contacts (contact_id, order_id, outcome, received_at, seat,"
                    " agent, caller_phone, data) VALUES (:c, :o, 'dispatched', :at, :s, :a,"
                    " '13900000000', :d)"
                ),
                {"c": cid, "o": order, "at": at, "s": seat, "a": agent, "d": data},
            )
    db.migrate()
    with db.read() as conn:
        rows = conn.execute(text("SELECT seq, unit FROM change_units")).all()
    keys: dict[int, set[str]] = {}
    for seq, key in rows:
        keys.setdefault(int(seq), set()).add(str(key))
    assert keys == {
        1: {"*"},
        2: {"unit:U001", "seat:S01", "user:agent1"},
        3: {"unit:U001", "seat:S01", "user:agent1"},
        4: {"intake"},
    }  # 5, a callback change, stays the board's only
    db.dispose()
