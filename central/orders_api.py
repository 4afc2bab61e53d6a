"""Direct reads of work orders, filtered by the caller's scope.

A unit user reads only orders its unit handles or co-handles, with confidential callers
masked; anything else answers 404, so an order's existence does not leak either.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from central.api_models import OrderDetail, OrdersPage, error_responses
from central.auth import SessionDep, StoreDep
from central.changes import mask_for_unit
from central.errors import Forbidden, NotFound
from central.order_tables import contacts_of, get_snapshot, list_snapshots
from workstation.models import OrderState

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])

OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]


@router.get("/{order_id}", response_model=OrderDetail, responses=error_responses(401, 404, 422))
def get_order(order_id: OrderId, store: StoreDep, session: SessionDep) -> OrderDetail:
    """One order's snapshot (with its events) and its contacts."""
    with store.db.read() as conn:
        snap = get_snapshot(conn, order_id)
        contacts = contacts_of(conn, order_id) if snap else []
    unit = session.scope_unit
    if snap is None or (unit is not None and unit not in (snap["unit"], *snap["co_units"])):
        raise NotFound(f"没有工单 {order_id}", f"no order {order_id}")
    if unit is not None:
        snap = mask_for_unit("order", snap)
        contacts = [mask_for_unit("contact", c) for c in contacts]
    return OrderDetail(order=snap, contacts=contacts)


@router.get("", response_model=OrdersPage, responses=error_responses(401, 403, 422))
def list_orders(
    store: StoreDep,
    session: SessionDep,
    unit: Annotated[str | None, Query(max_length=32, pattern=r"^[^\x00]*$")] = None,
    state: Annotated[OrderState | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> OrdersPage:
    """Orders newest first; a unit user gets its own unit's (another unit is 403)."""
    scope = session.scope_unit
    if scope is not None:
        if unit is not None and unit != scope:
            raise Forbidden("不能查看其他单位的工单", "you may not list another unit's orders")
        unit = scope
    with store.db.read() as conn:
        orders, total = list_snapshots(conn, unit, state.value if state else None, limit, offset)
    if scope is not None:
        orders = [mask_for_unit("order", o) for o in orders]
    return OrdersPage(orders=orders, total=total, limit=limit, offset=offset)
