"""Time limits (限时办结): deadlines, the return window, countdowns and the criticism date.

All counting is in working days on the city's calendar, starting from the working day
after the event (dispatch, urging), and a limit ends at the end of its last working day in
the city's time zone. Functions are pure: they take ``now`` and the calendar as arguments.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING

from workstation.errors import ExtensionTooLate, ValidationError
from workstation.models import DeadlineRules, OrderType

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from workstation.calendar import WorkingCalendar

DEFAULT_TZ = "Asia/Shanghai"
#: A limit ends at the end of its last working day (*config*: ``deadline_end``).
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=16)
def zone(tz: str) -> ZoneInfo:
    """The city's time zone; a bad name is a ValidationError, not a KeyError."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            "timezone", f"未知的时区：{tz}", f"unknown time zone: {tz}", value=tz
        ) from exc


def local_date(moment: datetime, tz: str = DEFAULT_TZ, field: str = "time") -> date:
    """The calendar date of ``moment`` in the city: day arithmetic is done on this."""
    _require_aware(moment, field)
    return moment.astimezone(zone(tz)).date()


def end_of_day(day: date, tz: str = DEFAULT_TZ, end: time = END_OF_DAY) -> datetime:
    """The moment a limit ending on ``day`` runs out, timezone-aware in the city zone."""
    return datetime.combine(day, end, tzinfo=zone(tz))


def _require_aware(moment: datetime, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            field,
            f"{field} 缺少时区：{moment.isoformat()}",
            f"{field} has no time zone: {moment.isoformat()}",
        )


def _limit_end(
    start: datetime,
    days: int,
    calendar: WorkingCalendar,
    tz: str,
    field: str,
    end: time = END_OF_DAY,
) -> datetime:
    last = calendar.add_working_days(local_date(start, tz, field), days)
    return end_of_day(last, tz, end)


def deadline_for(
    order_type: OrderType,
    dispatched_at: datetime,
    calendar: WorkingCalendar,
    rules: DeadlineRules,
    investigation: bool = False,
    tz: str = DEFAULT_TZ,
    end: time = END_OF_DAY,
) -> datetime:
    """The order's deadline: N working days after dispatch, to the end of the last one.

    Dispatched 2026-09-30, a consultation (3) is due 2026-10-10 23:59:59+08:00 (a Saturday
    make-up working day after the National Day holiday).
    """
    days = rules.days_for(order_type, investigation)
    return _limit_end(dispatched_at, days, calendar, tz, "dispatched_at", end)


def return_window_end(
    dispatched_at: datetime,
    calendar: WorkingCalendar,
    rules: DeadlineRules,
    tz: str = DEFAULT_TZ,
    end: time = END_OF_DAY,
) -> datetime:
    """Until when the unit may return (退回) an order that is not theirs."""
    return _limit_end(dispatched_at, rules.return_window, calendar, tz, "dispatched_at", end)


def criticism_due(
    urged_at: datetime,
    calendar: WorkingCalendar,
    rules: DeadlineRules,
    tz: str = DEFAULT_TZ,
    end: time = END_OF_DAY,
) -> datetime:
    """When an unanswered urging notice (催办) turns into a criticism notice (通报批评)."""
    return _limit_end(urged_at, rules.criticism_after, calendar, tz, "urged_at", end)


def is_overdue(deadline: datetime, now: datetime) -> bool:
    """Past the deadline (the last second of the deadline day is still in time)."""
    _require_aware(deadline, "deadline")
    _require_aware(now, "now")
    return now > deadline


def working_days_left(
    deadline: datetime, now: datetime, calendar: WorkingCalendar, tz: str = DEFAULT_TZ
) -> int:
    """The countdown in a unit's inbox.

    0 means due today; 1 means due on the next working day; when overdue the value is
    negative: minus the working days passed since the deadline day, and at least -1.
    """
    today = local_date(now, tz, "now")
    due = local_date(deadline, tz, "deadline")
    if not is_overdue(deadline, now):
        return calendar.working_days_between(today, due)
    return -max(1, calendar.working_days_between(due, today))


def is_due_soon(
    deadline: datetime,
    now: datetime,
    calendar: WorkingCalendar,
    rules: DeadlineRules,
    tz: str = DEFAULT_TZ,
) -> bool:
    """Not yet overdue but with ``rules.due_soon`` working days left or fewer (临期)."""
    if is_overdue(deadline, now):
        return False
    return working_days_left(deadline, now, calendar, tz) <= rules.due_soon


def extension_allowed(
    current_deadline: datetime, requested_at: datetime, new_deadline: datetime
) -> None:
    """An extension (延期) must be asked for before the deadline, for a later date."""
    _require_aware(current_deadline, "deadline")
    _require_aware(requested_at, "requested_at")
    _require_aware(new_deadline, "new_deadline")
    if requested_at > current_deadline:
        raise ExtensionTooLate(
            f"已超过办理期限（{current_deadline.isoformat()}），不能再申请延期",
            f"the deadline ({current_deadline.isoformat()}) has passed; "
            "an extension must be requested before it",
            deadline=current_deadline.isoformat(),
            requested_at=requested_at.isoformat(),
        )
    if new_deadline <= current_deadline:
        raise ValidationError(
            "new_deadline",
            f"申请的新期限（{new_deadline.isoformat()}）必须晚于现有期限"
            f"（{current_deadline.isoformat()}）",
            f"the requested new deadline ({new_deadline.isoformat()}) must be after the "
            f"current deadline ({current_deadline.isoformat()})",
        )
