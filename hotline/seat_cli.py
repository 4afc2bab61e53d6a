"""``workstation tui`` (alias ``open``), ``workstation demo`` and ``workstation call-event``.

Nothing heavy at module level: Textual is imported only by the handlers that open the app.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    for name in ("tui", "open"):
        p = subparsers.add_parser(
            name, help="open the seat workstation (login, then the home screen of the role)"
        )
        _common(p)
        p.add_argument("--user", help="log in as this user (password from WORKSTATION_PASSWORD)")
        p.add_argument("--keys", action="store_true", help="print the binding ids for keymap.toml")
        p.set_defaults(handler=_tui)

    demo = subparsers.add_parser(
        "demo",
        help="start an embedded central server with demo data and open the app logged in",
    )
    _common(demo)
    demo.add_argument(
        "--as",
        dest="role",
        default="agent",
        choices=["agent", "unit", "supervisor", "callback"],
        help="which demo user to log in as (default: agent)",
    )
    demo.add_argument(
        "--port", type=_port, default=0, help="server port, 1-65535 (default: a free one)"
    )
    demo.add_argument("--no-app", action="store_true", help="prepare the demo data only")
    demo.set_defaults(handler=_demo)

    call = subparsers.add_parser(
        "call-event", help="tell the running workstation about an incoming call"
    )
    call.add_argument("--phone", required=True, help="the caller's number")
    call.add_argument("--name", default="", help="the caller's name, if the telephony knows it")
    call.add_argument("--data-dir", metavar="DIR", help="the seat's data directory")
    call.set_defaults(handler=_call_event)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help="the seat's data directory")
    # SUPPRESS: an absent --lang here leaves the one given before the sub-command
    parser.add_argument(
        "--lang", choices=["zh", "en"], default=argparse.SUPPRESS, help="interface language"
    )


def _port(value: str) -> int:
    """A TCP port (0: let the system choose a free one)."""
    from workstation.i18n import tr

    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(
            tr(
                f"端口应为 1–65535 之间的整数，而不是 {value!r}",
                f"a port is a whole number from 1 to 65535, not {value!r}",
            )
        )
    return int(value)


def _language(args: argparse.Namespace, settings: Any = None) -> None:
    from workstation.i18n import language, set_language

    # --lang wins; else the seat's settings; else what the `workstation` command decided
    set_language(args.lang or getattr(settings, "language", None) or language())


def _data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir:
        return Path(args.data_dir).expanduser()
    from workstation.config import load_settings

    return load_settings().data_dir


def _tui(args: argparse.Namespace) -> int:
    import os

    if args.keys:
        return _print_keys()
    from offline_cache.services import SeatServices

    services = SeatServices.open(Path(args.data_dir).expanduser() if args.data_dir else None)
    _language(args, services.settings)
    login_as = None
    if args.user and os.environ.get("WORKSTATION_PASSWORD"):
        login_as = (args.user, os.environ["WORKSTATION_PASSWORD"])
    from screens.app import HotlineApp

    try:
        HotlineApp(services, login_as=login_as).run()
    finally:
        services.close()
    return 0


def _print_keys() -> int:
    from textual.binding import Binding

    from screens.app import HotlineApp
    from screens.intake import IntakeScreen
    from screens.key_actions import label

    for owner in (HotlineApp, IntakeScreen):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                print(f"{binding.id:<12} {binding.key:<10} {label(binding.description)}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    _language(args)
    from hotline.demo import run_demo

    return run_demo(
        Path(args.data_dir).expanduser() if args.data_dir else None,
        role=args.role,
        port=args.port,
        open_app=not args.no_app,
    )


def _call_event(args: argparse.Namespace) -> int:
    from screens.call_events import send_call_event

    send_call_event(_data_dir(args), args.phone, args.name)
    print("ok")
    return 0
