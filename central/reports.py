"""Assessment reports (考核统计): ``GET /api/v1/reports/assessment`` and ``admin report``.

The figures are :func:`workstation.assessment.assess` over the orders that can have an
event in the period (see ``docs/assessment.md``), read from the event log, so the server
and a seat's offline supervision screen agree. The period is ``[start, end)`` in city dates (``end`` exclusive: November is
``start=2026-11-01&end=2026-12-01``), at most 731 days, as known now.

Who sees what: supervisors and admins every unit (or ``unit=``), a unit user only its own
unit (another unit is 403), agents and callback operators nothing (403). Formats:
``json`` (ratios 0-1, ``null`` when undefined), ``csv`` (UTF-8 with BOM so Excel opens
the Chinese headings; rates in percent), ``xlsx``.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Connection, or_, select

from central import schema
from central.api_models import NO_NUL, error_responses
from central.auth import SessionDep, StoreDep
from central.errors import BadBody, Forbidden, NotFound
from central.store import Store
from workstation.models import Role

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

MAX_DAYS = 731
CHUNK = 500
_ASSIGN_KINDS = ("dispatched", "reassigned", "rehandled")
_MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def period(store: Store, start: date, end: date) -> tuple[datetime, datetime]:
    """The city-time moments of ``[start, end)``; a 422 for an empty or too long period."""
    from workstation.deadlines import zone

    if end <= start:
        raise BadBody("结束日期须晚于开始日期", "end must be after start (end is exclusive)")
    if (end - start).days > MAX_DAYS:
        raise BadBody(f"统计期间最长 {MAX_DAYS} 天", f"the period may span at most {MAX_DAYS} days")
    tz = zone(store.settings.timezone)
    return datetime(start.year, start.month, start.day, tzinfo=tz), datetime(
        end.year, end.month, end.day, tzinfo=tz
    )


def load_orders(conn: Connection, start: datetime, end: datetime) -> list[Any]:
    """Every order that can count in ``[start, end)``: assigned before ``end`` and either
    with an event from ``start`` on (a reply, notice, callback... in or after the period)
    or still owing a reply now (open across the whole period: maybe overdue in it)."""
    from workstation.orders import OPEN_STATES, from_snapshot

    ev, o = schema.order_events, schema.orders
    touched = select(ev.c.order_id).where(ev.c.at >= start)
    still_open = select(o.c.order_id).where(o.c.state.in_([s.value for s in OPEN_STATES]))
    ids = list(
        conn.execute(
            select(ev.c.order_id)
            .where(
                ev.c.kind.in_(_ASSIGN_KINDS),
                ev.c.at < end,
                or_(ev.c.order_id.in_(touched), ev.c.order_id.in_(still_open)),
            )
            .distinct()
            .order_by(ev.c.order_id)
        ).scalars()
    )
    orders: list[Any] = []
    for i in range(0, len(ids), CHUNK):
        rows = conn.execute(select(o.c.snapshot).where(o.c.order_id.in_(ids[i : i + CHUNK])))
        orders.extend(from_snapshot(json.loads(snap)) for (snap,) in rows)
    return orders


def compute(store: Store, start: date, end: date, unit: str | None) -> Any:
    """The assessment of ``[start, end)`` for one unit or all (``unit=None``)."""
    from workstation.assessment import assess

    begin, finish = period(store, start, end)
    with store.db.read() as conn:
        names = dict(conn.execute(select(schema.units.c.code, schema.units.c.name)).all())
        if unit is not None and unit not in names:
            raise NotFound(f"单位名录中没有 {unit}", f"unit {unit} is not in the routing directory")
        orders = load_orders(conn, begin, finish)
    s = store.settings
    return assess(
        orders,
        begin,
        finish,
        calendar=s.calendar(),
        rules=s.rules,
        tz=s.timezone,
        day_end=s.deadline_end,
        as_of=store.now(),
        units=names,
        only_unit=unit,
    )


def _cell(row: dict[str, Any], key: str) -> Any:
    from workstation.assessment import RATES

    value = row[key]
    if key in RATES:
        return "" if value is None else round(value * 100, 2)
    return value


def headings() -> list[str]:
    from workstation.assessment import LABELS, RATES, columns

    return [LABELS[k][0] + ("(%)" if k in RATES else "") for k in columns()]


def table(result: Any) -> list[list[Any]]:
    """Heading row, one row per unit, the totals row (rates in percent)."""
    from workstation.assessment import columns

    rows = [r.to_dict() for r in result.rows] + [result.totals.to_dict()]
    return [headings()] + [[_cell(r, k) for k in columns()] for r in rows]


def to_csv(result: Any) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(table(result))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(result: Any) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "考核统计"
    for row in table(result):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(result: Any, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(result)
    if fmt == "xlsx":
        return to_xlsx(result)
    return json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")


@router.get(
    "/assessment",
    responses={
        200: {"content": {"text/csv": {}, _MEDIA["xlsx"]: {}}},
        **error_responses(401, 403, 404, 422),
    },
)
def assessment_route(
    store: StoreDep,
    session: SessionDep,
    start: Annotated[date, Query(description="first day (city time)")],
    end: Annotated[date, Query(description="the day after the last (exclusive)")],
    unit: Annotated[str | None, Query(min_length=1, max_length=32, pattern=NO_NUL)] = None,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> Response:
    """Per-unit figures for ``[start, end)``: a unit user gets only its own unit."""
    role = session.user.role
    if role is Role.UNIT:
        if unit is not None and unit != session.user.unit:
            raise Forbidden("不能查看其他单位的考核数据", "you may not see another unit's figures")
        unit = session.user.unit
    elif role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("当前用户无权查看考核统计", f"a {role.value} user may not see reports")
    result = compute(store, start, end, unit)
    if format == "json":
        return JSONResponse(result.to_dict())
    name = f"assessment_{start.isoformat()}_{end.isoformat()}{'_' + unit if unit else ''}"
    return Response(
        render(result, format),
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )


# -- the command line (workstation admin report) ---------------------------------------


def run_cli(args: argparse.Namespace, store: Store) -> int:
    """``workstation admin report``: print or save the assessment."""
    import sys

    from workstation.errors import ValidationError

    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError as exc:
        raise ValidationError("date", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD") from exc
    result = compute(store, start, end, args.unit)
    data = render(result, args.format)
    if args.output:
        with open(args.output, "wb") as fh:
            fh.write(data)
        print(f"{len(result.rows)} units written to {args.output}", file=sys.stderr)
    elif args.format == "xlsx":
        raise ValidationError("output", "xlsx 须用 --output 指定文件", "xlsx needs --output FILE")
    else:
        sys.stdout.buffer.write(data + (b"\n" if args.format == "json" else b""))
        sys.stdout.flush()
    return 0
