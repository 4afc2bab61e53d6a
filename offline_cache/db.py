"""The seat's SQLite database: one file shared with kb_index (its tables are ``kb_*``).

WAL and ``synchronous=FULL`` so a returned action survives a power cut; one connection
guarded by a lock so Textual thread workers and the async sync loop can share it. The
schema version lives in our own ``meta`` table (not ``PRAGMA user_version``, which the
knowledge-base engine may use on the same file). Writes go through ``transaction`` with
plain SQL: sqlite-utils' write helpers commit on their own, which would split an action.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DB_FILE = "seat.sqlite3"

_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS outbox (
    mutation_id INTEGER PRIMARY KEY,
    op_id TEXT NOT NULL UNIQUE,
    order_id TEXT,
    command TEXT NOT NULL,
    args TEXT NOT NULL,
    base_version INTEGER,
    user TEXT NOT NULL,
    role TEXT,
    unit TEXT,
    seat TEXT,
    client_time TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    result TEXT,
    acked_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_status ON outbox(status, mutation_id);
CREATE INDEX IF NOT EXISTS outbox_order ON outbox(order_id, status);
CREATE TABLE IF NOT EXISTS server_orders (
    order_id TEXT PRIMARY KEY, version INTEGER NOT NULL, snapshot TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    version INTEGER, state TEXT, type TEXT, channel TEXT, unit TEXT, co_units TEXT,
    content TEXT, address TEXT, caller_name TEXT, caller_phone TEXT, confidential INTEGER,
    investigation INTEGER, leader_instructed INTEGER, dispatched_at TEXT, deadline TEXT,
    created_at TEXT, created_by TEXT, seat TEXT, extension_status TEXT,
    caller_notified INTEGER, callback_queue TEXT, next_callback_at TEXT,
    dissatisfied INTEGER, overdue INTEGER, urged INTEGER, criticised INTEGER,
    pending INTEGER NOT NULL DEFAULT 0, snapshot TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_phone ON orders(caller_phone, created_at);
CREATE INDEX IF NOT EXISTS orders_unit ON orders(unit, state);
CREATE INDEX IF NOT EXISTS orders_state ON orders(state);
CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, op_id TEXT, received_at TEXT, agent TEXT, seat TEXT,
    caller_phone TEXT, outcome TEXT, order_id TEXT, pending INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contacts_agent ON contacts(agent, received_at);
CREATE INDEX IF NOT EXISTS contacts_phone ON contacts(caller_phone);
CREATE TABLE IF NOT EXISTS units (code TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    entity TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (entity, key)
);
CREATE TABLE IF NOT EXISTS problems (
    op_id TEXT PRIMARY KEY, mutation_id INTEGER, command TEXT, order_id TEXT, user TEXT,
    args TEXT, reason TEXT, at TEXT, dismissed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS users (
    user TEXT PRIMARY KEY, password_hash TEXT, role TEXT, unit TEXT, display_name TEXT,
    token TEXT, expires_at TEXT, last_online_login TEXT
);
CREATE TABLE IF NOT EXISTS drafts (key TEXT PRIMARY KEY, data TEXT NOT NULL, saved_at TEXT);
"""

#: Migration steps: index i takes the schema from version i to i + 1. Append, never edit.
_V2 = """
ALTER TABLE outbox ADD COLUMN session_id TEXT;
ALTER TABLE outbox ADD COLUMN proof TEXT;
ALTER TABLE users ADD COLUMN session_id TEXT;
ALTER TABLE users ADD COLUMN key_sealed TEXT;
ALTER TABLE users ADD COLUMN key_salt TEXT;
ALTER TABLE users ADD COLUMN key_expires_at TEXT
"""
"""Command proofs (issue 13): each outbox row keeps the proof its user's key made when
the command was written; each user's command key is kept sealed under their password."""

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    lambda conn: _script(conn, _V1),
    lambda conn: _script(conn, _V2),
]
SCHEMA_VERSION = len(MIGRATIONS)


class SeatDB:
    """The open seat database: a sqlite-utils ``Database`` plus a lock and transactions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self.conn = conn
        self._sqlite_utils_db: Any = None
        self.lock = threading.RLock()
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")  # persistent: only the first open writes
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        if self._schema_version() != SCHEMA_VERSION:
            self._migrate()

    @property
    def db(self) -> Any:
        """A sqlite-utils ``Database`` on the same connection, made on first use: importing
        sqlite-utils (and numpy under it) costs a third of a second at start-up."""
        if self._sqlite_utils_db is None:
            import sqlite_utils

            self._sqlite_utils_db = sqlite_utils.Database(self.conn)
        return self._sqlite_utils_db

    def _schema_version(self) -> int:
        """The stored schema version, read without a write transaction (0: a new file)."""
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.OperationalError:  # no meta table yet
            return 0
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            current = int(row[0]) if row else 0
            for step in MIGRATIONS[current:]:
                step(conn)
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; rolled back on any exception."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        with self.lock:
            cur = self.conn.execute(sql, params)
            cols = [c[0] for c in cur.description or ()]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        with self.lock:
            row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key=?", (key,))
        return default if value is None else value

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one (``executescript`` would COMMIT our transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def set_meta(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (key, None if value is None else str(value)),
    )


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else None
