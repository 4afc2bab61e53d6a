"""Publication of closed orders on the public answers page (公开): the supervisor decides.

``set_publication`` (supervisors only; ``workstation.wire.commands.SetPublicationArgs``)
stores a decision per order in ``order_publication`` and emits a ``publication`` change
(staff only) so the supervisor's board shows it. An order without a decision follows
``[web] publish_by_default`` for its type. A confidential order (保密) can never be
published: the command is refused with a reason, and the public list filters it out too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from central import schema
from central.changes import Change, Tx
from workstation.errors import DomainError, UnknownOrder, ValidationError
from workstation.models import Actor

COMMAND = "set_publication"
ENTITY = "publication"
"""The change entity the seats receive: ``{order_id, published, decided_by, decided_at}``."""


class ConfidentialNotPublishable(DomainError):
    """A confidential order (保密) never appears on the public page."""

    code = "confidential"


def apply_set_publication(
    tx: Tx, args: dict[str, Any], actor: Actor, envelope_order_id: str | None = None
) -> dict[str, Any]:
    """Store the supervisor's decision (args already parsed by the wire model).

    The order is ``args["order_id"]``, or the command envelope's ``order_id`` when the
    args leave it out; the two must not name different orders."""
    from central.order_tables import load_order

    order_id = str(args.get("order_id") or envelope_order_id or "").strip()
    if envelope_order_id and envelope_order_id != order_id:
        raise ValidationError(
            "order_id",
            "命令与参数中的工单编号不一致",
            "the command's order number and its args' differ",
        )
    if not order_id:
        raise ValidationError("order_id", "缺少工单编号", "the order number is missing")
    published = args.get("published")
    if not isinstance(published, bool):
        raise ValidationError(
            "published", "请选择公开或不公开", "say whether the order is published (true/false)"
        )
    order = load_order(tx, order_id)
    if order is None:
        raise UnknownOrder(f"没有工单 {order_id}", f"no order {order_id}")
    if published and order.confidential:
        raise ConfidentialNotPublishable(
            f"工单 {order_id} 为保密工单，不能公开",
            f"order {order_id} is confidential and can never be published",
            order_id=order_id,
        )
    record = {
        "order_id": order_id,
        "published": published,
        "decided_by": actor.user,
        "decided_at": tx.now.isoformat(),
    }
    p = schema.order_publication
    values = {"published": published, "decided_by": actor.user, "decided_at": tx.now}
    exists = tx.conn.execute(
        tx.db.for_update(select(p.c.order_id).where(p.c.order_id == order_id))
    ).first()
    if exists is None:
        tx.conn.execute(p.insert().values(order_id=order_id, **values))
    else:
        tx.conn.execute(update(p).where(p.c.order_id == order_id).values(**values))
    tx.emit(Change(ENTITY, order_id, record))
    return record
