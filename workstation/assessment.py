"""The assessment of handling units (承办单位考核): one row of figures per unit and period.

Pure: orders (with their events), the period, the calendar and the rules come in as
arguments, so the central server's report and a seat's offline supervision screen compute
exactly the same figures from the same events.

**Unit of account: the assignment (派单).** Every ``dispatched``, ``reassigned`` (改派)
and ``rehandled`` (重办) event gives the order to a unit with a fresh deadline; that
assignment lasts until the next of those events. An assignment belongs to the period
when its dispatch time is in ``[start, end)``, and *all* its figures (signing, reply,
callback) follow it, even when they happen after the period ends: a cohort, so every
rate of a row compares like with like, and a period's figures only change as late
events (replies, callbacks) arrive. Events after ``as_of`` are ignored. Only the lead
handling unit is assessed; co-handlers (协办单位) neither sign nor reply.

Figures per unit (counts are of assignments unless said otherwise):

- ``received`` (受理/接收): assignments to the unit dispatched in the period, including
  reassignments to it and re-handling (重办 is a new assignment with a new deadline).
- ``signed_on_time`` (按时签收): signed for no later than the end of the
  ``rules.sign_within``-th working day after the (re)dispatch.
- ``returned`` (退回): the unit returned the order during the assignment.
- ``extended`` (延期): at least one extension was approved during the assignment.
- ``completed_on_time`` (按时办结): replied at or before the deadline in force (the
  dispatch deadline, or the latest approved extension).
- ``overdue`` (超期): the deadline in force passed before the unit replied or the
  assignment ended (returned, reassigned, recalled), so both late replies and orders
  still open past their deadline at ``as_of``. While an extension request is pending,
  the requested date stands in for the deadline (the unit asked in time).
- ``urged`` / ``criticised`` (催办/通报批评): at least one urging / criticism notice.
- ``callbacks`` (回访): callbacks that reached the caller, about the assignment's reply;
  ``satisfied`` / ``basically_satisfied`` / ``dissatisfied`` split them, and
  ``resolved`` counts those where the caller said the matter was resolved.

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
from workstation.models import DeadlineRules, Event
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


@dataclass
class _Assignment:
    """One unit's turn at an order: from its (re)dispatch until the next one."""

    unit: str
    at: datetime
    deadline: datetime
    signed_at: datetime | None = None
    replied_at: datetime | None = None
    ended_at: datetime | None = None  # returned, reassigned away, recalled
    returned: bool = False
    extended: bool = False
    pending_deadline: datetime | None = None
    urged: bool = False
    criticised: bool = False
    callbacks: list[dict[str, Any]] = field(default_factory=list)


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(name, f"{name} 缺少时区", f"{name} has no time zone")
    return value


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def assignments(events: Iterable[Event], as_of: datetime) -> list[_Assignment]:
    """Split an order's events into assignments (events after ``as_of`` ignored)."""
    out: list[_Assignment] = []
    current: _Assignment | None = None
    for e in events:
        if e.at > as_of:
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
            current.returned = True
            current.ended_at = current.ended_at or e.at
        elif e.kind == "recalled":
            current.ended_at = current.ended_at or e.at
        elif e.kind == "extension_requested":
            current.pending_deadline = _moment(d["new_deadline"])
        elif e.kind == "extension_decided":
            if d.get("approved") and current.pending_deadline is not None:
                current.deadline = current.pending_deadline
                current.extended = True
            current.pending_deadline = None
        elif e.kind == "replied" and current.replied_at is None:
            current.replied_at = e.at
        elif e.kind == "urged":
            current.urged = True
        elif e.kind == "criticised":
            current.criticised = True
        elif e.kind == "callback_recorded" and d.get("reached"):
            current.callbacks.append(d)
    return out


def sign_due(
    dispatched_at: datetime, calendar: Any, rules: DeadlineRules, tz: str, day_end: time
) -> datetime:
    """The end of the ``rules.sign_within``-th working day after a (re)dispatch."""
    from workstation.deadlines import end_of_day, local_date

    last = calendar.add_working_days(local_date(dispatched_at, tz), rules.sign_within)
    return end_of_day(last, tz, day_end)


def _score(
    row: UnitAssessment,
    a: _Assignment,
    as_of: datetime,
    calendar: Any,
    rules: DeadlineRules,
    tz: str,
    day_end: time,
) -> None:
    row.received += 1
    if a.signed_at is not None and a.signed_at <= sign_due(a.at, calendar, rules, tz, day_end):
        row.signed_on_time += 1
    row.returned += a.returned
    row.extended += a.extended
    row.urged += a.urged
    row.criticised += a.criticised
    if a.replied_at is not None and a.replied_at <= a.deadline:
        row.completed_on_time += 1
    else:
        stop = a.replied_at or a.ended_at or as_of
        due = a.deadline
        if a.replied_at is None and a.ended_at is None and a.pending_deadline is not None:
            due = max(due, a.pending_deadline)
        if stop > due:
            row.overdue += 1
    for cb in a.callbacks:
        row.callbacks += 1
        satisfaction = cb.get("satisfaction")
        if satisfaction == "satisfied":
            row.satisfied += 1
        elif satisfaction == "basically_satisfied":
            row.basically_satisfied += 1
        elif satisfaction == "dissatisfied":
            row.dissatisfied += 1
        row.resolved += cb.get("resolved") is True


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
    """
    _aware(start, "start")
    _aware(end, "end")
    if end <= start:
        raise ValidationError("end", "结束时间须晚于开始时间", "the end must be after the start")
    as_of = _aware(as_of, "as_of") if as_of is not None else end
    rules = rules or DeadlineRules()
    names = dict(units or {})
    rows: dict[str, UnitAssessment] = {}
    if only_unit is not None:
        rows[only_unit] = UnitAssessment(only_unit, names.get(only_unit, ""))
    else:
        rows.update({code: UnitAssessment(code, name) for code, name in names.items()})
    for order in orders:
        for a in assignments(order.events, as_of):
            if not (start <= a.at < end) or (only_unit is not None and a.unit != only_unit):
                continue
            row = rows.get(a.unit)
            if row is None:
                row = rows[a.unit] = UnitAssessment(a.unit, names.get(a.unit, ""))
            _score(row, a, as_of, calendar, rules, tz, day_end)
    result = Assessment(start, end, as_of, rows=[rows[k] for k in sorted(rows)])
    for row in result.rows:
        result.totals.add(row)
    return result


def columns() -> list[str]:
    """The column order of exports: unit, name, the counts, the rates."""
    return ["unit", "unit_name", *COUNTS, *RATES]
