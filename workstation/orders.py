"""A work order (工单) as the fold of its events.

``evolve`` applies one event; ``fold`` applies them all. Events carry every value they
set (deadlines, notice numbers), so folding needs no calendar and gives the same order on
every seat and on the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from workstation.errors import InvalidTransition
from workstation.models import Channel, Event, OrderState, OrderType

OPEN_STATES = frozenset(
    {
        OrderState.DISPATCHED,
        OrderState.SIGNED,
        OrderState.EXTENSION_REQUESTED,
        OrderState.REHANDLING,
    }
)
"""States in which the handling unit still owes a reply (the deadline runs)."""


@dataclass(frozen=True)
class Extension:
    requested_at: datetime
    new_deadline: datetime
    reason: str
    status: str = "pending"  # pending | approved | rejected
    decided_at: datetime | None = None
    comment: str = ""
    caller_notified: bool = False


@dataclass(frozen=True)
class WorkOrder:
    order_id: str
    version: int
    state: OrderState
    type: OrderType
    channel: Channel
    content: str
    unit: str
    dispatched_at: datetime
    deadline: datetime
    created_at: datetime
    created_by: str
    seat: str | None = None
    address: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    confidential: bool = False
    co_units: tuple[str, ...] = ()
    investigation: bool = False
    leader_instructed: bool = False
    signed_at: datetime | None = None
    signed_by: str | None = None
    replied_at: datetime | None = None
    reply: str = ""
    extension: Extension | None = None
    extensions_approved: int = 0
    returned: dict[str, Any] | None = None
    returns: int = 0
    overdue: bool = False
    urged_at: datetime | None = None
    urge_count: int = 0
    criticised: bool = False
    callback_queue: str | None = None
    callback_attempts: int = 0
    next_callback_at: datetime | None = None
    satisfaction: str | None = None
    resolved: bool | None = None
    dissatisfied: bool = False
    rehandled: int = 0
    closed_at: datetime | None = None
    closed_reason: str = ""
    contact_ids: tuple[str, ...] = ()
    events: tuple[Event, ...] = field(default=(), repr=False)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def evolve(order: WorkOrder | None, event: Event) -> WorkOrder:
    """Apply one event to an order (``None`` before the first, ``dispatched``)."""
    d = event.data
    if order is None:
        if event.kind != "dispatched":
            raise InvalidTransition(
                f"工单 {event.order_id} 的第一个事件必须是派单",
                f"order {event.order_id} must start with a dispatch event",
            )
        return WorkOrder(
            order_id=event.order_id,
            version=event.seq,
            state=OrderState.DISPATCHED,
            type=OrderType(d["type"]),
            channel=Channel(d.get("channel", "phone")),
            content=d["content"],
            unit=d["unit"],
            dispatched_at=event.at,
            deadline=_at(d["deadline"]),
            created_at=event.at,
            created_by=event.actor,
            seat=event.seat,
            address=d.get("address", ""),
            caller_name=d.get("caller_name", ""),
            caller_phone=d.get("caller_phone", ""),
            confidential=bool(d.get("confidential", False)),
            co_units=tuple(d.get("co_units", ())),
            investigation=bool(d.get("investigation", False)),
            leader_instructed=bool(d.get("leader_instructed", False)),
            contact_ids=tuple(c for c in [d.get("contact_id")] if c),
            events=(event,),
        )
    o = replace(order, version=event.seq, events=(*order.events, event))
    kind = event.kind
    if kind == "signed":
        return replace(o, state=OrderState.SIGNED, signed_at=event.at, signed_by=event.unit)
    if kind == "returned":
        info = {"unit": event.unit, "reason": event.reason, "basis": d.get("basis", "")}
        return replace(
            o,
            state=OrderState.RETURNED,
            returned={**info, "at": event.at.isoformat()},
            returns=o.returns + 1,
        )
    if kind in ("reassigned", "rehandled"):
        o = replace(
            o,
            state=OrderState.DISPATCHED if kind == "reassigned" else OrderState.REHANDLING,
            unit=d.get("unit", o.unit),
            dispatched_at=event.at,
            deadline=_at(d["deadline"]),
            signed_at=None,
            signed_by=None,
            extension=None,
            overdue=False,
            urged_at=None,
            criticised=False,
            dissatisfied=False,
        )
        return replace(o, rehandled=o.rehandled + 1) if kind == "rehandled" else o
    if kind == "recalled":
        return replace(o, state=OrderState.RECALLED, closed_at=event.at, closed_reason=event.reason)
    if kind == "co_handler_added":
        return replace(o, co_units=(*o.co_units, d["unit"]))
    if kind == "extension_requested":
        ext = Extension(
            requested_at=event.at, new_deadline=_at(d["new_deadline"]), reason=event.reason
        )
        return replace(o, state=OrderState.EXTENSION_REQUESTED, extension=ext)
    if kind == "extension_decided":
        assert o.extension is not None
        approved = bool(d["approved"])
        ext = replace(
            o.extension,
            status="approved" if approved else "rejected",
            decided_at=event.at,
            comment=event.reason,
        )
        if approved:
            return replace(
                o,
                state=OrderState.SIGNED,
                extension=ext,
                deadline=ext.new_deadline,
                extensions_approved=o.extensions_approved + 1,
                overdue=False,
            )
        return replace(o, state=OrderState.SIGNED, extension=ext)
    if kind == "caller_notified":
        assert o.extension is not None
        return replace(o, extension=replace(o.extension, caller_notified=True))
    if kind == "replied":
        return replace(o, state=OrderState.REPLIED, replied_at=event.at, reply=d["result"])
    if kind == "callback_created":
        return replace(
            o,
            state=OrderState.CALLBACK_PENDING,
            callback_queue=d["queue"],
            next_callback_at=event.at,
        )
    if kind == "callback_recorded":
        return _callback_recorded(o, event)
    if kind == "closed":
        return replace(o, state=OrderState.CLOSED, closed_at=event.at, closed_reason=event.reason)
    if kind == "marked_overdue":
        return replace(o, overdue=True)
    if kind == "urged":
        return replace(o, urged_at=event.at, urge_count=o.urge_count + 1, overdue=True)
    if kind == "criticised":
        return replace(o, criticised=True)
    if kind == "contact_linked":
        return replace(o, contact_ids=(*o.contact_ids, d["contact_id"]))
    raise InvalidTransition(f"未知的事件类型：{kind}", f"unknown event kind {kind!r}")


def _callback_recorded(o: WorkOrder, event: Event) -> WorkOrder:
    d = event.data
    attempts = o.callback_attempts + 1
    if not d["reached"]:
        if d.get("unreachable"):
            return replace(
                o,
                callback_attempts=attempts,
                state=OrderState.CLOSED,
                closed_at=event.at,
                closed_reason="unreachable",
                next_callback_at=None,
            )
        return replace(o, callback_attempts=attempts, next_callback_at=_at(d["retry_at"]))
    o = replace(
        o,
        callback_attempts=attempts,
        satisfaction=d["satisfaction"],
        resolved=d.get("resolved"),
        next_callback_at=None,
    )
    if d["satisfaction"] == "dissatisfied":
        return replace(o, dissatisfied=True)
    return replace(o, state=OrderState.CLOSED, closed_at=event.at, closed_reason="callback")


def fold(events: Iterable[Event]) -> WorkOrder:
    order: WorkOrder | None = None
    for event in events:
        order = evolve(order, event)
    if order is None:
        raise InvalidTransition("工单没有任何事件", "an order needs at least one event")
    return order


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def snapshot(order: WorkOrder) -> dict[str, Any]:
    """The ORDER snapshot of docs/sync-protocol.md."""
    ext = order.extension
    return {
        "order_id": order.order_id,
        "version": order.version,
        "state": order.state.value,
        "type": order.type.value,
        "channel": order.channel.value,
        "content": order.content,
        "address": order.address,
        "caller_name": order.caller_name,
        "caller_phone": order.caller_phone,
        "confidential": order.confidential,
        "unit": order.unit,
        "co_units": list(order.co_units),
        "investigation": order.investigation,
        "leader_instructed": order.leader_instructed,
        "created_at": _iso(order.created_at),
        "created_by": order.created_by,
        "seat": order.seat,
        "dispatched_at": _iso(order.dispatched_at),
        "deadline": _iso(order.deadline),
        "signed_at": _iso(order.signed_at),
        "replied_at": _iso(order.replied_at),
        "reply": order.reply,
        "extension": None
        if ext is None
        else {
            "requested_at": _iso(ext.requested_at),
            "new_deadline": _iso(ext.new_deadline),
            "reason": ext.reason,
            "status": ext.status,
            "decided_at": _iso(ext.decided_at),
            "comment": ext.comment,
            "caller_notified": ext.caller_notified,
        },
        "return": order.returned,
        "flags": {
            "overdue": order.overdue,
            "urged": order.urged_at is not None,
            "criticised": order.criticised,
            "dissatisfied": order.dissatisfied,
        },
        "urged_at": _iso(order.urged_at),
        "callback": {
            "queue": order.callback_queue,
            "attempts": order.callback_attempts,
            "next_at": _iso(order.next_callback_at),
            "satisfaction": order.satisfaction,
            "resolved": order.resolved,
        },
        "closed_at": _iso(order.closed_at),
        "closed_reason": order.closed_reason,
        "contact_ids": list(order.contact_ids),
        "events": [e.to_dict() for e in order.events],
    }


def from_snapshot(data: dict[str, Any]) -> WorkOrder:
    """Rebuild an order from a snapshot by folding its events (the events are the truth)."""
    return fold(Event.from_dict(e) for e in data["events"])
