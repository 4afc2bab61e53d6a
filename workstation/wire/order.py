"""The order snapshot (``workstation.orders.snapshot``) and the order row derived from it.

The snapshot is what the server stores, the change feed carries and the seats keep; its
events are the truth (``from_snapshot`` folds them). The row is the handful of columns
both ends list and filter orders by; :func:`order_row` is its one definition, read off
the snapshot, and the server's ``orders`` table and the seat's ``orders`` table each
store the columns they need of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workstation.models import Channel, OrderState, OrderType, Role


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EventOut(_Out):
    order_id: str
    seq: int
    kind: str
    at: datetime
    actor: str
    role: Role
    unit: str | None
    seat: str | None
    reason: str
    data: dict[str, Any]


class ExtensionOut(_Out):
    requested_at: datetime
    new_deadline: datetime
    reason: str
    status: Literal["pending", "approved", "rejected"]
    decided_at: datetime | None
    comment: str
    caller_notified: bool


class ReturnOut(_Out):
    unit: str | None
    reason: str
    basis: str
    at: datetime


class Flags(_Out):
    overdue: bool
    urged: bool
    criticised: bool
    dissatisfied: bool


class CallbackOut(_Out):
    queue: str | None
    attempts: int
    next_at: datetime | None
    satisfaction: str | None
    resolved: bool | None


class OrderSnapshot(_Out):
    """The ORDER snapshot (docs/sync-protocol.md): ``snapshot(order)`` has these keys."""

    order_id: str
    version: int
    state: OrderState
    type: OrderType
    channel: Channel
    content: str
    address: str
    caller_name: str
    caller_phone: str
    confidential: bool
    unit: str
    co_units: list[str]
    investigation: bool
    leader_instructed: bool
    created_at: datetime
    created_by: str
    seat: str | None
    dispatched_at: datetime
    deadline: datetime
    signed_at: datetime | None
    replied_at: datetime | None
    reply: str
    extension: ExtensionOut | None
    returned: ReturnOut | None = Field(alias="return")
    flags: Flags
    urged_at: datetime | None
    callback: CallbackOut
    closed_at: datetime | None
    closed_reason: str
    contact_ids: list[str]
    events: list[EventOut] = Field(min_length=1)


ORDER_ROW_COLUMNS = (
    "order_id version state type channel unit co_units content address caller_name"
    " caller_phone confidential investigation leader_instructed created_at created_by seat"
    " dispatched_at deadline signed_at replied_at closed_at extension_status caller_notified"
    " callback_queue next_callback_at dissatisfied overdue urged urged_at criticised"
).split()
"""The order row: what lists and jobs filter and sort on (times as ISO text)."""


def order_row(snap: dict[str, Any]) -> dict[str, Any]:
    """The order row of a snapshot (``ORDER_ROW_COLUMNS``), without folding its events."""
    ext = snap.get("extension") or None
    flags = snap.get("flags") or {}
    callback = snap.get("callback") or {}
    return {
        "order_id": snap["order_id"],
        "version": snap["version"],
        "state": snap["state"],
        "type": snap["type"],
        "channel": snap["channel"],
        "unit": snap["unit"],
        "co_units": list(snap.get("co_units") or ()),
        "content": snap["content"],
        "address": snap.get("address", ""),
        "caller_name": snap.get("caller_name", ""),
        "caller_phone": snap.get("caller_phone", ""),
        "confidential": bool(snap.get("confidential")),
        "investigation": bool(snap.get("investigation")),
        "leader_instructed": bool(snap.get("leader_instructed")),
        "created_at": snap.get("created_at"),
        "created_by": snap.get("created_by"),
        "seat": snap.get("seat"),
        "dispatched_at": snap.get("dispatched_at"),
        "deadline": snap.get("deadline"),
        "signed_at": snap.get("signed_at"),
        "replied_at": snap.get("replied_at"),
        "closed_at": snap.get("closed_at"),
        "extension_status": ext["status"] if ext else None,
        "caller_notified": bool(ext["caller_notified"]) if ext else False,
        "callback_queue": callback.get("queue"),
        "next_callback_at": callback.get("next_at"),
        "dissatisfied": bool(flags.get("dissatisfied")),
        "overdue": bool(flags.get("overdue")),
        "urged": bool(flags.get("urged")),
        "urged_at": snap.get("urged_at"),
        "criticised": bool(flags.get("criticised")),
    }
