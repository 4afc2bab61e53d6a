"""The `workstation` command: the composition root.

Each area owns the sub-commands of its own `cli` module (``register(subparsers)``), imported
below and registered in ``build_parser`` in the order they appear in ``--help``. Those
modules import nothing heavy at module level (each handler imports what it needs), so
`workstation deadline` never loads a web framework, SQLAlchemy or Textual. Handlers return
an exit code. The language is decided before parsing (``--lang``, ``WORKSTATION_LANG``, the
configuration file), so argparse's messages follow it too; every failure ends as one line
on stderr (exit 1; 2 for a usage error): a typed error's message, a file that cannot be
read, or, for anything unexpected, a summary and the log file that holds the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import assist.cli
import central.cli
import kb_index.cli
import offline_cache.cli
from hotline import domain_cli, seat_cli
from hotline.cli_parser import LANGUAGES, Parser, decide_language
from workstation.errors import UserFacingError
from workstation.i18n import set_language, tr

#: The file, in the user's state directory, that keeps the traceback of unexpected errors.
ERROR_LOG = "errors.log"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="workstation",
        description=tr(
            "12345 热线工作台：受理、派单、承办、督办、回访。",
            "12345 hotline workstation: intake, dispatch, handling, supervision, callback.",
        ),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help=tr(
            "界面语言：zh（简体中文，默认）或 en",
            "interface language: zh (Simplified Chinese, default) or en",
        ),
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
    """Run one command; every failure ends as one line in the interface language."""
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(decide_language(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except UserFacingError as exc:
        return _fail(exc.message())
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (e.g. `| head`): nothing left to say
        return 1
    except OSError as exc:
        return _fail(_os_error(exc))
    except Exception as exc:  # the last resort: never a raw traceback
        return _fail(_unexpected(exc, argv))


def _fail(message: str) -> int:
    line = " ".join(message.split())
    print(f"workstation: {line}", file=sys.stderr)
    return 1


def _os_error(exc: OSError) -> str:
    """A file or system error, naming the file when there is one."""
    name = exc.filename
    if isinstance(exc, FileNotFoundError) and name is not None:
        return tr(f"找不到文件：{name}", f"file not found: {name}")
    if isinstance(exc, PermissionError) and name is not None:
        return tr(f"没有权限访问：{name}", f"permission denied: {name}")
    if isinstance(exc, IsADirectoryError) and name is not None:
        return tr(f"这是一个目录，不是文件：{name}", f"is a directory, not a file: {name}")
    if isinstance(exc, NotADirectoryError) and name is not None:
        return tr(f"路径中有一段不是目录：{name}", f"a part of the path is not a directory: {name}")
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = f"{name}: " if name is not None else ""
    return tr(f"系统错误：{where}{reason}", f"system error: {where}{reason}")


def error_log_path() -> Path:
    """Where unexpected errors are recorded with their traceback (the user's state dir)."""
    override = os.environ.get("WORKSTATION_LOG_DIR")
    if override:
        return Path(override).expanduser() / ERROR_LOG
    import platformdirs

    from workstation.config import APP_NAME

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / ERROR_LOG


def _unexpected(exc: Exception, argv: Sequence[str]) -> str:
    """Record the traceback in the error log; the line says what happened and where to look."""
    import traceback
    from datetime import datetime

    summary = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    path = error_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().astimezone().isoformat()} workstation {argv}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        return tr(
            f"意外错误：{summary}；无法写入错误日志 {path}",
            f"unexpected error ({summary}); the error log {path} could not be written",
        )
    return tr(
        f"意外错误：{summary}；详细信息（含调用栈）已记录在 {path}",
        f"unexpected error ({summary}); details are in {path}",
    )


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
