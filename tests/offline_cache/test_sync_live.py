"""Sync against a real uvicorn server on localhost: round trip, races, 401, KB, status."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from central.testing import start_live_server
from offline_cache.sync_client import AuthExpired
from tests.offline_cache.conftest import FORM
from tests.offline_cache.helpers import (
    live_seat,
    local_ops,
    seat_snapshots,
    server_mutations,
    server_orders,
)
from workstation.intake_form import IntakeForm

SEATS = tuple(f"S{i:02d}" for i in range(1, 13))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with start_live_server(tmp_path_factory.mktemp("central"), seats=SEATS) as srv:
        yield srv


def test_round_trip_converges_with_server(server, tmp_path: Path):
    agent = live_seat(server, tmp_path / "a", "S01", "agent1")
    numbers = [agent.dispatch(IntakeForm.parse({**FORM, "content": f"往返 {i}"})) for i in range(3)]
    status = asyncio.run(agent.sync_once())
    assert status.online and status.pending == 0 and status.problems == 0
    assert status.last_success is not None
    on_server = server_orders(server)
    for n in numbers:
        assert on_server[n] == seat_snapshots(agent)[n]
        order = agent.order(n)
        assert order is not None
        assert order.version == on_server[n]["version"]
    info = agent.seat()
    assert info is not None
    assert [(m, o) for m, o, _ in server_mutations(server, info.client_id)] == local_ops(agent)
    assert agent.units()  # the routing directory arrived by pull
    agent.close()


def test_race_two_unit_seats_sign_offline_exactly_one_wins(server, tmp_path: Path):
    agent = live_seat(server, tmp_path / "a", "S06", "agent1")
    number = agent.dispatch(IntakeForm.parse(FORM))
    asyncio.run(agent.sync_once())
    first = live_seat(server, tmp_path / "u1", "S02", "unit1")
    second = live_seat(server, tmp_path / "u2", "S03", "unit1")
    for s in (first, second):
        asyncio.run(s.sync_once())
    # both go offline, both sign: each sees its own optimistic "signed"
    first.order_command(number, "sign", {})
    second.order_command(number, "sign", {})
    mine, theirs = first.order(number), second.order(number)
    assert mine is not None and theirs is not None
    assert mine.state.value == theirs.state.value == "signed"
    asyncio.run(first.sync_once())
    asyncio.run(second.sync_once())
    won = first.order(number)
    assert first.problems() == [] and won is not None and won.state.value == "signed"
    problems = second.problems()
    assert len(problems) == 1 and problems[0].command == "sign"
    assert problems[0].reason["code"] == "already_signed"
    # the loser's view shows the server's order, signed once, by the winner's event
    lost = second.order(number)
    assert lost is not None
    assert lost.version == server_orders(server)[number]["version"] == 2
    signed = [e for e in server_orders(server)[number]["events"] if e["kind"] == "signed"]
    assert len(signed) == 1 and signed[0]["seat"] == "S02"
    assert second.status().pending == 0
    for s in (agent, first, second):
        s.close()


def test_401_keeps_outbox_and_asks_for_login(server, tmp_path: Path):
    agent = live_seat(server, tmp_path / "a", "S04", "agent1")
    agent.dispatch(IntakeForm.parse(FORM))
    agent.db.conn.execute("UPDATE users SET token='revoked-or-expired'")
    with pytest.raises(AuthExpired):
        asyncio.run(agent.sync_once())
    status = agent.status()
    assert status.needs_login and status.pending == 1
    agent.login("agent1", server.seeded.password("agent1"))
    status = asyncio.run(agent.sync_once())
    assert not status.needs_login and status.pending == 0
    agent.close()


def test_rejected_dispatch_lands_in_problems_and_view_is_corrected(server, tmp_path: Path):
    agent = live_seat(server, tmp_path / "a", "S05", "agent1")
    asyncio.run(agent.sync_once())  # units known locally
    agent.db.conn.execute("DELETE FROM units")  # stale directory: local check cannot see it
    number = agent.dispatch(IntakeForm.parse({**FORM, "unit": "NO-SUCH-UNIT"}))
    assert agent.order(number) is not None
    status = asyncio.run(agent.sync_once())
    assert status.problems == 1 and status.pending == 0
    assert agent.order(number) is None
    [problem] = agent.problems()
    assert problem.args["unit"] == "NO-SUCH-UNIT"  # what was typed is kept
    assert number not in server_orders(server)
    agent.close()


def test_reinstalled_seat_never_reuses_an_order_number(server, tmp_path: Path):
    old = live_seat(server, tmp_path / "old", "S07", "agent1")
    used = old.dispatch(IntakeForm.parse(FORM))
    asyncio.run(old.sync_once())
    new = live_seat(server, tmp_path / "new", "S07", "agent1")  # same seat, fresh database
    asyncio.run(new.sync_once())  # agents pull every order, ours included
    assert new.dispatch(IntakeForm.parse(FORM)) != used
    old.close()
    new.close()


def test_reinstalled_seat_gets_its_next_counter_at_enrolment(server, tmp_path: Path):
    old = live_seat(server, tmp_path / "old", "S08", "agent1")
    numbers = [old.dispatch(IntakeForm.parse(FORM)) for _ in range(3)]
    asyncio.run(old.sync_once())
    new = live_seat(server, tmp_path / "new", "S08", "agent1")  # no pull yet
    assert int(new.db.get_meta("order_counter") or 0) == 3
    fresh = new.dispatch(IntakeForm.parse(FORM))
    assert fresh not in numbers and fresh.endswith("-0004")
    old.close()
    new.close()


def _put_article(server, token: str, article_id: str, title: str, body: str) -> None:
    import httpx

    r = httpx.put(
        f"{server.base_url}/api/v1/kb/articles/{article_id}",
        json={"title": title, "body": body, "category": "住房", "tags": ["物业"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text


def test_published_article_becomes_searchable_and_delete_removes_it(server, tmp_path: Path):
    import httpx

    agent = live_seat(server, tmp_path / "a", "S09", "agent1")
    asyncio.run(agent.sync_once())
    assert agent.kb.search("电梯维修基金") == []
    assert agent.kb.search("unrelated") == []  # loads the in-memory index before the delta
    r = httpx.post(
        f"{server.base_url}/api/v1/auth/login",
        headers={"X-Seat-Token": server.seat_tokens["S10"]},
        json={"user": "super1", "password": server.seeded.password("super1")},
        timeout=30,
    )
    token = r.json()["token"]
    _put_article(
        server, token, "KB-LIFT-1", "电梯维修基金怎么申请", "业主申请使用电梯维修基金的流程。"
    )
    _put_article(server, token, "KB-LIFT-2", "小区停车收费标准", "停车收费由物业公示。")
    asyncio.run(agent.sync_once())  # one sync
    hits = agent.kb.search("电梯维修基金")
    assert hits and hits[0].id == "KB-LIFT-1"
    assert agent.kb.get("KB-LIFT-2") is not None
    _put_article(server, token, "KB-LIFT-1", "电梯维修基金申请办法（修订）", "新的申请流程。")
    r = httpx.delete(
        f"{server.base_url}/api/v1/kb/articles/KB-LIFT-2",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    asyncio.run(agent.sync_once())
    assert agent.kb.get("KB-LIFT-2") is None
    assert all(h.id != "KB-LIFT-2" for h in agent.kb.search("停车收费"))
    assert agent.kb.get("KB-LIFT-1").title == "电梯维修基金申请办法（修订）"
    # the delta committed with the cursor: a re-sync changes nothing
    cursor = agent.db.get_meta("cursor")
    asyncio.run(agent.sync_once())
    assert agent.db.get_meta("cursor") == cursor and agent.kb.count() == 1
    agent.close()


def test_slim_ack_keeps_the_optimistic_view_until_the_pull(server, tmp_path: Path):
    import httpx

    from offline_cache.session import API, session_token

    agent = live_seat(server, tmp_path / "a", "S11", "agent1")
    asyncio.run(agent.sync_once())
    numbers = [agent.dispatch(IntakeForm.parse({**FORM, "content": f"精简 {i}"})) for i in range(3)]
    dispatched = {n: agent.order(n) for n in numbers}
    optimistic = {n: o.state for n, o in dispatched.items() if o is not None}
    assert optimistic.keys() == set(numbers)
    client = agent.sync_client()

    async def push_only() -> None:
        headers = {"Authorization": f"Bearer {session_token(agent.db)}"}
        async with httpx.AsyncClient(base_url=client.server_url + API, headers=headers) as c:
            await client.push_all(c)

    asyncio.run(push_only())  # acknowledged (slim: no orders came back), not pulled yet
    assert agent.status().pending == 0
    assert all(n not in seat_snapshots(agent) for n in numbers)
    for n in numbers:
        kept = agent.order(n)
        assert kept is not None and kept.state == optimistic[n]  # the view did not step back
        row = agent.db.query("SELECT pending FROM orders WHERE order_id=?", (n,))[0]
        assert row["pending"] == 0
    # a new local command on an acknowledged, not yet pulled order still sees the order
    agent.link(IntakeForm.parse({**FORM, "content": "再次来电"}), numbers[0])
    assert agent.order(numbers[0]) is not None
    asyncio.run(agent.sync_once())
    on_server = server_orders(server)
    for n in numbers:
        assert seat_snapshots(agent)[n] == on_server[n]
        pulled = agent.order(n)
        assert pulled is not None and pulled.version == on_server[n]["version"]
        view = agent.db.query("SELECT snapshot FROM orders WHERE order_id=?", (n,))[0]
        assert json.loads(view["snapshot"]) == on_server[n]  # nothing replayed on top
    linked = agent.order(numbers[0])
    assert linked is not None and len(linked.contact_ids) == 2
    agent.close()


def test_pipelined_batches_that_overtake_each_other_keep_mutation_order(server, tmp_path: Path):
    """Batch 2 reaches the server before batch 1: 409, sent again, all applied in order."""
    import httpx

    from offline_cache.session import API, session_token

    agent = live_seat(server, tmp_path / "a", "S12", "agent1")
    numbers = [agent.dispatch(IntakeForm.parse({**FORM, "content": f"流水 {i}"})) for i in range(7)]
    seen: list[int] = []

    class SlowFirst(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/sync/push"):
                seen.append(len(seen))
                if seen[-1] == 0:
                    await asyncio.sleep(0.5)  # fault injection: the first batch is late
            return await super().handle_async_request(request)

    client = agent.sync_client(max_commands=3, pipeline=2)

    async def run() -> None:
        headers = {"Authorization": f"Bearer {session_token(agent.db)}"}
        async with httpx.AsyncClient(
            base_url=client.server_url + API, headers=headers, transport=SlowFirst()
        ) as c:
            await client.push_all(c)
            await client.pull_all(c)

    asyncio.run(run())
    assert len(seen) > 3  # the overtaking batch was refused and sent again
    assert agent.status().pending == 0 and agent.problems() == []
    info = agent.seat()
    assert info is not None
    mutations = server_mutations(server, info.client_id)
    assert [(m, o) for m, o, _ in mutations] == local_ops(agent)
    assert {s for _, _, s in mutations} == {"applied"}
    on_server = server_orders(server)
    assert all(seat_snapshots(agent)[n] == on_server[n] for n in numbers)
    agent.close()


def test_sync_client_reports_the_round_and_leaves_the_services_alone(server, tmp_path: Path):
    """The client works on the database and transport it is given and returns a report."""
    import httpx

    from offline_cache.sync_client import SeatIdentity, SyncClient

    agent = live_seat(server, tmp_path / "a", "S10", "agent1")
    numbers = [agent.dispatch(IntakeForm.parse({**FORM, "content": f"报告 {i}"})) for i in range(2)]
    info = agent.seat()
    assert info is not None
    heard: list[list[str]] = []
    client = SyncClient(
        agent.db,
        SeatIdentity(info.server_url, info.client_id),
        context=agent.context,
        now=agent.now,
        transport=httpx.AsyncHTTPTransport(retries=0),
        on_change=heard.append,
    )
    report = asyncio.run(client.sync_once())
    assert report.completed and report.online and report.errors == []
    assert report.pushed == report.applied == 2 and report.rejected == 0
    assert set(numbers) <= set(report.changed)
    cursor = agent.db.get_meta("cursor")
    assert report.pulled > 0 and cursor is not None and report.cursor == int(cursor)
    assert any(set(numbers) <= set(ids) for ids in heard)
    assert agent.status().pending == 0
    assert report.push_limit == 1000 and agent.push_limit is None  # the services untouched
    agent.close()
