"""Caller history looked up on the server (``GET /api/v1/callers/history``), made into the
seat's rows, with the seat's own unsent work merged in.

The seat holds only its own intake (scoped pulls, issue 15), so the caller panel asks the
server first, briefly; ``SeatServices.caller_lookup`` falls back to the local cache when
this fails, and the record it returns says which source is shown.
"""

from __future__ import annotations

import json
from typing import Any

from offline_cache.session import API
from workstation.seat_api import ContactRow, OrderRow
from workstation.wire.callers import CallerHistoryPage

TIMEOUT_S = 1.5
"""An agent is on the line: a slow server must not hold the panel up."""
SHOWN_OUTCOMES = ("answered", "rejected")
"""The contacts the panel lists beside the orders (the rest made an order, listed itself)."""


class LookupFailed(Exception):
    """The server did not answer the lookup (offline, slow, refused): use the cache."""


def fetch(
    server_url: str, token: str, phone: str, limit: int, timeout: float = TIMEOUT_S
) -> CallerHistoryPage:
    """The server's answer, or ``LookupFailed`` (never another exception)."""
    import httpx

    try:
        response = httpx.get(
            f"{server_url.rstrip('/')}{API}/callers/history",
            params={"phone": phone, "limit": limit},
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0)),
        )
    except httpx.HTTPError as exc:
        raise LookupFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise LookupFailed(f"HTTP {response.status_code}")
    try:
        return CallerHistoryPage.model_validate_json(response.content)
    except ValueError as exc:
        raise LookupFailed(f"unreadable answer: {exc}") from exc


def order_rows(page: CallerHistoryPage) -> list[OrderRow]:
    from offline_cache.views import order_row

    rows = []
    for row in page.orders:
        seat_row: dict[str, Any] = {
            **row,
            "pending": False,
            "co_units": json.dumps(row["co_units"]),
        }
        rows.append(OrderRow(**order_row(seat_row, mask=False)))
    return rows


def contact_rows(page: CallerHistoryPage) -> list[ContactRow]:
    from offline_cache.views import _contact_rows

    shown = [c for c in page.contacts if c.get("outcome") in SHOWN_OUTCOMES]
    return _contact_rows({"data": json.dumps(c), "pending": False} for c in shown)


def merged_orders(online: list[OrderRow], local: list[OrderRow], limit: int) -> list[OrderRow]:
    """The server's rows, with this seat's own not yet sent (pending) ones first."""
    pending = [r for r in local if r.pending]
    ids = {r.order_id for r in pending}
    return (pending + [r for r in online if r.order_id not in ids])[:limit]


def merged_contacts(
    online: list[ContactRow], local: list[ContactRow], limit: int
) -> list[ContactRow]:
    pending = [r for r in local if r.pending]
    ids = {r.contact_id for r in pending}
    return (pending + [r for r in online if r.contact_id not in ids])[:limit]
