"""Seat commands for scripts, field technicians and independent checks.

``workstation seat enroll``, ``workstation login``, ``workstation order create`` and
``workstation sync``; every one takes ``--data-dir`` so several seats can run on one
machine. Heavy modules are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from workstation.i18n import tr


def register(subparsers: Any) -> None:
    seat = subparsers.add_parser("seat", help="this seat: enrol with the central server")
    seat_sub = seat.add_subparsers(dest="seat_command", metavar="ACTION")
    enroll = seat_sub.add_parser("enroll", help="enrol this seat (token from the admin)")
    enroll.add_argument("--server", required=True, metavar="URL")
    enroll.add_argument("--seat", required=True, metavar="CODE")
    enroll.add_argument("--token", required=True, metavar="TOKEN")
    _data_dir(enroll)
    enroll.set_defaults(handler=run_enroll)
    info = seat_sub.add_parser("info", help="show the seat's enrolment")
    _data_dir(info)
    info.set_defaults(handler=run_seat_info)
    seat.set_defaults(handler=lambda args: _help(seat))

    login = subparsers.add_parser(
        "login", help="log a user in on this seat (password: stdin or WORKSTATION_PASSWORD)"
    )
    login.add_argument("user", metavar="USER")
    _data_dir(login)
    login.set_defaults(handler=run_login)

    order = subparsers.add_parser("order", help="work orders in the seat's local cache")
    order_sub = order.add_subparsers(dest="order_command", metavar="ACTION")
    create = order_sub.add_parser(
        "create", help="dispatch work orders from JSON Lines, exactly as the intake form does"
    )
    create.add_argument("--json", dest="json_file", required=True, metavar="FILE", help="- = stdin")
    _data_dir(create)
    create.set_defaults(handler=run_order_create)
    show = order_sub.add_parser("show", help="print an order's local (optimistic) snapshot")
    show.add_argument("order_id", metavar="ORDER")
    _data_dir(show)
    show.set_defaults(handler=run_order_show)
    order.set_defaults(handler=lambda args: _help(order))

    sync = subparsers.add_parser("sync", help="synchronise the seat with the central server")
    sync.add_argument("--once", action="store_true", help="one round, then exit")
    sync.add_argument("--status", action="store_true", help="print the sync status and exit")
    sync.add_argument("--problems", action="store_true", help="list commands the server rejected")
    sync.add_argument("--server", metavar="URL", help="server URL (default: the enrolled one)")
    sync.add_argument("--json", action="store_true", help="print JSON")
    _data_dir(sync)
    sync.set_defaults(handler=run_sync)


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", metavar="DIR", help="the seat's data directory (seat.sqlite3)"
    )


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _open(args: argparse.Namespace) -> Any:
    from offline_cache.services import SeatServices

    return SeatServices.open(Path(args.data_dir) if args.data_dir else None)


def run_enroll(args: argparse.Namespace) -> int:
    info = _open(args).enroll(args.server, args.seat, args.token)
    print(f"enrolled seat {info.seat} (prefix {info.prefix}, client {info.client_id})")
    return 0


def run_seat_info(args: argparse.Namespace) -> int:
    info = _open(args).seat()
    if info is None:
        print("not enrolled")
        return 1
    print(json.dumps(info.__dict__, ensure_ascii=False))
    return 0


def run_login(args: argparse.Namespace) -> int:
    password = os.environ.get("WORKSTATION_PASSWORD")
    if password is None:
        password = sys.stdin.readline().rstrip("\r\n")
    session = _open(args).login(args.user, password)
    mode = "online" if session.online else "offline (cached credentials)"
    print(f"logged in as {session.user} ({session.role.value}) {mode}")
    return 0


def run_order_create(args: argparse.Namespace) -> int:
    from workstation.errors import UserFacingError
    from workstation.intake_form import IntakeForm

    stream = _input(args.json_file)
    services = _open(args)
    failed = 0
    orders = 0
    with stream:
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            orders += 1
            try:
                form = IntakeForm.parse(json.loads(line))
                print(services.dispatch(form), flush=True)
            except (ValueError, UserFacingError) as exc:
                failed += 1
                print(f"line {lineno}: {exc}", file=sys.stderr)
    if orders == 0:
        from workstation.errors import ValidationError

        source = tr("标准输入", "standard input") if args.json_file == "-" else f"{args.json_file} "
        raise ValidationError(
            "json",
            f"没有工单：{source}是空的（每行应是一个 JSON 对象，字段与受理表单相同）",
            f"no orders: {source} is empty (each line is one JSON object, the intake form's fields)",
        )
    return 1 if failed else 0


def _input(name: str) -> Any:
    """The JSON Lines to read: stdin for ``-``; a file that cannot be opened is named."""
    from workstation.errors import ConfigError

    if name == "-":
        return sys.stdin
    try:
        return open(name, encoding="utf-8")  # noqa: SIM115 - closed by the caller's with
    except FileNotFoundError:
        raise ConfigError(f"找不到工单文件：{name}", f"order file not found: {name}") from None
    except OSError as exc:
        raise ConfigError(
            f"无法读取工单文件 {name}：{exc.strerror}",
            f"cannot read the order file {name}: {exc.strerror}",
        ) from None


def run_order_show(args: argparse.Namespace) -> int:
    raw = _open(args).db.scalar("SELECT snapshot FROM orders WHERE order_id=?", (args.order_id,))
    if raw is None:
        print(f"no order {args.order_id}", file=sys.stderr)
        return 1
    print(raw)
    return 0


def _status_dict(status: Any) -> dict[str, Any]:
    age = status.oldest_pending_age
    return {
        "online": status.online,
        "pending": status.pending,
        "oldest_pending_age_s": None if age is None else round(age.total_seconds(), 1),
        "last_success": status.last_success.isoformat() if status.last_success else None,
        "problems": status.problems,
        "needs_login": status.needs_login,
        "last_error": status.last_error,
    }


def run_sync(args: argparse.Namespace) -> int:
    import asyncio

    services = _open(args)
    if args.problems:
        for p in services.problems():
            row = {"op_id": p.op_id, "command": p.command, "order_id": p.order_id}
            print(json.dumps({**row, "reason": p.reason}, ensure_ascii=False))
        return 0
    if args.status:
        return _print_status(services.status(), args.json)
    if args.once:
        from offline_cache.sync_client import SyncError

        try:
            asyncio.run(services.sync_once(server_url=args.server))
        except SyncError as exc:
            services.last_error = str(exc)
            _print_status(services.status(), args.json)
            return 1
        return _print_status(services.status(), args.json)
    loop = services.sync_loop()
    try:
        asyncio.run(loop.run())
    except KeyboardInterrupt:
        return 130
    return 0


def _print_status(status: Any, as_json: bool) -> int:
    data = _status_dict(status)
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return 0
