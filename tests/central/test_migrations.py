"""Frozen migrations: every path to the newest revision gives the schema ``central.schema``
declares, on SQLite and PostgreSQL, and installations made before Alembic upgrade safely.

"Equal" is checked twice: Alembic's ``compare_metadata`` against ``central.schema.metadata``,
and the database's own description (inspector: tables, columns, types, nullability,
defaults, keys, indexes, unique constraints, sequences) against a fresh install and against
``metadata.create_all``. Downgrades are not supported, so none is tested.
"""

from __future__ import annotations

import ast
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from central import migrations
from central.db import Database, normalize_url
from workstation.errors import ConfigError

LEGACY = Path(__file__).parent / "legacy_schemas"
VERSIONS = Path(migrations.__file__).parent / "versions"

NewDb = Callable[[], str]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDb]:
    """Makes empty databases of one dialect (files, or PG databases dropped afterwards)."""
    made: list[str] = []
    if request.param == "sqlite":

        def new_sqlite() -> str:
            made.append(f"sqlite:///{tmp_path / f'db{len(made)}.sqlite'}")
            return made[-1]

        yield new_sqlite
        return
    import psycopg

    server = str(request.getfixturevalue("pg_server_url"))
    base = make_url(normalize_url(server))
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    admin = admin.replace("+psycopg", "")

    def new_pg() -> str:
        name = f"hl_mig_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    yield new_pg
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _engine(url: str) -> Any:
    return create_engine(normalize_url(url))


def describe(url: str) -> dict[str, Any]:
    """The schema as the database reports it (the version table aside)."""
    engine = _engine(url)
    try:
        insp = inspect(engine)
        out: dict[str, Any] = {}
        for table in sorted(set(insp.get_table_names()) - {migrations.VERSION_TABLE}):
            out[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                    for c in insp.get_columns(table)
                ],
                "primary_key": insp.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in insp.get_indexes(table)
                ),
                "unique": sorted(
                    (u["name"] or "", tuple(u["column_names"]))
                    for u in insp.get_unique_constraints(table)
                ),
                "foreign_keys": sorted(str(fk) for fk in insp.get_foreign_keys(table)),
            }
        if engine.dialect.name == "postgresql":
            out["(sequences)"] = sorted(insp.get_sequence_names())
        return out
    finally:
        engine.dispose()


def differences_from_schema(url: str, metadata: Any = None) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from central import schema

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, metadata or schema.metadata))
    finally:
        engine.dispose()


def load_legacy(url: str, version: int) -> None:
    """An installation as the pre-Alembic code left it (frozen DDL of that release)."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    (path,) = LEGACY.glob(f"v{version}_*_{dialect}.sql")
    sql = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("--"))
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            for statement in sql.split(";\n"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def migrate(url: str, to: str = "head") -> migrations.MigrationResult:
    db = Database(url)
    try:
        return db.migrate(to)
    finally:
        db.dispose()


def revision_of(url: str) -> str | None:
    db = Database(url)
    try:
        return db.schema_revision()
    finally:
        db.dispose()


# -- the newest revision is central.schema --------------------------------------------


def test_fresh_install_equals_central_schema(new_db: NewDb) -> None:
    from central import schema

    url = new_db()
    result = migrate(url)
    assert (result.before, result.after) == (None, migrations.head())
    assert result.applied == migrations.revisions()
    assert differences_from_schema(url) == []

    declared = new_db()
    engine = _engine(declared)
    with engine.begin() as conn:
        schema.metadata.create_all(conn)
    engine.dispose()
    assert describe(url) == describe(declared)


def test_a_schema_edit_without_a_migration_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a column added only in central.schema shows as a diff."""
    from sqlalchemy import Column, MetaData, String

    from central import schema

    url = f"sqlite:///{tmp_path / 'central.db'}"
    migrate(url)
    edited = MetaData()
    for table in schema.metadata.tables.values():
        table.to_metadata(edited)
    edited.tables["orders"].append_column(Column("district", String(32), nullable=True))
    diffs = differences_from_schema(url, edited)
    assert [(d[0], d[3].name) for d in diffs] == [("add_column", "district")]


def test_step_by_step_equals_a_fresh_install(new_db: NewDb) -> None:
    stepped = new_db()
    for revision in migrations.revisions():
        result = migrate(stepped, to=revision)
        assert result.applied == [revision]
        assert revision_of(stepped) == revision
    fresh = new_db()
    migrate(fresh)
    assert describe(stepped) == describe(fresh)
    assert differences_from_schema(stepped) == []


def test_the_first_step_seeds_the_change_counter(new_db: NewDb) -> None:
    url = new_db()
    migrate(url, to="0001")
    engine = _engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, value FROM change_counter")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 0)]


# -- installations made before Alembic -------------------------------------------------


@pytest.mark.parametrize("legacy", [1, 2], ids=["first-release", "commit-95e2e0c"])
def test_a_pre_alembic_installation_is_adopted_and_upgraded(new_db: NewDb, legacy: int) -> None:
    url = new_db()
    load_legacy(url, legacy)
    result = migrate(url)
    assert result.adopted == legacy
    assert result.before == migrations.LEGACY_REVISIONS[legacy]
    assert result.after == migrations.head()
    assert result.applied == migrations.revisions()[legacy:]

    fresh = new_db()
    migrate(fresh)
    assert describe(url) == describe(fresh)
    assert differences_from_schema(url) == []

    engine = _engine(url)
    with engine.connect() as conn:
        leader = conn.execute(text("SELECT leader FROM units WHERE code = 'U001'")).scalar()
        counter = conn.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar()
        changes = conn.execute(text("SELECT count(*) FROM changes")).scalar()
    engine.dispose()
    assert (leader, counter, changes) == ("分管副市长 王明", 1, 1)
    assert migrate(url).applied == []


def test_unversioned_tables_are_refused_untouched(new_db: NewDb) -> None:
    """Our tables with no version marker at all: no guessing, and nothing is changed."""
    url = new_db()
    load_legacy(url, 2)
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE schema_migrations"))
    engine.dispose()
    before = describe(url)
    with pytest.raises(ConfigError) as refused:
        migrate(url)
    assert "no schema version" in refused.value.en
    assert describe(url) == before


# -- targets, refusals, concurrency ----------------------------------------------------


def test_targets_that_cannot_be_reached_are_refused(new_db: NewDb) -> None:
    url = new_db()
    with pytest.raises(ConfigError) as refused:
        migrate(url, to="9999")
    assert "no such schema revision: 9999" in refused.value.en
    assert revision_of(url) is None
    migrate(url)
    with pytest.raises(ConfigError) as refused:
        migrate(url, to="0001")
    assert "downgrades are not supported" in refused.value.en
    assert revision_of(url) == migrations.head()


def test_a_database_newer_than_the_program_is_refused(new_db: NewDb) -> None:
    url = new_db()
    migrate(url)
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(ConfigError) as refused:
        migrate(url)
    assert "newer than this program" in refused.value.en


def test_servers_starting_together_migrate_once(new_db: NewDb) -> None:
    url = new_db()
    databases = [Database(url) for _ in range(3)]
    start = threading.Barrier(len(databases))
    results: list[migrations.MigrationResult] = []
    errors: list[BaseException] = []

    def run(db: Database) -> None:
        start.wait()
        try:
            results.append(db.migrate())
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(db,)) for db in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in databases:
        db.dispose()
    assert errors == []
    assert sorted(len(r.applied) for r in results) == [0, 0, len(migrations.revisions())]
    assert differences_from_schema(url) == []


# -- the revision files themselves ----------------------------------------------------


def test_revisions_are_a_numbered_line_of_frozen_ddl() -> None:
    order = migrations.revisions()
    assert order == [f"{n:04d}" for n in range(1, len(order) + 1)]
    files = sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert [p.name[:4] for p in files] == order
    for path in files:
        tree = ast.parse(path.read_text())
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert imported <= {"__future__", "datetime", "sqlalchemy", "alembic"}, path
        calls = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not calls & {"create_all", "create", "metadata"}, path


# -- workstation admin migrate / init ------------------------------------------------


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., tuple[int, str, str]]]:
    from hotline.cli import main
    from workstation.i18n import language, set_language

    was = language()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run
    set_language(was)


def test_admin_migrate_reports_before_and_after(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    head = migrations.head()
    assert cli("--lang", "en", "admin", "migrate", "--db", url, "--to", "0001") == (
        0,
        "schema revision: none -> 0001 (applied 0001)\n",
        "",
    )
    code, out, _ = cli("--lang", "zh", "admin", "migrate", "--db", url)
    applied = ", ".join(r for r in migrations.revisions() if r > "0001")
    assert (code, out) == (0, f"数据库版本：0001 → {head}（已执行 {applied}）\n")
    code, out, _ = cli("--lang", "en", "admin", "migrate", "--db", url)
    assert (code, out) == (0, f"schema revision: {head}, nothing to apply\n")

    code, out, err = cli("--lang", "en", "admin", "migrate", "--db", url, "--to", "0001")
    assert (code, out) == (1, "")
    assert "downgrades are not supported" in err and "Traceback" not in err


def test_admin_init_adopts_a_pre_alembic_database(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    load_legacy(url, 1)
    code, out, _ = cli("--lang", "en", "admin", "init", "--db", url)
    head = migrations.head()
    assert code == 0
    assert out.splitlines() == [
        "recognised a pre-Alembic database (schema_migrations version 1); "
        "Alembic tracks its revision now",
        f"schema revision: 0001 -> {head} (applied {', '.join(migrations.revisions()[1:])})",
        f"database ready: {url}",
    ]
    assert differences_from_schema(url) == []


def test_migrations_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No alembic.ini: the scripts are found from the package, wherever the server starts."""
    monkeypatch.chdir(tmp_path)
    assert not (Path(os.getcwd()) / "alembic.ini").exists()
    url = f"sqlite:///{tmp_path / 'central.db'}"
    assert migrate(url).after == migrations.head()
