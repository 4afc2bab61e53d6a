"""Issue 15 on real seats against a real server: an agent seat pulls its own intake only,
looks a caller up online (or in its cache, and says which), and a unit seat hears of a
dispatch through the long-poll instead of its (here: 10-minute) poll."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.testing import SeedUser, cheap_hash, free_port, start_live_server
from offline_cache.sync_client import SyncLoop, SyncReport
from tests.offline_cache.conftest import FORM
from tests.offline_cache.helpers import live_seat
from workstation.intake_form import IntakeForm

SEATS = tuple(f"S{i:02d}" for i in range(1, 9))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with start_live_server(tmp_path_factory.mktemp("central"), seats=SEATS) as srv:
        _add_agent(srv, "agent2")
        yield srv


def _add_agent(server: Any, name: str) -> None:
    from central.accounts import add_user
    from central.db import Database
    from central.store import Store
    from workstation.config import load_settings

    user = SeedUser(name, f"pw-{name}", "agent")
    store = Store(Database(server.db_url), load_settings())
    with store.transaction() as tx:
        add_user(tx, name, "agent", user.password, None, name, cheap_hash(user.password))
    store.db.dispose()
    server.seeded.users[name] = user


def _order_ids(seat: Any) -> set[str]:
    return {r["order_id"] for r in seat.db.query("SELECT order_id FROM orders")}


def _contact_ids(seat: Any) -> set[str]:
    return {r["contact_id"] for r in seat.db.query("SELECT contact_id FROM contacts")}


def test_an_agent_seat_pulls_its_own_intake_not_another_seats(server: Any, tmp_path: Path) -> None:
    mine = live_seat(server, tmp_path / "a1", "S01", "agent1")
    numbers = {mine.dispatch(IntakeForm.parse({**FORM, "content": f"范围 {i}"})) for i in range(2)}
    asyncio.run(mine.sync_once())
    other = live_seat(server, tmp_path / "a2", "S04", "agent2")
    unit = live_seat(server, tmp_path / "u1", "S02", "unit1")
    board = live_seat(server, tmp_path / "sv", "S05", "super1")
    for seat in (other, unit, board):
        asyncio.run(seat.sync_once())
    assert numbers <= _order_ids(mine) and numbers <= _order_ids(board)
    assert numbers <= _order_ids(unit)  # U001's orders reach U001's seat
    assert not numbers & _order_ids(other)
    assert not _contact_ids(mine) & _contact_ids(other)
    assert other.units() and len(other.units()) == len(mine.units())  # "*" still reaches all
    assert other.caller_history(FORM["caller_phone"]) == []
    for seat in (mine, other, unit, board):
        seat.close()


def test_caller_lookup_is_online_for_staff_and_local_when_the_server_is_gone(
    server: Any, tmp_path: Path
) -> None:
    mine = live_seat(server, tmp_path / "a1", "S01", "agent1")
    phone = "13700001111"
    number = mine.dispatch(IntakeForm.parse({**FORM, "caller_phone": phone}))
    asyncio.run(mine.sync_once())
    other = live_seat(server, tmp_path / "a2", "S03", "agent2")
    asyncio.run(other.sync_once())

    online = other.caller_lookup(phone)
    assert online.source == "online" and online.error is None
    assert [r.order_id for r in online.orders] == [number]
    assert online.orders[0].caller_phone == phone and not online.orders[0].pending

    # an unsent dispatch of this seat shows too, first
    mine_pending = mine.dispatch(IntakeForm.parse({**FORM, "caller_phone": phone}))
    seen = mine.caller_lookup(phone)
    assert seen.source == "online"
    assert [r.order_id for r in seen.orders] == [mine_pending, number]
    assert seen.orders[0].pending

    other.db.conn.execute(
        "UPDATE meta SET value=? WHERE key='server_url'", (f"http://127.0.0.1:{free_port()}",)
    )
    offline = other.caller_lookup(phone)
    assert offline.source == "local" and offline.error and offline.orders == []
    for seat in (mine, other):
        seat.close()


def test_the_caller_history_route_is_for_staff_only_and_bounded(server: Any) -> None:
    def get(user: str, **params: Any) -> httpx.Response:
        token = server.login(user, "S07")
        return httpx.get(
            f"{server.base_url}/api/v1/callers/history",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    for user in ("agent1", "callback1", "super1"):
        r = get(user, phone=FORM["caller_phone"])
        assert r.status_code == 200 and set(r.json()) == {"phone", "limit", "orders", "contacts"}
    for user in ("unit1", "admin1"):
        r = get(user, phone=FORM["caller_phone"])
        assert r.status_code == 403 and r.json()["zh"] and r.json()["en"]
    assert get("agent1", phone="1234").status_code == 422  # too short to name a caller
    assert get("agent1", phone="<b>13912346025</b>").status_code == 422
    assert get("agent1", phone=FORM["caller_phone"], limit=51).status_code == 422
    r = httpx.get(f"{server.base_url}/api/v1/callers/history", params={"phone": "13912346025"})
    assert r.status_code == 401


def test_a_unit_seat_hears_of_a_dispatch_through_the_long_poll(server: Any, tmp_path: Path) -> None:
    unit = live_seat(server, tmp_path / "u", "S06", "unit1")
    asyncio.run(unit.sync_once())
    loop = unit.sync_loop(poll=600.0)  # no plain poll in this test's lifetime
    runner = threading.Thread(target=asyncio.run, args=(loop.run(),))
    runner.start()
    try:
        agent = live_seat(server, tmp_path / "a", "S08", "agent1")
        number = agent.dispatch(IntakeForm.parse(FORM))
        asyncio.run(agent.sync_once())
        deadline = time.monotonic() + 30
        while unit.order(number) is None and time.monotonic() < deadline:
            threading.Event().wait(0.05)  # bounded by the deadline above
        assert unit.order(number) is not None
        agent.close()
    finally:
        loop.stop()
        runner.join(30)
    unit.close()


def _stub_loop(watch: Any) -> tuple[SyncLoop, list[int]]:
    rounds: list[int] = []

    async def sync_round() -> SyncReport:
        rounds.append(1)
        if len(rounds) >= 4:
            loop.stop()
        return SyncReport(online=True, completed=True)

    loop = SyncLoop(sync_round, poll=0.05, watch=watch)
    return loop, rounds


def test_without_long_polls_on_the_server_the_loop_polls_as_before() -> None:
    calls: list[float] = []

    async def old_server(wait: float) -> bool | None:
        calls.append(wait)
        return None  # no Pull-Wait header: an older server answered at once

    loop, rounds = _stub_loop(old_server)
    asyncio.run(asyncio.wait_for(loop.run(), 30))
    assert len(rounds) == 4
    assert len(calls) == 3  # one watch per pause, then the plain poll: no busy loop


def test_a_dropped_long_poll_is_watched_again() -> None:
    calls: list[float] = []

    async def flaky(wait: float) -> bool | None:
        calls.append(wait)
        if len(calls) % 2:
            raise httpx.ReadError("connection dropped by a proxy")
        return True  # the retry hears of news: a round follows

    loop, rounds = _stub_loop(flaky)
    loop.base = 0.001
    asyncio.run(asyncio.wait_for(loop.run(), 30))
    assert len(rounds) == 4 and len(calls) >= 6 and loop.watches >= 3
