"""Closed orders written straight into a server database (fast, for thresholds and timing).

The end-to-end test closes orders through the real push path; these rows only carry what
the trainer reads: state, type, unit, closing time and the snapshot's content and caller.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from central import schema


def insert_closed(
    store: Any,
    rows: Sequence[tuple[str, str, str]],
    closed_at: datetime,
    start: int = 0,
    caller_name: str = "张三",
    state: str = "closed",
) -> list[str]:
    """Insert ``(text, unit, type)`` rows as closed orders; returns their ids."""
    ids: list[str] = []
    values: list[dict[str, Any]] = []
    for i, (text, unit, order_type) in enumerate(rows, start):
        order_id = f"QD-T-{i:07d}"
        ids.append(order_id)
        snap = {"order_id": order_id, "content": text, "caller_name": caller_name}
        when = closed_at + timedelta(microseconds=i - start)
        values.append(
            {
                "order_id": order_id,
                "version": 5,
                "state": state,
                "type": order_type,
                "channel": "phone",
                "unit": unit,
                "co_units": "[]",
                "caller_phone": "",
                "confidential": False,
                "leader_instructed": False,
                "created_at": when - timedelta(days=3),
                "dispatched_at": when - timedelta(days=3),
                "deadline": when + timedelta(days=4),
                "closed_at": when if state == "closed" else None,
                "updated_at": when,
                "snapshot": json.dumps(snap, ensure_ascii=False),
            }
        )
    with store.db.write() as conn:
        for chunk in range(0, len(values), 5000):
            conn.execute(schema.orders.insert(), values[chunk : chunk + 5000])
    return ids
