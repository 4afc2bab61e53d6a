"""The assessment of handling units (承办单位考核): one row of figures per unit and period.

Pure: orders (with their events), the period, the calendar and the rules come in as
arguments, so the central server's report and a seat's offline supervision screen compute
exactly the same figures from the same events. ``docs/assessment.md`` explains the choices.

**Events in the period.** A period is ``[start, end)`` as known at ``as_of``; its *stop* is
``min(end, as_of)`` and only events before the stop are read. Each figure counts what
happened in the period, so what a supervisor sees on the screens during the period (the
inbox's 超期 marker, the board, the notices list) is what the period's row counts:

- ``received`` (接收工单): assignments made in the period: every ``dispatched``,
  ``reassigned`` (改派) and ``rehandled`` (重办) event to the unit (an assignment lasts
  until the next of those events; only the lead unit is assessed, co-handlers neither sign
  nor reply).
- ``signed_on_time`` (按时签收): of those assignments, the ones signed for no later than the
  end of the ``rules.sign_within``-th working day after the (re)dispatch (so
  ``response_rate`` stays a share of ``received``).
- ``returned`` (退回): returns made by the unit in the period.
- ``extended`` (延期): extensions approved for the unit in the period.
- ``completed_on_time`` (按时办结): replies made in the period at or before the deadline in
  force (the dispatch deadline or the latest approved extension).
- ``overdue`` (超期): assignments that were overdue in the period: replied late in the
  period, given up late in it (returned, reassigned away, recalled after the deadline),
  or still owing a reply at the stop and :func:`overdue_at` the stop. The last case is
  exactly what the inbox and the board mark 超期 at ``as_of``, so an order overdue since an
  earlier period is counted in every period it stays overdue in, the current one included.
- ``urged`` / ``criticised`` (催办/通报批评): urging / criticism notices issued to the unit in
  the period: the rows of the notices list for that unit and period.
- ``callbacks`` (回访): callbacks recorded in the period that reached the caller, counted for
  the unit whose reply they judged; ``satisfied`` / ``basically_satisfied`` /
  ``dissatisfied`` split them, ``resolved`` counts those where the matter was resolved.

Rates (``None`` when the denominator is 0):

- ``response_rate`` (响应率) = signed_on_time / received
- ``on_time_rate`` (按时办结率) = completed_on_time / (completed_on_time + overdue)
- ``satisfaction_rate`` (满意率) = (satisfied + basically_satisfied) / callbacks
- ``resolution_rate`` (解决率) = resolved / callbacks

The totals row adds up the counts and recomputes the rates from the sums (never an
average of rates).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from typing import Any

from workstation.errors import ValidationError
from workstation.models import DeadlineRules, Event, OrderState
from workstation.orders import WorkOrder

COUNTS = (
    "received",
    "signed_on_time",
    "returned",
    "extended",
    "completed_on_time",
    "overdue",
    "urged",
    "criticised",
    "callbacks",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "resolved",
)
RATES = ("response_rate", "on_time_rate", "satisfaction_rate", "resolution_rate")

LABELS: dict[str, tuple[str, str]] = {
    "unit": ("单位代码", "unit code"),
    "unit_name": ("单位名称", "unit name"),
    "received": ("接收工单", "received"),
    "signed_on_time": ("按时签收", "signed on time"),
    "returned": ("退回", "returned"),
    "extended": ("延期", "extended"),
    "completed_on_time": ("按时办结", "completed on time"),
    "overdue": ("超期", "overdue"),
    "urged": ("催办", "urged"),
    "criticised": ("通报批评", "criticised"),
    "callbacks": ("回访数", "callbacks reached"),
    "satisfied": ("满意", "satisfied"),
    "basically_satisfied": ("基本满意", "basically satisfied"),
    "dissatisfied": ("不满意", "dissatisfied"),
    "resolved": ("已解决", "resolved"),
    "response_rate": ("响应率", "response rate"),
    "on_time_rate": ("按时办结率", "on-time rate"),
    "satisfaction_rate": ("满意率", "satisfaction rate"),
    "resolution_rate": ("解决率", "resolution rate"),
}
"""Column headings (Chinese, English) for exports and screens."""

TOTAL = "合计"
_ASSIGN = ("dispatched", "reassigned", "rehandled")


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


@dataclass
class UnitAssessment:
    """The figures of one unit (or of all units: the totals row)."""

    unit: str
    unit_name: str = ""
    received: int = 0
    signed_on_time: int = 0
    returned: int = 0
    extended: int = 0
    completed_on_time: int = 0
    overdue: int = 0
    urged: int = 0
    criticised: int = 0
    callbacks: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    resolved: int = 0

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.signed_on_time, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.completed_on_time, self.completed_on_time + self.overdue)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied + self.basically_satisfied, self.callbacks)

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved, self.callbacks)

    def add(self, other: UnitAssessment) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update({name: getattr(self, name) for name in RATES})
        return data


@dataclass
class Assessment:
    """Rows per unit (sorted by unit code) and the totals row, for ``[start, end)``."""

    start: datetime
    end: datetime
    as_of: datetime
    rows: list[UnitAssessment] = field(default_factory=list)
    totals: UnitAssessment = field(default_factory=lambda: UnitAssessment("", TOTAL))

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "rows": [r.to_dict() for r in self.rows],
            "totals": self.totals.to_dict(),
        }


RUNNING_STATES = frozenset({OrderState.DISPATCHED, OrderState.SIGNED, OrderState.REHANDLING})
"""States in which the deadline runs: the unit owes a reply and has no extension request
pending (a pending request pauses the clock until the supervisor decides, as the server's
jobs do)."""


def overdue_at(state: str | OrderState, deadline: datetime | None, at: datetime) -> bool:
    """THE definition of 超期, shared by the inbox, the board and the assessment.

    An order (or one unit's assignment of it) is overdue at ``at`` when its unit still owes
    a reply with the clock running (:data:`RUNNING_STATES`) and ``at`` is past the
    deadline in force (the last second of the deadline day is still in time). A replied,
    returned or closed order is never overdue *now*; whether it was replied late is the
    assessment's ``overdue`` figure for the period of the reply.
    """
    if deadline is None:
        return False
    try:
        running = OrderState(state) in RUNNING_STATES
    except ValueError:
        return False
    return running and at > deadline


def is_overdue(order: WorkOrder, at: datetime) -> bool:
    """:func:`overdue_at` for a whole order (its current state and deadline)."""
    return overdue_at(order.state, order.deadline, at)


_NAME_PREFIXES = ("国家税务总局", "共青团", "中国")
_NAME_SUFFIXES = ("人民政府", "管理委员会", "有限责任公司", "股份有限公司", "有限公司")


def short_name(name: str, short: str = "") -> str:
    """A unit's short name for narrow screens: its ``short`` field when the directory has
    one, else the name without the city prefix (``启东市``, ``XX市``) and the common
    suffixes (``人民政府``, ``管理委员会``, ``有限公司``)."""
    if short.strip():
        return short.strip()
    text = name.strip()
    for prefix in _NAME_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix) :]
    marker = text.find("市")
    if 2 <= marker <= 3 and len(text) > marker + 2:
        text = text[marker + 1 :]
    for suffix in _NAME_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return text or name


@dataclass
class _Assignment:
    """One unit's turn at an order: from its (re)dispatch until the next one."""

    unit: str
    at: datetime
    deadline: datetime
    signed_at: datetime | None = None
    replied_at: datetime | None = None
    ended_at: datetime | None = None  # returned, reassigned away, recalled
    returned_at: datetime | None = None
    extended_at: list[datetime] = field(default_factory=list)
    pending_deadline: datetime | None = None
    urged_at: list[datetime] = field(default_factory=list)
    criticised_at: list[datetime] = field(default_factory=list)
    callbacks: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)

    @property
    def returned(self) -> bool:
        return self.returned_at is not None

    @property
    def extended(self) -> bool:
        return bool(self.extended_at)

    @property
    def urged(self) -> bool:
        return bool(self.urged_at)

    @property
    def criticised(self) -> bool:
        return bool(self.criticised_at)

    def state(self) -> OrderState:
        """The assignment's state for :func:`overdue_at` (after its last event read)."""
        if self.replied_at is not None:
            return OrderState.REPLIED
        if self.ended_at is not None:
            return OrderState.RETURNED
        if self.pending_deadline is not None:
            return OrderState.EXTENSION_REQUESTED
        return OrderState.SIGNED if self.signed_at is not None else OrderState.DISPATCHED


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(name, f"{name} 缺少时区", f"{name} has no time zone")
    return value


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def assignments(
    events: Iterable[Event], as_of: datetime, end: datetime | None = None
) -> list[_Assignment]:
    """Split an order's events into assignments (events after ``as_of``, and from ``end``
    on when given, are ignored)."""
    out: list[_Assignment] = []
    current: _Assignment | None = None
    for e in events:
        if e.at > as_of or (end is not None and e.at >= end):
            break
        d = e.data
        if e.kind in _ASSIGN:
            if current is not None and current.ended_at is None:
                current.ended_at = e.at
            unit = d.get("unit") or (current.unit if current else "")
            current = _Assignment(unit=str(unit), at=e.at, deadline=_moment(d["deadline"]))
            out.append(current)
            continue
        if current is None:
            continue
        if e.kind == "signed" and current.signed_at is None:
            current.signed_at = e.at
        elif e.kind == "returned":
            current.returned_at = current.returned_at or e.at
            current.ended_at = current.ended_at or e.at
        elif e.kind == "recalled":
            current.ended_at = current.ended_at or e.at
        elif e.kind == "extension_requested":
            current.pending_deadline = _moment(d["new_deadline"])
        elif e.kind == "extension_decided":
            if d.get("approved") and current.pending_deadline is not None:
                current.deadline = current.pending_deadline
                current.extended_at.append(e.at)
            current.pending_deadline = None
        elif e.kind == "replied" and current.replied_at is None:
            current.replied_at = e.at
        elif e.kind == "urged":
            current.urged_at.append(e.at)
        elif e.kind == "criticised":
            current.criticised_at.append(e.at)
        elif e.kind == "callback_recorded" and d.get("reached"):
            current.callbacks.append((e.at, d))
    return out


def sign_due(
    dispatched_at: datetime, calendar: Any, rules: DeadlineRules, tz: str, day_end: time
) -> datetime:
    """The end of the ``rules.sign_within``-th working day after a (re)dispatch."""
    from workstation.deadlines import end_of_day, local_date

    last = calendar.add_working_days(local_date(dispatched_at, tz), rules.sign_within)
    return end_of_day(last, tz, day_end)


def was_overdue(a: _Assignment, start: datetime, stop: datetime) -> bool:
    """Whether the assignment was overdue at some moment of ``[start, stop]`` (its events
    read up to ``stop``): replied or given up late within it, or still overdue at ``stop``."""
    settled = a.replied_at or a.ended_at
    if settled is None:
        return overdue_at(a.state(), a.deadline, stop)
    return start <= settled and settled > a.deadline


def _score(
    row: UnitAssessment,
    a: _Assignment,
    start: datetime,
    stop: datetime,
    calendar: Any,
    rules: DeadlineRules,
    tz: str,
    day_end: time,
) -> None:
    def inside(moment: datetime | None) -> bool:
        return moment is not None and start <= moment

    if inside(a.at):
        row.received += 1
        if a.signed_at is not None and a.signed_at <= sign_due(a.at, calendar, rules, tz, day_end):
            row.signed_on_time += 1
    row.returned += inside(a.returned_at)
    row.extended += sum(1 for t in a.extended_at if inside(t))
    row.urged += sum(1 for t in a.urged_at if inside(t))
    row.criticised += sum(1 for t in a.criticised_at if inside(t))
    if inside(a.replied_at) and a.replied_at is not None and a.replied_at <= a.deadline:
        row.completed_on_time += 1
    elif was_overdue(a, start, stop):
        row.overdue += 1
    for moment, cb in a.callbacks:
        if not inside(moment):
            continue
        row.callbacks += 1
        satisfaction = cb.get("satisfaction")
        if satisfaction == "satisfied":
            row.satisfied += 1
        elif satisfaction == "basically_satisfied":
            row.basically_satisfied += 1
        elif satisfaction == "dissatisfied":
            row.dissatisfied += 1
        row.resolved += cb.get("resolved") is True


def _touches(a: _Assignment, start: datetime) -> bool:
    """Whether anything of the assignment can fall in a period starting at ``start``."""
    if a.at >= start:
        return True
    latest = [a.replied_at, a.ended_at, *a.extended_at, *a.urged_at, *a.criticised_at]
    latest += [t for t, _ in a.callbacks]
    settled = a.replied_at or a.ended_at
    return settled is None or any(t is not None and t >= start for t in latest)


def assess(
    orders: Iterable[WorkOrder],
    start: datetime,
    end: datetime,
    *,
    calendar: Any,
    rules: DeadlineRules | None = None,
    tz: str = "Asia/Shanghai",
    day_end: time = time(23, 59, 59),
    as_of: datetime | None = None,
    units: Mapping[str, str] | None = None,
    only_unit: str | None = None,
) -> Assessment:
    """The assessment of ``[start, end)`` as known at ``as_of`` (default: ``end``).

    ``units`` (code → name) names the rows and adds a zero row for every listed unit
    that received nothing; ``only_unit`` restricts the rows (and the totals) to one unit.
    ``orders`` may hold any orders: each figure picks its own events of the period.
    """
    _aware(start, "start")
    _aware(end, "end")
    if end <= start:
        raise ValidationError("end", "结束时间须晚于开始时间", "the end must be after the start")
    as_of = _aware(as_of, "as_of") if as_of is not None else end
    stop = min(end, as_of)
    rules = rules or DeadlineRules()
    names = dict(units or {})
    rows: dict[str, UnitAssessment] = {}
    if only_unit is not None:
        rows[only_unit] = UnitAssessment(only_unit, names.get(only_unit, ""))
    else:
        rows.update({code: UnitAssessment(code, name) for code, name in names.items()})
    if stop >= start:
        for order in orders:
            for a in assignments(order.events, as_of, end):
                if (only_unit is not None and a.unit != only_unit) or not _touches(a, start):
                    continue
                row = rows.get(a.unit)
                if row is None:
                    row = rows[a.unit] = UnitAssessment(a.unit, names.get(a.unit, ""))
                _score(row, a, start, stop, calendar, rules, tz, day_end)
    result = Assessment(start, end, as_of, rows=[rows[k] for k in sorted(rows)])
    for row in result.rows:
        result.totals.add(row)
    return result


def columns() -> list[str]:
    """The column order of exports: unit, name, the counts, the rates."""
    return ["unit", "unit_name", *COUNTS, *RATES]
