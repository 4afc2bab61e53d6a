"""Applying one command on the server, the authority: validate with the domain, store.

Order commands go through ``workflow.execute`` (role, unit scope, state, time rules; the
server computes deadlines and takes notice numbers itself); contact commands through
``contacts.build_contact``; KB commands through :mod:`central.kb`. The pure checks run on
the command's args, so malformed args (wrong types) become a ``ValidationError`` and a
final rejection, never a 500 that the seat would retry forever.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from central.changes import Tx
from central.kb import KB_COMMANDS, apply_kb_command
from central.notices import KIND_OF_COMMAND, allocate_number, store_notice
from central.order_store import callback_change, load_order, order_units, save_order, store_contact
from central.store import Store
from workstation.errors import ValidationError
from workstation.models import Actor
from workstation.orders import WorkOrder
from workstation.permissions import ORDER_COMMANDS, require_permission

T = TypeVar("T")

CONTACT_COMMANDS = frozenset({"answer_contact", "reject_contact"})
ALL_COMMANDS = ORDER_COMMANDS | CONTACT_COMMANDS | KB_COMMANDS


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
    if command in ORDER_COMMANDS:
        return _order_command(store, tx, command, order_id, args, actor), None
    if command in CONTACT_COMMANDS:
        from workstation.contacts import build_contact

        contact = pure(build_contact, command, args, actor, tx.now)
        return None, store_contact(tx, contact)
    if command in KB_COMMANDS:
        return None, apply_kb_command(tx, command, args, actor)
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
    notice = None
    if command in KIND_OF_COMMAND:
        notice = allocate_number(tx, KIND_OF_COMMAND[command], store.settings)
        args = {**args, "number": notice[0]}
    ctx = store.context(tx)
    after, events = pure(execute, before, command, args, actor, tx.now, ctx, order_id=order_id)
    contact = None
    if command in ("dispatch", "link_contact"):
        contact = pure(build_contact, command, {**args, "order_id": order_id}, actor, tx.now)
    save_order(tx, before, after, events)
    if contact is not None:
        store_contact(tx, contact, units=order_units(after))
    if notice is not None:
        store_notice(tx, command, *notice, after, actor, store.settings)
    if command == "create_callback":
        tx.emit(callback_change(after, due=True))
    return after
