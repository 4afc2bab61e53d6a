"""Closed orders on a real server → ``workstation admin train-assist`` → a real seat syncs →
the model file is there, verified → the seat's assistant routes like the city did."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from central.testing import LiveServer
from tests.central_assist.conftest import TOPICS
from tests.offline_cache.helpers import live_seat, run_cli, server_db

PER_UNIT = 160  # 320 orders: the history weighs as much as the directory (HISTORY_HALF 300)
CLIENT = "e2e-client-S01"


class Pusher:
    """Pushes commands as seat S01 would, one batch per user."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.mutation = 0

    def push(self, user: str, commands: list[tuple[str, str, dict[str, Any]]]) -> None:
        token = self.server.sessions.get(user) or self.server.login(user, "S01")
        batch = []
        for order_id, name, args in commands:
            self.mutation += 1
            batch.append(
                self.server.sign(
                    {
                        "op_id": str(uuid.uuid4()),
                        "client_id": CLIENT,
                        "mutation_id": self.mutation,
                        "order_id": order_id,
                        "command": name,
                        "args": args,
                        "base_version": None,
                        "user": user,
                        "seat": "S01",
                        "client_time": "2026-03-02T09:00:00+08:00",
                    }
                )
            )
        r = httpx.post(
            f"{self.server.base_url}/api/v1/sync/push",
            json={"client_id": CLIENT, "commands": batch},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        refused = [x for x in r.json()["results"] if x["status"] != "applied"]
        assert not refused, refused[:2]


def close_orders(server: LiveServer) -> None:
    """Dispatch, sign, reply, callback task (the job), satisfied callback: closed."""
    pusher = Pusher(server)
    orders = {
        unit: [f"QD-S01-2603-{i * 2 + j + 1:04d}" for i in range(PER_UNIT)]
        for j, unit in enumerate(TOPICS)
    }
    dispatches = []
    for unit, ids in orders.items():
        for n, order_id in enumerate(ids):
            args = {
                "type": "complaint" if n % 2 else "help",
                "content": TOPICS[unit].format(n=n) + "，我电话13912346025",
                "unit": unit,
                "contact_id": f"C-{order_id}",
                "caller_name": "李四",
                "caller_phone": "13912346025",
            }
            dispatches.append((order_id, "dispatch", args))
    pusher.push("agent1", dispatches)
    for user, unit in (("unit1", "U001"), ("unit2", "U002")):
        steps: list[tuple[str, str, dict[str, Any]]] = [(oid, "sign", {}) for oid in orders[unit]]
        steps += [(oid, "reply", {"result": "已安排处理"}) for oid in orders[unit]]
        pusher.push(user, steps)
    jobs = run_cli("admin", "run-jobs", "--db", server.db_url, "--now", "2026-03-02T01:00:00+00:00")
    assert jobs.returncode == 0 and f"create_callback={2 * PER_UNIT}" in jobs.stdout, jobs.stderr
    outcome = {"reached": True, "resolved": True, "satisfaction": "satisfied"}
    pusher.push(
        "callback1", [(oid, "record_callback", outcome) for ids in orders.values() for oid in ids]
    )


async def wait_for_model(s: Any, limit_s: float = 60) -> Path:
    from offline_cache import assist_model

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        path = s.assist_model_path()
        if path is not None and not assist_model.downloading(s):
            return path  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)  # polling, bounded by the deadline
    raise AssertionError(f"no model after {limit_s} s: {s.db.get_meta('assist_model_retry')}")


async def test_closed_orders_train_a_model_that_reaches_the_seat(
    live_server: LiveServer, tmp_path: Path
) -> None:
    from assist.assistant import Assistant

    close_orders(live_server)
    with server_db(live_server) as conn:
        assert conn.execute("SELECT COUNT(*) FROM orders WHERE state='closed'").fetchone() == (
            2 * PER_UNIT,
        )
    trained = run_cli("admin", "train-assist", "--db", live_server.db_url, "--force")
    assert trained.returncode == 0, trained.stderr
    assert f"trained model v1 on {2 * PER_UNIT} closed orders" in trained.stdout

    s = live_seat(live_server, tmp_path / "seat", "S02", "unit2")  # a unit user sees it too
    try:
        await s.sync_once()
        path = await wait_for_model(s)
        with server_db(live_server) as conn:
            (sha,) = conn.execute("SELECT sha256 FROM assist_models WHERE version=1").fetchone()
        assert path.name == "model-1.npz"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha

        text = "小区门口的路灯坏了快一个星期了，晚上走路看不见"
        assistant = s.assist.assistant()
        assert assistant is not None and assistant.model is not None
        assert assistant.model.unit_orders == 2 * PER_UNIT
        suggestion = assistant.suggest(text)
        assert suggestion.units[0].code == "U001", suggestion.to_dict()
        assert any("历史" in r for r in suggestion.units[0].reasons)
        cold = Assistant.from_directory(s.units()).suggest(text)
        assert cold.units[0].code != "U001"  # the directory alone routes it elsewhere
        for _, _, past in assistant.model.exemplars:
            assert "13912346025" not in past and "李四" not in past

        started = time.perf_counter()
        for _ in range(20):
            assistant.suggest(text)
        assert (time.perf_counter() - started) / 20 < 0.05  # 20 ms target; slack for CI load

        # a second sync with nothing new neither downloads nor changes the model
        await s.sync_once()
        assert s.assist_model_path() == path and s.assist.assistant() is assistant
    finally:
        s.close()
