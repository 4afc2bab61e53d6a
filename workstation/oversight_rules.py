"""The steps of the supervision center (督查), the callback operators (回访) and the
server's scheduled jobs: extensions, reassignment, recall, co-handlers, overdue, urging
and criticism notices, callbacks, and what follows a dissatisfied caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workstation.errors import (
    InvalidTransition,
    NotPermitted,
    ValidationError,
)
from workstation.models import (
    Actor,
    CallbackQueue,
    OrderState,
    Role,
    Satisfaction,
)
from workstation.orders import OPEN_STATES, WorkOrder
from workstation.permissions import (
    COMMAND_LABELS,
)
from workstation.rule_checks import (
    Context,
    Decision,
    check_unit,
    deadline_from,
    state_error,
    text_arg,
)


def _decide_extension(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state is not OrderState.EXTENSION_REQUESTED:
        raise state_error(o, "decide_extension")
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


def _reassign(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state not in OPEN_STATES | {OrderState.RETURNED, OrderState.RECALLED}:
        raise state_error(o, "reassign")
    unit = check_unit(ctx, args.get("unit"))
    if unit == o.unit and o.state is not OrderState.RECALLED and o.state is not OrderState.RETURNED:
        raise ValidationError(
            "unit", "改派单位与当前承办单位相同", "that is already the handling unit"
        )
    reason = text_arg(args, "reason", "改派理由", "a reason for reassigning")
    deadline = deadline_from(ctx, o.type, now, o.investigation)
    return (
        "reassigned",
        reason,
        {"unit": unit, "from_unit": o.unit, "deadline": deadline.isoformat()},
    )


def _recall(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state in (OrderState.CLOSED, OrderState.RECALLED):
        raise state_error(o, "recall")
    return "recalled", text_arg(args, "reason", "撤回理由", "a reason"), {}


def _add_co_handler(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state not in OPEN_STATES:
        raise state_error(o, "add_co_handler")
    unit = check_unit(ctx, args.get("unit"))
    if unit == o.unit or unit in o.co_units:
        raise ValidationError(
            "unit", "该单位已在办理此工单", "that unit already handles this order"
        )
    reason = text_arg(args, "reason", "增加协办的理由", "a reason for the co-handler")
    return "co_handler_added", reason, {"unit": unit}


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
    number = text_arg(args, "number", "通知书编号", "the notice number")
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
        {"number": text_arg(args, "number", "通知书编号", "the notice number")},
    )


def _create_callback(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    if o.state is not OrderState.REPLIED:
        raise state_error(o, "create_callback")
    queue = CallbackQueue.SUPERVISION if o.leader_instructed else CallbackQueue.OPERATORS
    return "callback_created", "", {"queue": queue.value}


def _record_callback(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    from datetime import timedelta

    if o.state is not OrderState.CALLBACK_PENDING or o.dissatisfied:
        raise state_error(o, "record_callback")
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
    unit = check_unit(ctx, args.get("unit") or o.unit)
    deadline = deadline_from(ctx, o.type, now, o.investigation)
    return (
        "rehandled",
        text_arg(args, "reason", "重办理由", "a reason"),
        {"unit": unit, "deadline": deadline.isoformat()},
    )


def _close(
    o: WorkOrder, args: dict[str, Any], actor: Actor, now: datetime, ctx: Context
) -> Decision:
    _after_dissatisfaction(o, "close")
    return "closed", text_arg(args, "explanation", "办结说明", "an explanation"), {}


OVERSIGHT_HANDLERS = {
    "decide_extension": _decide_extension,
    "notify_caller": _notify_caller,
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
}
"""Command → step, for the supervision center, callbacks and the scheduled jobs."""
