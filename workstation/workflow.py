"""The work-order workflow of DESIGN.md section 1: who may do what, and when.

``decide`` checks a command against the order's state, the actor's role and unit scope,
and the time rules, and returns the events it produces, or raises a typed
``DomainError``. The server runs it as the authority; a seat runs the same code for its
optimistic local view. Pure: time, calendar and rules come in as arguments.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from workstation.errors import (
    AlreadySigned,
    DomainError,
    ExtensionTooLate,
    InvalidTransition,
    OutsideReturnWindow,
    UnknownOrder,
    ValidationError,
)
from workstation.intake_form import IntakeForm
from workstation.models import (
    Actor,
    ContactOutcome,
    Event,
    OrderState,
)
from workstation.orders import OPEN_STATES, WorkOrder, evolve
from workstation.oversight_rules import OVERSIGHT_HANDLERS
from workstation.permissions import (
    COMMAND_LABELS,
    ORDER_COMMANDS,
    PERMISSIONS,
    require_permission,
)
from workstation.rule_checks import (
    Context,
    Decision,
    check_unit,
    deadline_from,
    own_unit,
    state_error,
    text_arg,
    when_arg,
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
    form = IntakeForm.parse(args, ContactOutcome.DISPATCHED)
    assert form.type is not None  # required for a dispatch
    order_type, content, channel, investigation = (
        form.type,
        form.content,
        form.channel,
        form.investigation,
    )
    unit = check_unit(ctx, form.unit)
    co_units = [check_unit(ctx, c, "co_units") for c in form.co_units]
    data = {
        "type": order_type.value,
        "channel": channel.value,
        "content": content,
        "unit": unit,
        "co_units": [c for c in co_units if c != unit],
        "address": form.address,
        "caller_name": form.caller_name,
        "caller_phone": form.caller_phone,
        "confidential": form.confidential,
        "investigation": investigation,
        "leader_instructed": form.leader_instructed,
        "contact_id": args.get("contact_id"),
        "deadline": deadline_from(ctx, order_type, now, investigation).isoformat(),
    }
    if form.phone_declined:
        data["phone_declined"] = True
    flag = form.flag
    if flag is not None:  # dispatched against the assist's flag: the reason is on the trail
        data["override"] = {"flag": flag.code, "reason": form.override}
    reason = form.override if flag is not None else ""
    return Event(
        order_id, 1, "dispatched", now, actor.user, actor.role, actor.unit, actor.seat, reason, data
    )


def _sign(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    own_unit(o, actor)
    if o.state not in (OrderState.DISPATCHED, OrderState.REHANDLING):
        if o.signed_at is not None and o.state in OPEN_STATES | {OrderState.REPLIED}:
            raise AlreadySigned(
                f"工单 {o.order_id} 已于 {o.signed_at:%Y-%m-%d %H:%M} 签收，不能重复签收",
                f"order {o.order_id} was already signed for at {o.signed_at:%Y-%m-%d %H:%M}",
                state=o.state.value,
            )
        raise state_error(o, "sign")
    return "signed", "", {}


def _return(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    from workstation.deadlines import return_window_end

    own_unit(o, actor)
    if o.state not in (OrderState.DISPATCHED, OrderState.SIGNED):
        raise state_error(o, "return_order")
    reason = text_arg(args, "reason", "退回理由", "a reason")
    basis = text_arg(args, "basis", "退回依据", "the basis")
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


EXTENSION_MAX_DAYS = 366
"""The furthest an extension may move a deadline (a date in year 9999 was accepted, and
every working-day count then walked eight thousand years)."""


def _request_extension(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    own_unit(o, actor)
    if o.state is not OrderState.SIGNED:
        raise state_error(o, "request_extension")
    reason = text_arg(args, "reason", "延期理由", "a reason")
    new_deadline = when_arg(args, "new_deadline", ctx.tz)
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
    if new_deadline - o.deadline > timedelta(days=EXTENSION_MAX_DAYS):
        raise ValidationError(
            "new_deadline",
            f"承诺办结日期距当前期限不得超过 {EXTENSION_MAX_DAYS} 天",
            f"the committed date may be at most {EXTENSION_MAX_DAYS} days after the deadline",
        )
    if new_deadline.hour == 0 and new_deadline.minute == 0:
        new_deadline = new_deadline.replace(hour=23, minute=59, second=59)
    return "extension_requested", reason, {"new_deadline": new_deadline.isoformat()}


def _reply(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    own_unit(o, actor)
    if o.state is not OrderState.SIGNED:
        raise state_error(o, "reply")
    return "replied", "", {"result": text_arg(args, "result", "办理结果", "the result")}


def _link_contact(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state in (OrderState.CLOSED, OrderState.RECALLED):
        raise InvalidTransition(
            f"工单 {o.order_id} 已办结，不能关联，请新建工单",
            f"order {o.order_id} is closed; open a new order instead",
        )
    contact_id = text_arg(args, "contact_id", "来电记录", "the contact")
    return (
        "contact_linked",
        "",
        {"contact_id": contact_id, "content": str(args.get("content") or "")},
    )


_HANDLERS = {
    "sign": _sign,
    "return_order": _return,
    "request_extension": _request_extension,
    "reply": _reply,
    "link_contact": _link_contact,
    **OVERSIGHT_HANDLERS,
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
