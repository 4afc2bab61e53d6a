"""Database connections for the central server: SQLite (embedded) or PostgreSQL.

``Database.write()`` opens a writing transaction: on SQLite ``BEGIN IMMEDIATE`` (writers
queue up front instead of failing on upgrade), on PostgreSQL READ COMMITTED with explicit
row locks. ``Database.read()`` opens a plain (deferred) transaction. ``migrate()``
brings the schema to the newest frozen Alembic revision (``central/migrations``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.engine import make_url

from workstation.errors import ConfigError

if TYPE_CHECKING:
    from central.migrations import MigrationResult

SQLITE_BUSY_MS = 30_000


def normalize_url(url: str) -> str:
    """``postgresql://`` → ``postgresql+psycopg://``; a bare path → a SQLite file URL."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


def _enable_wal(cur: Any) -> None:
    """Switch to WAL, retrying while another connection holds the file.

    Turning a new file to WAL needs it alone for a moment and SQLite's busy handler does
    not cover that, so processes opening a fresh database together got "database is
    locked"; they now wait, within the usual busy time.
    """
    import sqlite3
    import time

    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        _enable_wal(cur)
        for pragma in (f"busy_timeout={SQLITE_BUSY_MS}", "foreign_keys=ON", "synchronous=FULL"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """One engine and the two kinds of transaction the server needs."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = normalize_url(url)
        try:
            parsed = make_url(self.url)
        except Exception as exc:  # sqlalchemy raises ArgumentError on bad URLs
            raise ConfigError(f"数据库地址无效：{url}", f"invalid database URL: {url}") from exc
        self.dialect = parsed.get_backend_name()
        self._insert_ignore: dict[tuple[str, tuple[str, ...]], Any] = {}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                from pathlib import Path

                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = _sqlite_engine(self.url)
        elif self.dialect == "postgresql":
            self.engine = create_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True
            )
        else:
            raise ConfigError(
                f"不支持的数据库：{self.dialect}（请用 SQLite 或 PostgreSQL）",
                f"unsupported database {self.dialect} (use SQLite or PostgreSQL)",
            )

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="DEFERRED")
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    # -- dialect helpers --------------------------------------------------------------

    def insert_ignore(self, conn: Connection, table: Table, values: dict[str, Any]) -> bool:
        """INSERT unless the primary key exists; True when a row was inserted.

        The statement is built once per table and column set (values travel as bound
        parameters), so SQLAlchemy's compiled cache serves it on the hot push path.
        """
        key = (table.name, tuple(values))
        stmt = self._insert_ignore.get(key)
        if stmt is None:
            if self.is_postgres:
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                stmt = pg_insert(table).on_conflict_do_nothing()
            else:
                from sqlalchemy.dialects.sqlite import insert as sqlite_insert

                stmt = sqlite_insert(table).on_conflict_do_nothing()
            stmt = stmt.returning(list(table.primary_key.columns)[0])
            self._insert_ignore[key] = stmt
        return conn.execute(stmt, values).first() is not None

    def for_update(self, stmt: Any) -> Any:
        """Row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock."""
        return stmt.with_for_update() if self.is_postgres else stmt

    # -- migrations -------------------------------------------------------------------

    def migrate(self, to: str = "head") -> MigrationResult:
        """Upgrade to revision ``to`` in one transaction, serialised across processes.

        A database made before Alembic (``schema_migrations``) is recognised and stamped.
        """
        from central import migrations

        with self.write() as conn:
            if self.is_postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(1234500001)"))
            return migrations.upgrade(conn, to)

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at; None before the first migration."""
        from central import migrations

        with self.read() as conn:
            return migrations.current(conn)

    def schema_version(self) -> int:
        """The revision as a number (revision ids are "0001", "0002", ...); 0 when empty."""
        return int(self.schema_revision() or 0)
