"""`workstation serve` and `workstation admin ...`: run and administer the central server.

Nothing heavy is imported here at module level; each handler imports what it needs.
Every admin command takes ``--db URL`` (default: ``WORKSTATION_DB_URL`` or the SQLite
file in the user data directory) and applies pending migrations first; ``admin migrate
--to REV`` moves the schema to one revision and reports it (docs/migrations.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the central server (HTTP)")
    serve.add_argument("--db", help="database URL (sqlite:///path or postgresql://...)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port", type=_port, default=None, help="1-65535 (default: the port of server_url)"
    )
    serve.add_argument(
        "--workers", type=_workers, default=1, help="server processes sharing the database"
    )
    serve.add_argument("--create-dir", action="store_true", help=_CREATE_DIR_HELP)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(handler=_serve)

    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", help="database URL (default: WORKSTATION_DB_URL or the data directory)")
    db.add_argument("--create-dir", action="store_true", help=_CREATE_DIR_HELP)
    admin = subparsers.add_parser("admin", help="administer the central server's database")
    sub = admin.add_subparsers(dest="admin_command", metavar="ACTION")
    admin.set_defaults(handler=lambda args: (admin.print_help(), 2)[1])

    p = sub.add_parser("init", parents=[db], help="create or upgrade the database")
    p.set_defaults(handler=_init)
    p = sub.add_parser(
        "migrate", parents=[db], help="upgrade the database schema (default: to the newest)"
    )
    p.add_argument("--to", default="head", metavar="REV", help="target revision (e.g. 0002)")
    p.set_defaults(handler=_migrate)
    p = sub.add_parser("load-units", parents=[db], help="load the routing directory (JSON Lines)")
    p.add_argument("file")
    p.set_defaults(handler=_load_units)
    p = sub.add_parser(
        "add-user", parents=[db], help="add a user (password from stdin or WORKSTATION_PASSWORD)"
    )
    p.add_argument("name")
    p.add_argument(
        "--role", required=True, choices=["agent", "callback", "supervisor", "unit", "admin"]
    )
    p.add_argument("--unit", help="the unit code (unit users)")
    p.add_argument("--display-name", default="")
    p.set_defaults(handler=_add_user)
    p = sub.add_parser("enroll-seat", parents=[db], help="enrol a seat and print its token once")
    p.add_argument("seat")
    p.add_argument("--prefix", help="order-number prefix (default: <order_prefix>-<seat>)")
    p.set_defaults(handler=_enroll_seat)
    p = sub.add_parser("revoke-seat", parents=[db], help="revoke a seat token and its sessions")
    p.add_argument("seat")
    p.set_defaults(handler=_revoke_seat)
    p = sub.add_parser("revoke-user", parents=[db], help="disable a user and end their sessions")
    p.add_argument("name")
    p.set_defaults(handler=_revoke_user)
    p = sub.add_parser("export", parents=[db], help="every order with its events and contacts")
    p.add_argument("--json", action="store_true", help="one JSON document (default: JSON Lines)")
    p.set_defaults(handler=_export)
    p = sub.add_parser("run-jobs", parents=[db], help="run the periodic jobs once")
    p.add_argument("--now", help="ISO time to run them at (default: now)")
    p.set_defaults(handler=_run_jobs)
    p = sub.add_parser(
        "train-assist", parents=[db], help="retrain the intake assist from closed orders"
    )
    p.add_argument("--force", action="store_true", help="train even if not due by the settings")
    p.set_defaults(handler=_train_assist)
    p = sub.add_parser(
        "kb-import", parents=[db], help="import KB articles (JSONL, CSV, Markdown folder)"
    )
    p.add_argument("path")
    p.set_defaults(handler=_kb_import)
    p = sub.add_parser(
        "kb-embed", parents=[db], help="make the KB articles' missing or stale vectors now"
    )
    p.add_argument("--status", action="store_true", help="only show how many are up to date")
    p.set_defaults(handler=_kb_embed)
    p = sub.add_parser("report", parents=[db], help="the assessment per unit and period")
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD (city time)")
    p.add_argument("--end", required=True, help="the day after the last (exclusive)")
    p.add_argument("--unit", help="one unit's code (default: every unit)")
    p.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.set_defaults(handler=_report)


_CREATE_DIR_HELP = "create the directory of a --db SQLite file if it does not exist"


def _port(value: str) -> int:
    """A TCP port, checked while the arguments are parsed (1-65535)."""
    from workstation.i18n import tr

    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(
            tr(
                f"端口应为 1–65535 之间的整数，而不是 {value!r}",
                f"a port is a whole number from 1 to 65535, not {value!r}",
            )
        )
    return int(value)


def _workers(value: str) -> int:
    from workstation.i18n import tr

    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(
            tr(
                f"进程数应为 1–64 之间的整数，而不是 {value!r}",
                f"the number of workers is a whole number from 1 to 64, not {value!r}",
            )
        )
    return int(value)


def _check_db_dir(args: argparse.Namespace) -> None:
    """An explicit SQLite file in a directory that does not exist is refused (likely a typo)
    unless ``--create-dir`` says to create it; the default data directory is always created."""
    from pathlib import Path

    from workstation.errors import ConfigError

    url = args.db or os.environ.get("WORKSTATION_DB_URL")
    if not url or getattr(args, "create_dir", False) or not url.startswith("sqlite"):
        return
    from sqlalchemy.engine import make_url

    try:
        database = make_url(url).database
    except Exception:  # noqa: BLE001 - Database() reports a bad URL in the user's words
        return
    if not database or database == ":memory:":
        return
    parent = Path(database).expanduser().parent
    if not parent.is_dir():
        raise ConfigError(
            f"数据库目录不存在：{parent}（请检查 --db，或加 --create-dir 创建该目录）",
            f"the database directory does not exist: {parent} "
            f"(check --db, or add --create-dir to create it)",
        )


def _store(args: argparse.Namespace) -> Any:
    from central.store import Store

    _check_db_dir(args)
    store = Store.open(args.db)
    store.db.migrate()
    return store


def _init(args: argparse.Namespace) -> int:
    from workstation.i18n import tr

    _check_db_dir(args)
    url = _migrate_and_report(args.db, "head")
    print(tr(f"数据库就绪：{url}", f"database ready: {url}"))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    _check_db_dir(args)
    _migrate_and_report(args.db, args.to)
    return 0


def _migrate_and_report(db_url: str | None, to: str) -> str:
    """Upgrade the schema to ``to``, print where it was and is now; returns the URL shown."""
    from central.store import Store
    from workstation.i18n import tr

    store = Store.open(db_url)
    try:
        result = store.db.migrate(to)
        url = store.db.engine.url.render_as_string(hide_password=True)
    finally:
        store.db.dispose()
    if result.adopted is not None:
        print(
            tr(
                f"已识别旧版数据库（schema_migrations 版本 {result.adopted}），改由 Alembic 记录版本",
                f"recognised a pre-Alembic database (schema_migrations version "
                f"{result.adopted}); Alembic tracks its revision now",
            )
        )
    before = result.before or tr("无", "none")
    if result.applied:
        steps = ", ".join(result.applied)
        print(
            tr(
                f"数据库版本：{before} → {result.after}（已执行 {steps}）",
                f"schema revision: {before} -> {result.after} (applied {steps})",
            )
        )
    else:
        print(
            tr(
                f"数据库版本：{result.after}，无需升级",
                f"schema revision: {result.after}, nothing to apply",
            )
        )
    return url


def _load_units(args: argparse.Namespace) -> int:
    from central.accounts import upsert_units
    from workstation.errors import ConfigError
    from workstation.models import load_units

    try:
        units = load_units(args.file)
    except FileNotFoundError:
        raise ConfigError(
            f"找不到单位名录文件：{args.file}", f"routing directory file not found: {args.file}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"无法读取单位名录文件 {args.file}：{exc}",
            f"cannot read the routing directory {args.file}: {exc}",
        ) from None
    store = _store(args)
    with store.transaction() as tx:
        changed = upsert_units(tx, units)
    print(f"{len(units)} units read, {changed} added or changed")
    return 0


def _password() -> str:
    password = os.environ.get("WORKSTATION_PASSWORD")
    if password:
        return password
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\n")


def _add_user(args: argparse.Namespace) -> int:
    from central.accounts import add_user

    store = _store(args)
    with store.transaction() as tx:
        add_user(tx, args.name, args.role, _password(), args.unit, args.display_name)
    print(f"user {args.name} ({args.role}{' ' + args.unit if args.unit else ''}) added")
    return 0


def _enroll_seat(args: argparse.Namespace) -> int:
    from central.accounts import enroll_seat

    store = _store(args)
    prefix = args.prefix or f"{store.settings.order_prefix}-{args.seat}"
    with store.transaction() as tx:
        token = enroll_seat(tx, args.seat, prefix)
    print(f"seat {args.seat} enrolled (prefix {prefix}); token (shown once):", file=sys.stderr)
    print(token)
    return 0


def _revoke_seat(args: argparse.Namespace) -> int:
    from central.accounts import revoke_seat

    store = _store(args)
    with store.transaction() as tx:
        revoke_seat(tx, args.seat)
    print(f"seat {args.seat} revoked")
    return 0


def _revoke_user(args: argparse.Namespace) -> int:
    from central.accounts import revoke_user

    store = _store(args)
    with store.transaction() as tx:
        revoke_user(tx, args.name)
    print(f"user {args.name} disabled")
    return 0


def _export(args: argparse.Namespace) -> int:
    import json

    store = _store(args)
    records = store.export()
    if args.json:
        orders: list[dict[str, Any]] = []
        contacts: list[dict[str, Any]] = []
        for r in records:
            (orders if r["kind"] == "order" else contacts).append(r)
        doc = {
            "orders": [{**r["order"], "contacts": r["contacts"]} for r in orders],
            "contacts": [r["contact"] for r in contacts],
        }
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for r in records:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


def _run_jobs(args: argparse.Namespace) -> int:
    from central.jobs import run_jobs
    from central.store import _parse_now

    store = _store(args)
    now = _parse_now(args.now, "--now") if args.now else None
    counts = run_jobs(store, now)
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def _train_assist(args: argparse.Namespace) -> int:
    from central.assist_training import run_training

    result = run_training(_store(args), force=args.force)
    print(result.line())
    return 0 if result.status != "busy" else 3


def _kb_import(args: argparse.Namespace) -> int:
    from central.kb import put_article, read_articles

    articles, problems = read_articles(args.path)
    for line in problems:
        print(f"skipped {line}", file=sys.stderr)
    store = _store(args)
    with store.transaction() as tx:
        for article in articles:
            put_article(tx, article, "admin")
    print(f"{len(articles)} articles imported")
    return 0


def _kb_embed(args: argparse.Namespace) -> int:
    """The embed job in the foreground, with a progress line (the server runs the same job
    in a subprocess; the lease keeps the two from embedding at once)."""
    from central.kb_vectors import embed_status, run_embedding
    from workstation.i18n import tr

    store = _store(args)
    if args.status:
        status = embed_status(store)
        print(
            tr(
                f"向量 {status.current}/{status.articles}（{status.version}；"
                f"{'正在生成' if status.running else '空闲'}）",
                status.line(),
            )
        )
        return 0

    def progress(done: int, total: int) -> None:
        print(f"\r{tr('向量', 'vectors')} {done}/{total}", end="", file=sys.stderr, flush=True)

    result = run_embedding(store, progress=progress)
    print(file=sys.stderr)
    print(result.line())
    return 0 if result.status != "busy" else 3


def _report(args: argparse.Namespace) -> int:
    from central.reports import run_cli

    return run_cli(args, _store(args))


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.store import Store

    _check_db_dir(args)
    if args.db:
        os.environ["WORKSTATION_DB_URL"] = args.db  # the worker processes read it
    store = Store.open(args.db)
    store.db.migrate()  # once, before the workers start
    port = args.port
    if port is None:
        from urllib.parse import urlparse

        port = urlparse(store.settings.server_url).port or 8712
    if args.workers > 1:
        store.db.dispose()
        uvicorn.run(
            "central.app:app_factory",
            factory=True,
            host=args.host,
            port=port,
            workers=args.workers,
            log_level=args.log_level,
        )
    else:
        from central.app import create_app

        uvicorn.run(create_app(store), host=args.host, port=port, log_level=args.log_level)
    return 0
