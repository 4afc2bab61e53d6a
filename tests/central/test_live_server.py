"""A real uvicorn server in a subprocess (central.testing) end to end."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import httpx

from central.testing import LiveServer


def test_live_server_push_pull_and_clock(live_server: LiveServer) -> None:
    base = live_server.base_url
    token = live_server.login("agent1", "S01")
    h = {"Authorization": f"Bearer {token}"}
    cmd = {
        "op_id": "op-1",
        "client_id": "seat-db-1",
        "mutation_id": 1,
        "order_id": "QD-S01-2603-0001",
        "command": "dispatch",
        "args": {
            "type": "consultation",
            "content": "公积金怎么提取",
            "unit": "U001",
            "contact_id": "C-1",
            "caller_phone": "13912346025",
        },
        "user": "agent1",
        "seat": "S01",
    }
    cmd = live_server.sign(cmd)
    body = gzip.compress(json.dumps({"client_id": "seat-db-1", "commands": [cmd]}).encode())
    r = httpx.post(
        f"{base}/api/v1/sync/push",
        content=body,
        headers={**h, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    order = r.json()["results"][0]["order"]
    assert order["dispatched_at"].startswith("2026-03-02T01:00:00")  # the server's (test) clock
    live_server.set_now(datetime(2026, 3, 20, 1, 0, tzinfo=UTC))
    unit = live_server.login("unit1", "S02")
    sign = dict(
        cmd,
        op_id="op-2",
        client_id="seat-db-2",
        mutation_id=1,
        command="sign",
        args={},
        user="unit1",
        seat="S02",
    )
    sign = live_server.sign(sign)
    res = httpx.post(
        f"{base}/api/v1/sync/push",
        json={"client_id": "seat-db-2", "commands": [sign]},
        headers={"Authorization": f"Bearer {unit}"},
    ).json()["results"][0]
    assert res["status"] == "applied"
    assert res["order"]["signed_at"].startswith("2026-03-20T01:00:00")
    pulled = httpx.get(
        f"{base}/api/v1/sync/pull",
        params={"limit": 1000},
        headers={"Authorization": f"Bearer {unit}"},
    ).json()
    assert [c["key"] for c in pulled["changes"] if c["entity"] == "order"] == [
        "QD-S01-2603-0001"
    ] * 2
    # API docs are off unless [security] api_docs turns them on (tests/security covers both)
    assert httpx.get(f"{base}/openapi.json").status_code == 404
