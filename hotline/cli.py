"""The `workstation` command: the composition root.

Each area owns the sub-commands of its own `cli` module (``register(subparsers)``); those
modules import nothing heavy at module level, so `workstation deadline` never loads a web
framework or Textual. Handlers return an exit code; errors a person can act on are printed
without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

#: Modules that add sub-commands, in the order they appear in ``--help``.
COMMAND_MODULES = (
    "workstation.cli_domain",
    "kb_index.cli",
    "central.cli",
    "offline_cache.cli",
    "assist.cli",
    "hotline.seat_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="12345 hotline workstation: intake, dispatch, handling, supervision, callback.",
    )
    parser.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="interface language: zh (Simplified Chinese, default) or en",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # an area not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from workstation.i18n import set_language

    lang = args.lang or os.environ.get("WORKSTATION_LANG") or os.environ.get("WORKSTATION_LANGUAGE")
    if lang in ("zh", "en"):
        set_language(lang)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from workstation.errors import UserFacingError

    try:
        return int(handler(args) or 0)
    except UserFacingError as exc:
        print(f"workstation: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
