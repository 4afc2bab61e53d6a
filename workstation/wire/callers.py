"""The caller-history answer (``GET /api/v1/callers/history``): a caller's past orders and
contacts by phone, looked up on demand by the seat an agent takes the call on (issue 15:
a seat no longer holds other seats' contacts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

MAX_HISTORY = 50
"""The most orders, and the most contacts, one answer holds (newest first)."""
PHONE_PATTERN = r"^[0-9+\-() ]{5,32}$"
"""A phone as the caller panel sends it: at least 5 characters, digits and separators."""


class CallerHistoryPage(BaseModel):
    """``orders``: order rows (``workstation.wire.order.order_row``); ``contacts``: contact
    records as the seats pull them; both newest first, at most ``limit`` each."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    phone: str
    limit: int
    orders: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
