"""Sub-commands for deadlines and the working calendar.

``workstation deadline`` answers "when is this order due?" the same way the workflow does;
``workstation calendar check|load`` lets an administrator see whether a year has official
data and load the State Council's new year from an overrides file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

TYPE_CHOICES = ("consultation", "help", "complaint", "suggestion", "咨询", "求助", "投诉", "建议")


def register(subparsers: Any) -> None:
    deadline = subparsers.add_parser(
        "deadline",
        help="compute a work order's deadline (办理期限)",
        description="Deadline in working days from dispatch on the official calendar.",
    )
    deadline.add_argument("--type", dest="order_type", required=True, choices=TYPE_CHOICES)
    deadline.add_argument(
        "--from",
        dest="dispatched_at",
        required=True,
        type=_iso_datetime,
        metavar="ISO_DATETIME",
        help="dispatch time, e.g. 2026-09-30T10:00+08:00 (no offset: the city's time zone)",
    )
    deadline.add_argument(
        "--investigation", action="store_true", help="the order needs investigation (10 days)"
    )
    deadline.add_argument("--json", action="store_true", help="print a JSON object")
    _config_option(deadline)
    deadline.set_defaults(handler=run_deadline)

    calendar = subparsers.add_parser(
        "calendar",
        help="working-day calendar: check a year, load an overrides file",
        description="The working-day calendar (chinesecalendar plus the city's overrides).",
    )
    calendar_sub = calendar.add_subparsers(dest="calendar_command", metavar="ACTION")
    check = calendar_sub.add_parser("check", help="is official data for YEAR loaded?")
    check.add_argument("year", type=_year, metavar="YEAR")
    _config_option(check)
    check.set_defaults(handler=run_calendar_check)

    load = calendar_sub.add_parser(
        "load", help="validate an overrides file and install it in the data directory"
    )
    load.add_argument("file", metavar="FILE")
    load.add_argument(
        "--replace",
        action="store_true",
        help="replace the installed file instead of merging its years into it",
    )
    _config_option(load)
    load.set_defaults(handler=run_calendar_load)
    calendar.set_defaults(handler=lambda args: _help(calendar))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="configuration file (workstation.toml)")


def _iso_datetime(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        from workstation.i18n import tr

        raise argparse.ArgumentTypeError(
            tr(
                f"不是 ISO 8601 日期时间：{value!r}（例如 2026-09-30T10:00+08:00）",
                f"not an ISO 8601 date/time: {value!r} (e.g. 2026-09-30T10:00+08:00)",
            )
        ) from None


def _year(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 9998:
        from workstation.i18n import tr

        raise argparse.ArgumentTypeError(tr(f"不是年份：{value!r}", f"not a year: {value!r}"))
    return int(value)


def run_deadline(args: argparse.Namespace) -> int:
    import json

    from workstation.config import load_settings
    from workstation.deadlines import deadline_for, local_date, zone
    from workstation.models import OrderType

    settings = load_settings(args.config)
    dispatched: datetime = args.dispatched_at
    if dispatched.tzinfo is None:
        dispatched = dispatched.replace(tzinfo=zone(settings.timezone))
    order_type = OrderType.parse(args.order_type)
    calendar = settings.calendar()
    rules = settings.rules
    due = deadline_for(
        order_type,
        dispatched,
        calendar,
        rules,
        investigation=args.investigation,
        tz=settings.timezone,
        end=settings.deadline_end,
    )
    start = local_date(dispatched, settings.timezone)
    source = calendar.span_source(start, due.date())
    days = rules.days_for(order_type, args.investigation)
    if args.json:
        payload = {
            "deadline": due.isoformat(),
            "source": source,
            "working_days": days,
            "type": order_type.value,
            "dispatched_at": dispatched.isoformat(),
            "investigation": args.investigation,
        }
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(f"{due.isoformat()} (calendar: {source})")
    if source == "fallback":
        from workstation.i18n import tr

        print(
            tr(
                "注意：期限涉及没有官方日历数据的年份，已按周一至周五计算；"
                "请用 `workstation calendar load` 加载该年的放假安排。",
                "note: the deadline crosses a year without official calendar data and was "
                "counted Monday-Friday; load that year with `workstation calendar load`.",
            ),
            file=sys.stderr,
        )
    return 0


def run_calendar_check(args: argparse.Namespace) -> int:
    from workstation.config import load_settings
    from workstation.i18n import tr

    settings = load_settings(args.config)
    calendar = settings.calendar()
    year = args.year
    source = calendar.official_source(year)
    if source == "override":
        where = ", ".join(str(p) for p in calendar.override_files)
        print(
            tr(
                f"{year}：已有官方数据（覆盖文件 {where}）",
                f"{year}: official data (overrides file {where})",
            )
        )
        return 0
    if source == "chinesecalendar":
        version = _package_version()
        print(
            tr(
                f"{year}：已有官方数据（chinesecalendar {version}）",
                f"{year}: official data (chinesecalendar {version})",
            )
        )
        return 0
    print(
        tr(
            f"{year}：没有官方放假安排，期限按周一至周五推算（不含节假日和调休）。"
            f"国务院公布该年安排后，用 `workstation calendar load FILE` 加载"
            f"（安装到 {settings.overrides_path}）",
            f"{year}: no official holiday data; deadlines are estimated Monday-Friday "
            f"(no public holidays or make-up working days). When the State Council publishes "
            f"the year, load it with `workstation calendar load FILE` "
            f"(installed in {settings.overrides_path})",
        )
    )
    return 1


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


def run_calendar_load(args: argparse.Namespace) -> int:
    from pathlib import Path

    from workstation.calendar import read_overrides, write_overrides
    from workstation.config import load_settings
    from workstation.i18n import tr

    settings = load_settings(args.config)
    incoming = read_overrides(Path(args.file))
    target = settings.overrides_path
    merged = {} if args.replace or not target.exists() else read_overrides(target)
    merged.update(incoming)
    write_overrides(target, merged)
    years = ", ".join(str(y) for y in sorted(incoming)) or "-"
    print(
        tr(
            f"已加载 {years} 年的放假安排到 {target}",
            f"loaded the calendar for {years} into {target}",
        )
    )
    return 0
