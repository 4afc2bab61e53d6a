"""Migration 0008 on a database whose orders were closed before it: the public search
text is filled from their snapshots, so the search finds them at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from central import schema
from central.db import Database
from tests.central_reports.support import db_urls, fresh_database


@pytest.mark.parametrize("kind", db_urls())
def test_orders_closed_before_0008_are_searchable(kind: str, tmp_path: Path) -> None:
    db: Database = fresh_database(kind, tmp_path)
    db.migrate("0004")
    snapshot = {"order_id": "QD-S01-2601-0001", "content": "路灯不亮", "reply": "已修复"}
    row = {
        "order_id": "QD-S01-2601-0001",
        "version": 9,
        "state": "closed",
        "type": "consultation",
        "channel": "phone",
        "unit": "U001",
        "co_units": "[]",
        "caller_phone": "",
        "confidential": False,
        "leader_instructed": False,
        "overdue": False,
        "criticised": False,
        "snapshot": json.dumps(snapshot, ensure_ascii=False),
    }
    with db.write() as conn:
        cols = ", ".join(row)
        now = "CURRENT_TIMESTAMP"
        conn.execute(
            text(
                f"INSERT INTO orders ({cols}, created_at, dispatched_at, deadline, updated_at)"
                f" VALUES ({', '.join(':' + k for k in row)}, {now}, {now}, {now}, {now})"
            ),
            row,
        )
    db.migrate()
    with db.read() as conn:
        found = conn.execute(select(schema.public_search)).all()
    db.dispose()
    assert [(r.order_id, r.text) for r in found] == [("QD-S01-2601-0001", "路灯不亮\n已修复")]
