"""Applying one command on the server, the authority: validate with the domain, store.

Order commands go through ``workflow.execute`` (role, unit scope, state, time rules; the
server computes deadlines and takes notice numbers itself); contact commands through
``contacts.build_contact``; KB commands through :mod:`central.kb`. Before any of them, the
args are parsed with the command's typed model (``workstation.wire.commands.ARGS``: types,
lengths, allowed values, no unknown args, bounded nesting), so malformed args become a
``ValidationError`` naming the field and a final rejection, never a 500 that the seat would
retry forever.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from central.changes import Tx
from central.kb import KB_COMMANDS, apply_kb_command
from central.notices import KIND_OF_COMMAND, allocate_number, store_notice
from central.order_tables import callback_change, load_order, order_units, save_order, store_contact
from central.store import Store
from workstation.errors import AlreadyExists, UnknownOrder, ValidationError
from workstation.models import Actor, Contact, OrderState, Role
from workstation.orders import WorkOrder
from workstation.permissions import ORDER_COMMANDS, require_permission
from workstation.wire.commands import parse_args

T = TypeVar("T")
TRIAGE_CHANNELS = ("web", "mobile", "mailbox", "sms")

CONTACT_COMMANDS = frozenset({"answer_contact", "reject_contact"})
WEB_COMMANDS = frozenset({"set_publication"})
ALL_COMMANDS = ORDER_COMMANDS | CONTACT_COMMANDS | KB_COMMANDS | WEB_COMMANDS


def pure(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a domain function on client-supplied args; type errors mean malformed args."""
    try:
        return fn(*args, **kwargs)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(
            "args", f"命令参数格式不正确：{exc}", f"malformed command arguments: {exc}"
        ) from exc


def execute_command(
    store: Store,
    tx: Tx,
    command: str,
    order_id: str | None,
    args: dict[str, Any],
    actor: Actor,
) -> tuple[WorkOrder | None, dict[str, Any] | None]:
    """Apply a command inside ``tx``; returns (order after, other record) or raises."""
    if command in ALL_COMMANDS:
        require_permission(command, actor)
        args = parse_args(command, args)
    if command in ORDER_COMMANDS:
        return _order_command(store, tx, command, order_id, args, actor), None
    if command in CONTACT_COMMANDS:
        from workstation.contacts import build_contact

        contact = pure(build_contact, command, args, actor, tx.now)
        return None, log_contact(tx, contact)
    if command in KB_COMMANDS:
        return None, apply_kb_command(tx, command, args, actor)
    if command in WEB_COMMANDS:
        from central.web.publication import apply_set_publication

        return None, apply_set_publication(tx, args, actor, order_id)
    require_permission(command, actor)  # raises for an unknown command
    raise ValidationError("command", f"未知的操作：{command}", f"unknown command {command!r}")


def _order_command(
    store: Store, tx: Tx, command: str, order_id: str | None, args: dict[str, Any], actor: Actor
) -> WorkOrder:
    from workstation.contacts import build_contact
    from workstation.workflow import execute

    require_permission(command, actor)
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValidationError("order_id", "缺少工单编号", "the order number is missing")
    before = load_order(tx, order_id)
    if before is not None and actor.unit is not None and actor.unit not in order_units(before):
        if actor.role is Role.UNIT and command != "dispatch":
            # another unit's order answers exactly as one that does not exist (issue 13)
            raise UnknownOrder(f"没有工单 {order_id}", f"no order {order_id}")
    notice = None
    if command in KIND_OF_COMMAND:
        notice = allocate_number(tx, KIND_OF_COMMAND[command], store.settings)
        args = {**args, "number": notice[0]}
    if command == "dispatch" and not args.get("confidential") and _asked_confidential(tx, args):
        args = {**args, "confidential": True}
    ctx = store.context(tx)
    after, events = pure(execute, before, command, args, actor, tx.now, ctx, order_id=order_id)
    contact = None
    if command in ("dispatch", "link_contact"):
        contact = pure(build_contact, command, {**args, "order_id": order_id}, actor, tx.now)
    save_order(tx, before, after, events)
    if after.state is OrderState.CLOSED and (before is None or before.state is not after.state):
        from central.web.public_list import index_closed_order

        index_closed_order(tx, after)
    if contact is not None:
        log_contact(tx, contact, units=order_units(after))
    if notice is not None:
        store_notice(tx, command, *notice, after, actor, store.settings)
    if command == "create_callback":
        tx.emit(callback_change(after, due=True))
    if command == "reply":
        from central.sms_gateway import notify_reply_ready

        notify_reply_ready(store.settings, tx.conn, after)
    return after


def _asked_confidential(tx: Tx, args: dict[str, Any]) -> bool:
    """Whether the logged web request this dispatch triages asked to be confidential (保密):
    the citizen's wish holds whatever the intake form sent."""
    import json

    from sqlalchemy import select

    from central import schema

    contact_id = args.get("contact_id")
    if not isinstance(contact_id, str) or not contact_id:
        return False
    c = schema.contacts
    row = tx.conn.execute(select(c.c.outcome, c.c.data).where(c.c.contact_id == contact_id)).first()
    if row is None or row.outcome != "logged":
        return False
    return bool(json.loads(row.data).get("confidential"))


# -- contacts: new ones, and the triage of web/mobile requests -------------------------


class AlreadyHandled(AlreadyExists):
    """The contact was already answered, rejected, dispatched or linked (已处理)."""

    code = "already_handled"


def log_contact(tx: Tx, contact: Contact, units: tuple[str, ...] = ()) -> dict[str, Any]:
    """Store the contact a command logs, or triage the web/mobile request it names.

    A request posted through Open311 (or another web/mobile channel) is logged first with
    outcome ``logged``; the agent's answer/reject/dispatch/link then carries its id. The
    plain insert is tried first, so ordinary calls pay nothing for this.
    """
    try:
        return store_contact(tx, contact, units=units)
    except AlreadyExists:
        return _triage(tx, contact, units)


def _triage(tx: Tx, contact: Contact, units: tuple[str, ...]) -> dict[str, Any]:
    """Turn a logged web/mobile contact into the agent's outcome; once only."""
    import json
    from dataclasses import replace

    from sqlalchemy import select, update

    from central import schema
    from central.changes import INTAKE, Change, author_scopes, dumps
    from workstation.contacts import contact_to_dict
    from workstation.models import Channel

    c = schema.contacts
    stmt = select(c.c.outcome, c.c.agent, c.c.order_id, c.c.data).where(
        c.c.contact_id == contact.contact_id
    )
    row = tx.conn.execute(tx.db.for_update(stmt)).first()
    old = json.loads(row.data) if row is not None else {}
    if row is None or row.outcome != "logged" or old.get("channel") not in TRIAGE_CHANNELS:
        raise _handled(contact.contact_id, row, old)
    triaged = replace(
        contact,
        channel=Channel(old["channel"]),
        received_at=datetime.fromisoformat(old["received_at"]),
        caller_name=contact.caller_name or str(old.get("caller_name") or ""),
        caller_phone=contact.caller_phone or str(old.get("caller_phone") or ""),
    )
    data = {**contact_to_dict(triaged), "triaged_at": tx.now.isoformat()}
    if "open311" in old:  # kept on the row for the public status, not sent to the seats
        data["source"] = "open311"
    stored = {**data, "open311": old["open311"]} if "open311" in old else data
    done = tx.conn.execute(
        update(c)
        .where(c.c.contact_id == contact.contact_id, c.c.outcome == "logged")
        .values(
            order_id=triaged.order_id,
            outcome=triaged.outcome.value,
            seat=triaged.seat,
            agent=triaged.agent,
            caller_phone=triaged.caller_phone,
            data=dumps(stored),
        )
    )
    if done.rowcount != 1:  # cannot happen under the row lock; refuse rather than guess
        raise _handled(contact.contact_id, row, old)
    scopes = (*author_scopes(triaged.seat, triaged.agent), INTAKE)
    tx.emit(Change("contact", contact.contact_id, data, units=units, scopes=scopes))
    return data


def _handled(contact_id: str, row: Any, old: dict[str, Any]) -> AlreadyExists:
    if row is None or old.get("channel") not in TRIAGE_CHANNELS or row.outcome == "logged":
        return AlreadyExists(
            f"来电记录 {contact_id} 已存在", f"contact {contact_id} already exists"
        )

    zh_outcome, en_outcome = _OUTCOME_LABELS.get(row.outcome, (row.outcome, row.outcome))
    agent = row.agent or "?"
    where = f"，工单 {row.order_id}" if row.order_id else ""
    where_en = f", order {row.order_id}" if row.order_id else ""
    return AlreadyHandled(
        f"诉求 {contact_id} 已由 {agent} 处理（{zh_outcome}{where}），不能再次受理",
        f"request {contact_id} was already handled by {agent} ({en_outcome}{where_en})",
        contact_id=contact_id,
        handled_by=row.agent,
        outcome=row.outcome,
        order_id=row.order_id,
    )


_OUTCOME_LABELS = {
    "answered": ("已直接答复", "answered"),
    "rejected": ("不予受理", "not accepted"),
    "dispatched": ("已派单", "dispatched"),
    "linked": ("已关联工单", "linked to an order"),
}
