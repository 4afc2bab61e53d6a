"""Long-polling pulls (issue 15): ``GET /sync/pull?wait=N`` is held until a change in the
reader's scope commits, on a real server process (SQLite, and PostgreSQL with two worker
processes woken through LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.testing import LiveServer, start_live_server


@pytest.fixture(params=["sqlite", "postgres"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    if request.param == "sqlite":
        with start_live_server(tmp_path) as server:
            yield server
    else:
        pg_url = str(request.getfixturevalue("pg_url"))
        with start_live_server(tmp_path, db_url=pg_url, workers=2) as server:
            yield server


def _pull(live: LiveServer, user: str, cursor: int, wait: int, limit: int = 100) -> httpx.Response:
    return httpx.get(
        f"{live.base_url}/api/v1/sync/pull",
        params={"cursor": cursor, "limit": limit, "wait": wait},
        headers={"Authorization": f"Bearer {live.sessions[user]}"},
        timeout=wait + 30,
    )


def _head(live: LiveServer, user: str) -> int:
    return int(_pull(live, user, 0, 0, 1000).json()["cursor"])


def _dispatch(live: LiveServer, order_id: str, unit: str) -> None:
    command = {
        "op_id": str(uuid.uuid4()),
        "client_id": "client-S01",
        "mutation_id": int(order_id.rsplit("-", 1)[1]),
        "order_id": order_id,
        "command": "dispatch",
        "args": {
            "type": "complaint",
            "content": "小区门口路灯坏了一个月",
            "unit": unit,
            "contact_id": f"C-{order_id}",
            "caller_name": "张三",
            "caller_phone": "13912346025",
        },
        "base_version": None,
        "user": "agent1",
        "seat": "S01",
        "client_time": datetime.now(UTC).isoformat(),
    }
    r = live.push("agent1", [command], timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "applied", r.text


def test_held_pulls_return_the_change_committed_while_they_waited(live: LiveServer) -> None:
    for user, seat in (("agent1", "S01"), ("unit1", "S02"), ("super1", "S02")):
        live.login(user, seat)
    cursors = {u: _head(live, u) for u in ("unit1", "super1")}
    answers: dict[str, httpx.Response] = {}
    holders = [
        threading.Thread(target=lambda u=u: answers.__setitem__(u, _pull(live, u, cursors[u], 20)))
        for u in ("unit1", "super1")
        for _ in range(3)  # several held pulls, spread over the worker processes
    ]
    for t in holders:
        t.start()
    threading.Event().wait(1.0)  # let them be held before the commit
    _dispatch(live, "QD-S01-0001", "U001")
    for t in holders:
        t.join(40)
    for user in ("unit1", "super1"):
        r = answers[user]
        assert r.status_code == 200 and r.headers["Pull-Wait"] == "20"
        keys = [(c["entity"], c["key"]) for c in r.json()["changes"]]
        assert ("order", "QD-S01-0001") in keys, (user, keys)


def test_a_quiet_wait_ends_empty_at_the_same_cursor(live: LiveServer) -> None:
    live.login("unit2", "S02")
    head = _head(live, "unit2")
    r = _pull(live, "unit2", head, 1)
    assert r.status_code == 200 and r.headers["Pull-Wait"] == "1"
    assert r.json() == {"changes": [], "cursor": head, "has_more": False}


def test_another_units_change_does_not_answer_a_held_pull(live: LiveServer) -> None:
    live.login("agent1", "S01")
    live.login("unit2", "S02")
    head = _head(live, "unit2")
    answer: list[httpx.Response] = []
    t = threading.Thread(target=lambda: answer.append(_pull(live, "unit2", head, 2)))
    t.start()
    _dispatch(live, "QD-S01-0001", "U001")
    t.join(30)
    assert answer[0].status_code == 200
    assert answer[0].json()["changes"] == []


def test_wait_is_bounded_and_a_plain_pull_is_unchanged(live: LiveServer) -> None:
    live.login("unit1", "S02")
    too_long = _pull(live, "unit1", 0, 31)
    assert too_long.status_code == 422 and too_long.json()["error"] == "invalid"
    plain = _pull(live, "unit1", 0, 0)
    assert plain.status_code == 200 and "Pull-Wait" not in plain.headers


def test_a_commit_through_another_database_object_wakes_a_pg_waiter(pg_url: str) -> None:
    """Two ``Database`` objects stand for two server processes: only LISTEN/NOTIFY links
    their notifiers, so the waiter can wake only through PostgreSQL."""
    from central.changes import Change, Reader, transaction
    from central.db import Database
    from central.notify import notifier_for

    listening_db, writing_db = Database(pg_url), Database(pg_url)
    notifier = notifier_for(listening_db)
    woke: dict[str, Any] = {}

    async def hold() -> None:
        async with notifier.waiter(Reader.unit("U007").keys) as waiter:
            await asyncio.to_thread(notifier.listening.wait, 30)
            waiter.event.clear()  # the wake-all the listener sends on connecting
            ready.set()
            woke["U007"] = await waiter.wait(30)

    ready = threading.Event()
    runner = threading.Thread(target=lambda: asyncio.run(hold()))
    runner.start()
    assert ready.wait(30)
    with transaction(writing_db, datetime.now(UTC)) as tx:
        tx.emit(Change("notice", "N-1", {"n": 1}, units=("U007",)))
    runner.join(30)
    assert woke == {"U007": True}
    assert notifier.head >= 1
    notifier.close()
    listening_db.dispose()
    writing_db.dispose()
