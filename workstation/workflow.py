"""The work-order workflow of DESIGN.md section 1: who may do what, and when.

``decide`` checks a command against the order's state, the actor's role and unit scope,
and the time rules, and returns the events it produces, or raises a typed
``DomainError``. The server runs it as the authority; a seat runs the same code for its
optimistic local view. Pure: time, calendar and rules come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from workstation.errors import (
    AlreadySigned,
    DomainError,
    ExtensionTooLate,
    InvalidTransition,
    NotPermitted,
    NotYourUnit,
    OutsideReturnWindow,
    UnknownOrder,
    ValidationError,
)
from workstation.models import (
    Actor,
    CallbackQueue,
    Channel,
    DeadlineRules,
    Event,
    OrderState,
    OrderType,
    Role,
    Satisfaction,
)
from workstation.orders import OPEN_STATES, WorkOrder, evolve
from workstation.permissions import (
    COMMAND_LABELS,
    ORDER_COMMANDS,
    PERMISSIONS,
    STATE_LABELS,
    require_permission,
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


def _text(args: dict[str, Any], name: str, zh: str, en: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, f"请填写{zh}", f"{en} is required")
    return value.strip()


def _when(args: dict[str, Any], name: str) -> datetime:
    value = args.get(name)
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(name, f"日期格式不正确：{value}", f"not a date: {value!r}") from exc
    if moment.tzinfo is None:
        from zoneinfo import ZoneInfo

        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return moment


def _state_error(order: WorkOrder, command: str) -> InvalidTransition:
    zh, en = COMMAND_LABELS[command]
    szh, sen = STATE_LABELS[order.state]
    return InvalidTransition(
        f"工单 {order.order_id} 当前为“{szh}”，不能{zh}",
        f"order {order.order_id} is {sen}; cannot {en}",
        state=order.state.value,
    )


def _own_unit(order: WorkOrder, actor: Actor) -> None:
    if actor.role is Role.UNIT and actor.unit != order.unit:
        raise NotYourUnit(
            f"工单 {order.order_id} 不属于本单位（承办单位 {order.unit}）",
            f"order {order.order_id} belongs to unit {order.unit}, not {actor.unit}",
        )


def _check_unit(ctx: Context, code: Any, field_name: str = "unit") -> str:
    if not isinstance(code, str) or not code.strip():
        raise ValidationError(field_name, "请选择承办单位", "choose a handling unit")
    if ctx.unit_codes is not None and code not in ctx.unit_codes:
        raise ValidationError(
            field_name, f"单位名录中没有 {code}", f"unit {code} is not in the routing directory"
        )
    return code


def _deadline(
    ctx: Context, order_type: OrderType, start: datetime, investigation: bool
) -> datetime:
    from workstation.deadlines import deadline_for

    return deadline_for(
        order_type, start, ctx.calendar, ctx.rules, investigation, tz=ctx.tz, end=ctx.day_end
    )


def decide(
    order: WorkOrder | None,
    command: str,
    args: dict[str, Any],
    actor: Actor,
    now: datetime,
    ctx: Context,
    order_id: str | None = None,
) -> list[Event]:
    """Check ``command`` and return the events it produces (not yet applied)."""
    require_permission(command, actor)
    if command not in ORDER_COMMANDS:
        raise InvalidTransition(
            f"“{COMMAND_LABELS[command][0]}”不是工单操作", f"{command} is not an order command"
        )
    if command == "dispatch":
        if order is not None:
            from workstation.errors import AlreadyExists

            raise AlreadyExists(f"工单 {order.order_id} 已存在", f"order {order.order_id} exists")
        if not order_id:
            raise ValidationError("order_id", "缺少工单编号", "order number is missing")
        return [_dispatch(order_id, args, actor, now, ctx)]
    if order is None:
        raise UnknownOrder(f"没有工单 {order_id}", f"no order {order_id}")
    handler = _HANDLERS[command]
    kind, reason, data = handler(order, args, actor, now, ctx)
    return [
        Event(
            order_id=order.order_id,
            seq=order.version + 1,
            kind=kind,
            at=now,
            actor=actor.user,
            role=actor.role,
            unit=actor.unit,
            seat=actor.seat,
            reason=reason,
            data=data,
        )
    ]


def execute(
    order: WorkOrder | None,
    command: str,
    args: dict[str, Any],
    actor: Actor,
    now: datetime,
    ctx: Context,
    order_id: str | None = None,
) -> tuple[WorkOrder, list[Event]]:
    """``decide`` and apply: the new order and the events that made it."""
    events = decide(order, command, args, actor, now, ctx, order_id=order_id)
    for event in events:
        order = evolve(order, event)
    assert order is not None
    return order, events


def _dispatch(
    order_id: str, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Event:
    order_type = OrderType.parse(str(args.get("type", "")))
    content = _text(args, "content", "诉求内容", "the request")
    unit = _check_unit(ctx, args.get("unit"))
    co_units = [_check_unit(ctx, c, "co_units") for c in args.get("co_units") or []]
    try:
        channel = Channel(args.get("channel") or "phone")
    except ValueError as exc:
        raise ValidationError("channel", "未知的来源渠道", "unknown channel") from exc
    investigation = bool(args.get("investigation", False))
    data = {
        "type": order_type.value,
        "channel": channel.value,
        "content": content,
        "unit": unit,
        "co_units": [c for c in co_units if c != unit],
        "address": str(args.get("address") or ""),
        "caller_name": str(args.get("caller_name") or ""),
        "caller_phone": str(args.get("caller_phone") or ""),
        "confidential": bool(args.get("confidential", False)),
        "investigation": investigation,
        "leader_instructed": bool(args.get("leader_instructed", False)),
        "contact_id": args.get("contact_id"),
        "deadline": _deadline(ctx, order_type, now, investigation).isoformat(),
    }
    return Event(
        order_id, 1, "dispatched", now, actor.user, actor.role, actor.unit, actor.seat, "", data
    )


Decision = tuple[str, str, dict[str, Any]]


def _sign(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _own_unit(o, actor)
    if o.state not in (OrderState.DISPATCHED, OrderState.REHANDLING):
        if o.signed_at is not None and o.state in OPEN_STATES | {OrderState.REPLIED}:
            raise AlreadySigned(
                f"工单 {o.order_id} 已于 {o.signed_at:%Y-%m-%d %H:%M} 签收，不能重复签收",
                f"order {o.order_id} was already signed for at {o.signed_at:%Y-%m-%d %H:%M}",
                state=o.state.value,
            )
        raise _state_error(o, "sign")
    return "signed", "", {}


def _return(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    from workstation.deadlines import return_window_end

    _own_unit(o, actor)
    if o.state not in (OrderState.DISPATCHED, OrderState.SIGNED):
        raise _state_error(o, "return_order")
    reason = _text(args, "reason", "退回理由", "a reason")
    basis = _text(args, "basis", "退回依据", "the basis")
    end = return_window_end(o.dispatched_at, ctx.calendar, ctx.rules, tz=ctx.tz, end=ctx.day_end)
    if now > end:
        raise OutsideReturnWindow(
            f"退回须在派单后 {ctx.rules.return_window} 个工作日内（截至 {end:%Y-%m-%d %H:%M}）；"
            "请申请延期或按期办理",
            f"orders can be returned only within {ctx.rules.return_window} working days of "
            f"dispatch (until {end:%Y-%m-%d %H:%M}); request an extension or handle it",
            window_end=end.isoformat(),
        )
    return "returned", reason, {"basis": basis}


def _request_extension(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _own_unit(o, actor)
    if o.state is not OrderState.SIGNED:
        raise _state_error(o, "request_extension")
    reason = _text(args, "reason", "延期理由", "a reason")
    new_deadline = _when(args, "new_deadline")
    if now > o.deadline:
        raise ExtensionTooLate(
            f"延期须在办理期限（{o.deadline:%Y-%m-%d %H:%M}）之前申请",
            f"an extension must be requested before the deadline ({o.deadline:%Y-%m-%d %H:%M})",
            deadline=o.deadline.isoformat(),
        )
    if new_deadline <= o.deadline:
        raise ValidationError(
            "new_deadline",
            f"承诺办结日期须晚于当前期限 {o.deadline:%Y-%m-%d}",
            f"the committed date must be after the current deadline {o.deadline:%Y-%m-%d}",
        )
    if new_deadline.hour == 0 and new_deadline.minute == 0:
        new_deadline = new_deadline.replace(hour=23, minute=59, second=59)
    return "extension_requested", reason, {"new_deadline": new_deadline.isoformat()}


def _decide_extension(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state is not OrderState.EXTENSION_REQUESTED:
        raise _state_error(o, "decide_extension")
    approved = args.get("approved")
    if not isinstance(approved, bool):
        raise ValidationError("approved", "请选择同意或不同意", "choose approve or reject")
    comment = str(args.get("comment") or "")
    if not approved and not comment.strip():
        raise ValidationError("comment", "不同意延期时请说明理由", "give a reason for rejecting")
    return "extension_decided", comment, {"approved": approved}


def _notify_caller(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    ext = o.extension
    if ext is None or ext.status != "approved" or ext.caller_notified:
        raise InvalidTransition(
            f"工单 {o.order_id} 没有待告知来电人的延期",
            f"order {o.order_id} has no approved extension to tell the caller about",
        )
    return "caller_notified", str(args.get("comment") or ""), {}


def _reply(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _own_unit(o, actor)
    if o.state is not OrderState.SIGNED:
        raise _state_error(o, "reply")
    return "replied", "", {"result": _text(args, "result", "办理结果", "the result")}


def _reassign(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state not in OPEN_STATES | {OrderState.RETURNED, OrderState.RECALLED}:
        raise _state_error(o, "reassign")
    unit = _check_unit(ctx, args.get("unit"))
    if unit == o.unit and o.state is not OrderState.RECALLED and o.state is not OrderState.RETURNED:
        raise ValidationError(
            "unit", "改派单位与当前承办单位相同", "that is already the handling unit"
        )
    deadline = _deadline(ctx, o.type, now, o.investigation)
    reason = str(args.get("reason") or "")
    return (
        "reassigned",
        reason,
        {"unit": unit, "from_unit": o.unit, "deadline": deadline.isoformat()},
    )


def _recall(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state in (OrderState.CLOSED, OrderState.RECALLED):
        raise _state_error(o, "recall")
    return "recalled", _text(args, "reason", "撤回理由", "a reason"), {}


def _add_co_handler(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state not in OPEN_STATES:
        raise _state_error(o, "add_co_handler")
    unit = _check_unit(ctx, args.get("unit"))
    if unit == o.unit or unit in o.co_units:
        raise ValidationError(
            "unit", "该单位已在办理此工单", "that unit already handles this order"
        )
    return "co_handler_added", str(args.get("reason") or ""), {"unit": unit}


def _not_overdue(o: WorkOrder, command: str, now: datetime) -> None:
    if (
        o.state not in (OrderState.DISPATCHED, OrderState.SIGNED, OrderState.REHANDLING)
        or now <= o.deadline
    ):
        zh, en = COMMAND_LABELS[command]
        raise InvalidTransition(
            f"工单 {o.order_id} 未超期，不能{zh}", f"order {o.order_id} is not overdue; cannot {en}"
        )


def _mark_overdue(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _not_overdue(o, "mark_overdue", now)
    if o.overdue:
        raise InvalidTransition("已标记超期", "already marked overdue")
    return "marked_overdue", "", {"deadline": o.deadline.isoformat()}


def _urge(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _not_overdue(o, "urge", now)
    number = _text(args, "number", "通知书编号", "the notice number")
    if actor.role is Role.SYSTEM and o.urged_at is not None:
        raise InvalidTransition("已发催办通知", "an urging notice was already sent")
    return "urged", str(args.get("reason") or ""), {"number": number}


def _criticise(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    from workstation.deadlines import criticism_due

    _not_overdue(o, "criticise", now)
    if o.urged_at is None:
        raise InvalidTransition("须先发催办通知", "an urging notice must come first")
    if o.criticised:
        raise InvalidTransition("已通报批评", "already criticised")
    due = criticism_due(o.urged_at, ctx.calendar, ctx.rules, tz=ctx.tz, end=ctx.day_end)
    if now <= due:
        raise InvalidTransition(
            f"催办后 {ctx.rules.criticism_after} 个工作日（{due:%Y-%m-%d}）仍未办理方可通报批评",
            f"criticism only after {ctx.rules.criticism_after} working days without reply ({due:%Y-%m-%d})",
        )
    return (
        "criticised",
        str(args.get("reason") or ""),
        {"number": _text(args, "number", "通知书编号", "the notice number")},
    )


def _create_callback(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state is not OrderState.REPLIED:
        raise _state_error(o, "create_callback")
    queue = CallbackQueue.SUPERVISION if o.leader_instructed else CallbackQueue.OPERATORS
    return "callback_created", "", {"queue": queue.value}


def _record_callback(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    from datetime import timedelta

    if o.state is not OrderState.CALLBACK_PENDING or o.dissatisfied:
        raise _state_error(o, "record_callback")
    if o.leader_instructed and actor.role is not Role.SUPERVISOR:
        raise NotPermitted(
            "市领导批办件由督查中心回访", "city-leader orders are called back by supervision staff"
        )
    comment = str(args.get("comment") or "")
    reached = args.get("reached")
    if not isinstance(reached, bool):
        raise ValidationError(
            "reached", "请选择是否联系上来电人", "say whether the caller was reached"
        )
    if not reached:
        unreachable = o.callback_attempts + 1 >= ctx.rules.callback_attempts
        retry_at = now + timedelta(hours=ctx.rules.callback_retry_hours)
        return (
            "callback_recorded",
            comment,
            {
                "reached": False,
                "unreachable": unreachable,
                "retry_at": retry_at.isoformat(),
            },
        )
    try:
        satisfaction = Satisfaction(str(args.get("satisfaction") or ""))
    except ValueError as exc:
        raise ValidationError("satisfaction", "请选择满意度", "choose the satisfaction") from exc
    resolved = args.get("resolved")
    if not isinstance(resolved, bool):
        raise ValidationError("resolved", "请选择问题是否解决", "say whether it was resolved")
    return (
        "callback_recorded",
        comment,
        {
            "reached": True,
            "resolved": resolved,
            "satisfaction": satisfaction.value,
        },
    )


def _after_dissatisfaction(o: WorkOrder, command: str) -> None:
    if o.state is not OrderState.CALLBACK_PENDING or not o.dissatisfied:
        zh, en = COMMAND_LABELS[command]
        raise InvalidTransition(
            f"只有回访不满意的工单才能{zh}",
            f"only an order with a dissatisfied callback can be {en}d",
        )


def _rehandle(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _after_dissatisfaction(o, "rehandle")
    unit = _check_unit(ctx, args.get("unit") or o.unit)
    deadline = _deadline(ctx, o.type, now, o.investigation)
    return (
        "rehandled",
        _text(args, "reason", "重办理由", "a reason"),
        {"unit": unit, "deadline": deadline.isoformat()},
    )


def _close(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _after_dissatisfaction(o, "close")
    return "closed", _text(args, "explanation", "办结说明", "an explanation"), {}


def _link_contact(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state in (OrderState.CLOSED, OrderState.RECALLED):
        raise InvalidTransition(
            f"工单 {o.order_id} 已办结，不能关联，请新建工单",
            f"order {o.order_id} is closed; open a new order instead",
        )
    contact_id = _text(args, "contact_id", "来电记录", "the contact")
    return (
        "contact_linked",
        "",
        {"contact_id": contact_id, "content": str(args.get("content") or "")},
    )


_HANDLERS = {
    "sign": _sign,
    "return_order": _return,
    "request_extension": _request_extension,
    "decide_extension": _decide_extension,
    "notify_caller": _notify_caller,
    "reply": _reply,
    "reassign": _reassign,
    "recall": _recall,
    "add_co_handler": _add_co_handler,
    "mark_overdue": _mark_overdue,
    "urge": _urge,
    "criticise": _criticise,
    "create_callback": _create_callback,
    "record_callback": _record_callback,
    "rehandle": _rehandle,
    "close": _close,
    "link_contact": _link_contact,
}

__all__ = [
    "PERMISSIONS",
    "ORDER_COMMANDS",
    "Context",
    "DomainError",
    "decide",
    "execute",
    "require_permission",
]
