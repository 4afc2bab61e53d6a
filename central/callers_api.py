"""Caller history on demand (来电历史): a caller's past orders and contacts by phone.

Agents pull only their own seat's intake (docs/sync-protocol.md, "Scopes"), so the caller
panel asks here for everyone else's: staff who take or return calls only (agents,
callback operators, supervisors), bounded, newest first, and logged on the audit logger
(user, seat, masked phone) since it reads other people's calls.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from central import schema
from central.api_models import error_responses
from central.auth import SessionDep, StoreDep
from central.errors import Forbidden
from workstation.models import Role
from workstation.wire.callers import MAX_HISTORY, PHONE_PATTERN, CallerHistoryPage
from workstation.wire.order import order_row

router = APIRouter(prefix="/api/v1/callers", tags=["callers"])
audit = logging.getLogger("central.audit")

READERS = frozenset({Role.AGENT, Role.CALLBACK, Role.SUPERVISOR})
"""Who may look a caller up: those who talk to callers (not units, not admins)."""
_SEAT_ONLY = ("open311",)
"""Kept on a contact's row for the public status, never sent to a seat."""


@router.get("/history", response_model=CallerHistoryPage, responses=error_responses(401, 403, 422))
def caller_history(
    store: StoreDep,
    session: SessionDep,
    phone: Annotated[str, Query(pattern=PHONE_PATTERN)],
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY)] = 20,
) -> Any:
    """The caller's orders (as order rows) and contacts, newest first, ``limit`` of each."""
    if session.user.role not in READERS:
        raise Forbidden(
            "只有坐席、回访员和督查人员可以查询来电历史",
            "only agents, callback operators and supervisors may look up a caller's history",
        )
    phone = phone.strip()
    o, c = schema.orders, schema.contacts
    with store.db.read() as conn:
        snaps = conn.execute(
            select(o.c.snapshot)
            .where(o.c.caller_phone == phone)
            .order_by(o.c.created_at.desc(), o.c.order_id.desc())
            .limit(limit)
        ).scalars()
        orders = [order_row(json.loads(s)) for s in snaps]
        texts = conn.execute(
            select(c.c.data)
            .where(c.c.caller_phone == phone)
            .order_by(c.c.received_at.desc(), c.c.contact_id.desc())
            .limit(limit)
        ).scalars()
        contacts = [_for_seat(json.loads(t)) for t in texts]
    from workstation.masking import mask_phone

    audit.info(
        "caller history: user=%s seat=%s phone=%s orders=%d contacts=%d",
        session.user.name, session.seat, mask_phone(phone), len(orders), len(contacts),
    )  # fmt: skip
    page = CallerHistoryPage(phone=phone, limit=limit, orders=orders, contacts=contacts)
    return Response(page.model_dump_json(), media_type="application/json")


def _for_seat(contact: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in contact.items() if k not in _SEAT_ONLY}
