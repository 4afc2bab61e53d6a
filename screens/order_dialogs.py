"""The command dialogs of the role homes, each an :class:`ActionDialog` with its fields.

Return (退回), extension (申请延期), reply (答复), extension decision (审批延期),
reassign (改派), re-handle (重办), close (办结), tell the caller (告知来电人), and the
knowledge-base proposal and its review. Each builder gets what it shows (the order, the
return window) and the ``run`` that does the command through SeatServices.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text

from screens.action_dialog import ActionDialog, Field
from screens.role_strings import rt
from screens.safe_text import clean
from workstation.models import Unit
from workstation.orders import WorkOrder
from workstation.seat_api import OrderRow, ProposalRow

Run = Callable[[dict[str, Any]], Any]


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "—"


def return_dialog(
    order_id: str, window_end: datetime | None, now: datetime, run: Run
) -> ActionDialog:
    """Return an order that is not the unit's (only inside the return window)."""
    note, warning = None, None
    if window_end is not None and now > window_end:
        warning = rt("detail.window_closed", end=_when(window_end))
    elif window_end is not None:
        note = rt("detail.window_open", end=_when(window_end))
    fields = [Field("reason", rt("ret.reason")), Field("basis", rt("ret.basis"))]
    return ActionDialog(rt("ret.title", order=order_id), fields, run, note, warning)


def extension_dialog(order_id: str, deadline: datetime, now: datetime, run: Run) -> ActionDialog:
    """Ask for a later deadline with a committed date and a reason (before the deadline)."""
    warning = rt("ext.late", deadline=_when(deadline)) if now > deadline else None
    fields = [Field("new_deadline", rt("ext.date")), Field("reason", rt("ext.reason"))]
    note = rt("ext.note", deadline=_when(deadline))
    return ActionDialog(rt("ext.title", order=order_id), fields, run, note, warning)


def reply_dialog(order_id: str, run: Run) -> ActionDialog:
    fields = [Field("result", rt("reply.result"), kind="area")]
    return ActionDialog(rt("reply.title", order=order_id), fields, run)


def decision_dialog(order: WorkOrder, run: Run) -> ActionDialog:
    """Approve or reject an extension request; approval creates the 'tell the caller' task."""
    ext = order.extension
    note = None
    if ext is not None:
        note = Text(
            rt("dec.note", date=_when(ext.new_deadline), reason=clean(ext.reason, multiline=False))
        )
    fields = [
        Field(
            "approved",
            rt("dec.choice"),
            kind="choice",
            value=True,
            options=((rt("dec.approve"), True), (rt("dec.reject"), False)),
        ),
        Field("comment", rt("dec.comment")),
    ]
    return ActionDialog(rt("dec.title", order=order.order_id), fields, run, note)


def reassign_dialog(order: WorkOrder, units: list[Unit], run: Run) -> ActionDialog:
    """Give a returned order to another unit (the return's reason is shown)."""
    returned = order.returned or {}
    note = None
    if returned:
        note = Text(
            rt(
                "detail.return_text",
                unit=returned.get("unit") or "",
                reason=clean(returned.get("reason") or "", multiline=False),
                basis=clean(returned.get("basis") or "", multiline=False),
            )
        )
    others = tuple(u for u in units if u.code != order.unit)
    fields = [
        Field("unit", rt("reas.unit"), kind="unit", units=others),
        Field("reason", rt("reas.reason")),
    ]
    return ActionDialog(rt("reas.title", order=order.order_id), fields, run, note)


def co_handler_dialog(order: WorkOrder | OrderRow, units: list[Unit], run: Run) -> ActionDialog:
    """Add a co-handling unit (协办), with the reason it is needed."""
    taken = {order.unit, *order.co_units}
    fields = [
        Field(
            "unit", rt("co.unit"), kind="unit", units=tuple(u for u in units if u.code not in taken)
        ),
        Field("reason", rt("co.reason")),
    ]
    return ActionDialog(rt("co.title", order=order.order_id), fields, run)


def rehandle_dialog(order: WorkOrder, units: list[Unit], run: Run) -> ActionDialog:
    fields = [
        Field("reason", rt("reh.reason")),
        Field("unit", rt("reh.unit"), kind="unit", value=order.unit, units=tuple(units)),
    ]
    return ActionDialog(rt("reh.title", order=order.order_id), fields, run)


def close_dialog(order_id: str, run: Run) -> ActionDialog:
    fields = [Field("explanation", rt("close.explanation"), kind="area")]
    return ActionDialog(rt("close.title", order=order_id), fields, run)


def notify_dialog(order: WorkOrder | OrderRow, run: Run) -> ActionDialog:
    ext = order.extension if isinstance(order, WorkOrder) else None
    note = rt("tell.note", date=_when(ext.new_deadline)) if ext is not None else None
    fields = [Field("comment", rt("tell.comment"))]
    return ActionDialog(rt("tell.title", order=order.order_id), fields, run, note)


def proposal_dialog(run: Run) -> ActionDialog:
    """A unit proposes a new or changed KB article with the policy it rests on."""
    fields = [
        Field("title", rt("kb.article_title")),
        Field("body", rt("kb.body"), kind="area"),
        Field("category", rt("kb.category")),
        Field("id", rt("kb.replaces")),
        Field("policy_basis", rt("kb.basis")),
    ]
    return ActionDialog(rt("kb.title"), fields, run)


def review_dialog(proposal: ProposalRow, run: Run) -> ActionDialog:
    data = proposal.data or {}
    article = data.get("article") or {}
    note = Text()
    note.append(clean(article.get("title") or "", multiline=False) + "\n", style="bold")
    note.append(clean(article.get("body") or ""))
    note.append("\n" + rt("kb.basis") + "：" + clean(data.get("policy_basis") or ""))
    fields = [
        Field(
            "publish",
            rt("kb.review"),
            kind="choice",
            value=True,
            options=((rt("rk.publish"), True), (rt("rk.reject"), False)),
        ),
        Field("comment", rt("kb.review_comment")),
    ]
    return ActionDialog(rt("kb.review"), fields, run, note)
