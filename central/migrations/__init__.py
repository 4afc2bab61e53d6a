"""Frozen schema migrations for the central database (Alembic), and the one runner.

Each file in ``versions/`` is one schema step written out as explicit DDL; none imports
``central.schema``, so editing the tables there never changes what an old step does.
Revision ids are four-digit sequence numbers ("0001", "0002", ...), which is what the
health endpoint reports as the schema version. How to add a step: docs/migrations.md.

The runner works on a connection the caller already holds inside a writing transaction,
so adopting a legacy database, the DDL and the version stamp commit together or not at
all. Downgrades are not supported: a database only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from workstation.errors import ConfigError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

VERSION_TABLE = "alembic_version"
LEGACY_TABLE = "schema_migrations"
LEGACY_REVISIONS = {1: "0001", 2: "0002"}
"""``schema_migrations.version`` (the list-of-functions runner before Alembic) → revision."""

KNOWN_TABLES = frozenset({"change_counter", "changes", "orders", "order_events", "units"})
"""Tables whose presence without any version marker means: ours, but of unknown age."""


@dataclass(frozen=True)
class MigrationResult:
    """Where the database was and is; ``adopted``: a pre-Alembic version was recognised."""

    before: str | None
    after: str | None
    applied: list[str] = field(default_factory=list)
    adopted: int | None = None


@lru_cache(maxsize=1)
def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent).replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def revisions() -> list[str]:
    """Every revision id, oldest first (the history is a single line)."""
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


def head() -> str:
    head = _script().get_current_head()
    assert head is not None, "central/migrations/versions is empty"
    return head


def current(conn: Connection) -> str | None:
    """The revision the database is at; None for an empty (or legacy) database."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(conn: Connection, target: str = "head") -> MigrationResult:
    """Bring the database on ``conn`` forward to ``target`` (a revision id or "head")."""
    order = revisions()
    goal = head() if target == "head" else target
    if goal not in order:
        raise ConfigError(
            f"没有这个数据库版本：{target}（可用：{', '.join(order)} 或 head）",
            f"no such schema revision: {target} (known: {', '.join(order)} or head)",
        )
    adopted = _adopt_legacy(conn)
    before = current(conn)
    if before is not None and before not in order:
        raise ConfigError(
            f"数据库版本 {before} 比本程序新（本程序最高 {order[-1]}）：请升级程序",
            f"the database is at schema revision {before}, newer than this program's "
            f"{order[-1]}: upgrade the program",
        )
    if before is None and _has_unversioned_tables(conn):
        raise ConfigError(
            "数据库里已有热线的表，但没有版本记录：无法判断如何升级，请先备份并联系维护人员",
            "the database holds the hotline's tables but no schema version: cannot tell how "
            "to upgrade it; back it up and ask a maintainer",
        )
    start = -1 if before is None else order.index(before)
    if order.index(goal) < start:
        raise ConfigError(
            f"数据库已是版本 {before}，比 {goal} 新；不支持降级",
            f"the database is already at revision {before}, newer than {goal}; "
            "downgrades are not supported",
        )
    applied = order[start + 1 : order.index(goal) + 1]
    if applied:
        from alembic import command

        config = _config()
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, goal)
        finally:
            config.attributes.pop("connection", None)
    return MigrationResult(before, current(conn), applied, adopted)


def _adopt_legacy(conn: Connection) -> int | None:
    """A database made before Alembic: stamp the matching revision, drop the old table."""
    inspector = inspect(conn)
    if inspector.has_table(VERSION_TABLE) or not inspector.has_table(LEGACY_TABLE):
        return None
    versions = conn.execute(text(f"SELECT version FROM {LEGACY_TABLE}")).scalars().all()
    legacy = max(versions, default=0)
    if legacy and legacy not in LEGACY_REVISIONS:
        raise ConfigError(
            f"无法识别的旧数据库版本 {legacy}",
            f"unrecognised pre-Alembic schema version {legacy}",
        )
    conn.execute(text(f"DROP TABLE {LEGACY_TABLE}"))
    if legacy:
        _stamp(conn, LEGACY_REVISIONS[legacy])
    return legacy


def _stamp(conn: Connection, revision: str) -> None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    context.stamp(_script(), revision)


def _has_unversioned_tables(conn: Connection) -> bool:
    return bool(KNOWN_TABLES & set(inspect(conn).get_table_names()))
