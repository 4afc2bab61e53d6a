"""The `workstation` command: the composition root.

Each area owns the sub-commands of its own `cli` module (``register(subparsers)``), imported
below and registered in ``build_parser`` in the order they appear in ``--help``. Those
modules import nothing heavy at module level (each handler imports what it needs), so
`workstation deadline` never loads a web framework, SQLAlchemy or Textual. Handlers return
an exit code; errors a person can act on are printed without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import assist.cli
import central.cli
import kb_index.cli
import offline_cache.cli
from hotline import domain_cli, seat_cli
from workstation.errors import UserFacingError
from workstation.i18n import set_language


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
    domain_cli.register(sub)  # deadline, calendar, version
    kb_index.cli.register(sub)
    central.cli.register(sub)
    offline_cache.cli.register(sub)
    assist.cli.register(sub)
    seat_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    lang = args.lang or os.environ.get("WORKSTATION_LANG") or os.environ.get("WORKSTATION_LANGUAGE")
    if lang in ("zh", "en"):
        set_language(lang)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except UserFacingError as exc:
        print(f"workstation: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
