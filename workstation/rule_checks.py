"""What every workflow step checks the same way: required text, dates, the state error a
person can read, the unit's scope, the unit directory, deadlines; and the ``Context``
(calendar, limits, time zone, known units) the rules run in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from workstation.errors import (
    InvalidTransition,
    NotYourUnit,
    ValidationError,
)
from workstation.models import (
    Actor,
    DeadlineRules,
    OrderType,
    Role,
)
from workstation.orders import WorkOrder
from workstation.permissions import (
    COMMAND_LABELS,
    STATE_LABELS,
)


@dataclass(frozen=True)
class Context:
    """What the rules need besides the order: calendar, limits, time zone, known units."""

    calendar: Any  # workstation.calendar.WorkingCalendar
    rules: DeadlineRules = field(default_factory=DeadlineRules)
    tz: str = "Asia/Shanghai"
    unit_codes: frozenset[str] | None = None
    day_end: time = time(23, 59, 59)  # a limit ends at this time on its last working day

    @classmethod
    def from_settings(cls, settings: Any, unit_codes: frozenset[str] | None = None) -> Context:
        """The rules a city configured (``workstation.config.Settings``)."""
        return cls(
            calendar=settings.calendar(),
            rules=settings.rules,
            tz=settings.timezone,
            unit_codes=unit_codes,
            day_end=settings.deadline_end,
        )


def text_arg(args: dict[str, Any], name: str, zh: str, en: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, f"请填写{zh}", f"{en} is required")
    return value.strip()


def when_arg(args: dict[str, Any], name: str, tz: str) -> datetime:
    """A date argument; one without a zone is read in the city's time zone ``tz``."""
    value = args.get(name)
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(name, f"日期格式不正确：{value}", f"not a date: {value!r}") from exc
    if moment.tzinfo is None:
        from zoneinfo import ZoneInfo

        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment


def state_error(order: WorkOrder, command: str) -> InvalidTransition:
    zh, en = COMMAND_LABELS[command]
    szh, sen = STATE_LABELS[order.state]
    return InvalidTransition(
        f"工单 {order.order_id} 当前为“{szh}”，不能{zh}",
        f"order {order.order_id} is {sen}; cannot {en}",
        state=order.state.value,
    )


def own_unit(order: WorkOrder, actor: Actor) -> None:
    if actor.role is Role.UNIT and actor.unit != order.unit:
        raise NotYourUnit(
            f"工单 {order.order_id} 不属于本单位（承办单位 {order.unit}）",
            f"order {order.order_id} belongs to unit {order.unit}, not {actor.unit}",
        )


def check_unit(ctx: Context, code: Any, field_name: str = "unit") -> str:
    if not isinstance(code, str) or not code.strip():
        raise ValidationError(field_name, "请选择承办单位", "choose a handling unit")
    if ctx.unit_codes is not None and code not in ctx.unit_codes:
        raise ValidationError(
            field_name, f"单位名录中没有 {code}", f"unit {code} is not in the routing directory"
        )
    return code


def deadline_from(
    ctx: Context, order_type: OrderType, start: datetime, investigation: bool
) -> datetime:
    from workstation.deadlines import deadline_for

    return deadline_for(
        order_type, start, ctx.calendar, ctx.rules, investigation, tz=ctx.tz, end=ctx.day_end
    )


Decision = tuple[str, str, dict[str, Any]]
