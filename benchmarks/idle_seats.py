"""What idle seats cost the server: N long-polling pulls held against a real server on
PostgreSQL (issue 15), and how fast a commit wakes the ones it concerns.

1. Starts ``workstation serve`` (``--workers``, default 1) on a fresh PostgreSQL database
   and measures its memory (RSS of the process tree), TCP connections and the database
   connections it holds.
2. Opens ``--seats`` connections (half unit U001's seats, half agent seats of another
   agent), each sending ``GET /api/v1/sync/pull?wait=30`` at the head of the feed, and
   measures the same again once they are held: the RSS delta per idle seat, the server's
   CPU use while they wait, and that no database connection is held per waiter.
3. Dispatches one order to U001 (through the push, as agent1): the unit's seats must
   answer and the other agent's must not; then changes a unit in the routing directory
   (``*``): every remaining seat answers. Wake latencies (commit to answer) printed.

Needs PostgreSQL: ``--pg URL`` or ``WORKSTATION_TEST_PG_URL``; creates and drops its own
database. Example: ``.venv/bin/python -m benchmarks.idle_seats --seats 1000``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

WAIT_S = 30


def _tree(pid: int) -> list[Any]:
    import psutil

    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _rss(pid: int) -> int:
    return sum(p.memory_info().rss for p in _tree(pid))


def _cpu(pid: int) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in _tree(pid))


def _tcp(pid: int, port: int) -> int:
    return sum(
        1
        for p in _tree(pid)
        for c in p.net_connections("tcp")
        if c.status == "ESTABLISHED" and c.laddr and c.laddr.port == port
    )


def _db_connections(url: str, name: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return int(row[0]) if row else 0


class Seat:
    """One idle seat: a raw keep-alive socket with a held pull (cheap for the load side)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.answered_at: float | None = None
        self.changes = 0
        self.task: asyncio.Task[None] | None = None

    async def hold(self, port: int, token: str, cursor: int) -> None:
        import json

        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            (
                f"GET /api/v1/sync/pull?cursor={cursor}&limit=100&wait={WAIT_S} HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        self.answered_at = time.monotonic()
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await reader.readexactly(length)
        self.changes = len(json.loads(body).get("changes", []))
        writer.close()


def _dispatch(live: Any, order_id: str) -> None:

    command = {
        "op_id": str(uuid.uuid4()),
        "client_id": "client-bench-S01",
        "mutation_id": 1,
        "order_id": order_id,
        "command": "dispatch",
        "args": {
            "type": "complaint",
            "content": "小区门口路灯坏了一个月",
            "unit": "U001",
            "contact_id": f"C-{order_id}",
            "caller_name": "张三",
            "caller_phone": "13912346025",
        },
        "base_version": None,
        "user": "agent1",
        "seat": "S01",
        "client_time": datetime.now(UTC).isoformat(),
    }
    live.push("agent1", [command]).raise_for_status()


def _touch_directory(db_url: str) -> None:
    """A ``*`` change: unit U002's record edited (every seat must hear of it)."""
    from central.accounts import get_unit, upsert_units
    from central.db import Database
    from central.store import Store
    from workstation.config import load_settings

    store = Store(Database(db_url), load_settings())
    with store.transaction() as tx:
        unit = get_unit(tx.conn, "U002")
        assert unit is not None
        data = {**unit.to_dict(), "name": unit.name + "（测试）"}
        upsert_units(tx, [type(unit).from_dict(data)])
    store.db.dispose()


def _latencies(seats: list[Seat], since: float) -> str:
    times = sorted((s.answered_at - since) * 1000 for s in seats if s.answered_at is not None)
    if not times:
        return "none answered"
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"p50 {statistics.median(times):.0f} ms, p99 {p99:.0f} ms, max {times[-1]:.0f} ms"


async def _run(live: Any, db_url: str, name: str, admin: str, seats_n: int) -> None:
    import httpx

    from central.accounts import add_user
    from central.db import Database
    from central.store import Store
    from central.testing import SeedUser, cheap_hash
    from workstation.config import load_settings

    store = Store(Database(db_url), load_settings())
    with store.transaction() as tx:
        add_user(tx, "agent2", "agent", "pw-agent2", None, "Agent2", cheap_hash("pw-agent2"))
    store.db.dispose()
    live.seeded.users["agent2"] = SeedUser("agent2", "pw-agent2", "agent")
    tokens = {"unit": live.login("unit1", "S02"), "agent": live.login("agent2", "S03")}
    live.login("agent1", "S01")
    port = int(live.base_url.rsplit(":", 1)[1])
    pid = live.process.pid
    heads = {}
    for kind, token in tokens.items():
        for _ in range(20):  # warm the server up: imports, pools, compiled statements
            r = httpx.get(
                f"{live.base_url}/api/v1/sync/pull",
                params={"cursor": 0, "limit": 1000},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
        heads[kind] = int(r.json()["cursor"])
    await asyncio.sleep(1.0)
    rss0, tcp0, db0 = _rss(pid), _tcp(pid, port), _db_connections(admin, name)

    seats = [Seat("unit" if i % 2 == 0 else "agent") for i in range(seats_n)]
    for start in range(0, seats_n, 100):
        for seat in seats[start : start + 100]:
            seat.task = asyncio.ensure_future(seat.hold(port, tokens[seat.kind], heads[seat.kind]))
        await asyncio.sleep(0.05)
    settle = time.monotonic()
    await asyncio.sleep(2.0)
    while time.monotonic() - settle < 20:  # until the opening queries are all answered
        cpu, t = _cpu(pid), time.monotonic()
        await asyncio.sleep(1.0)
        if (_cpu(pid) - cpu) / (time.monotonic() - t) < 0.05:
            break
    settled_s = time.monotonic() - settle
    early = sum(1 for s in seats if s.answered_at is not None)
    cpu0, t0 = _cpu(pid), time.monotonic()
    await asyncio.sleep(5.0)
    idle_cpu = (_cpu(pid) - cpu0) / (time.monotonic() - t0) * 100
    rss1, tcp1, db1 = _rss(pid), _tcp(pid, port), _db_connections(admin, name)

    units = [s for s in seats if s.kind == "unit"]
    agents = [s for s in seats if s.kind == "agent"]
    committed = time.monotonic()
    await asyncio.to_thread(_dispatch, live, "QD-S01-0001")
    push_ms = (time.monotonic() - committed) * 1000
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(s.answered_at is None for s in units):
        await asyncio.sleep(0.01)
    await asyncio.sleep(1.0)
    unit_woken = sum(1 for s in units if s.answered_at is not None and s.changes)
    agent_woken = sum(1 for s in agents if s.answered_at is not None)
    scoped = _latencies(units, committed)

    broadcast = time.monotonic()
    await asyncio.to_thread(_touch_directory, db_url)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(s.answered_at is None for s in agents):
        await asyncio.sleep(0.01)
    agents_after = sum(1 for s in agents if s.answered_at is not None and s.changes)
    wide = _latencies(agents, broadcast)
    for s in seats:
        if s.task is not None:
            s.task.cancel()
    await asyncio.gather(*(s.task for s in seats if s.task is not None), return_exceptions=True)

    per_seat_kib = (rss1 - rss0) / seats_n / 1024
    print(f"idle seats held (wait={WAIT_S}s): {seats_n} ({len(units)} unit, {len(agents)} agent)")
    print(f"  answered before any commit (should be 0): {early}; all held after {settled_s:.1f} s")
    print(f"  server RSS: {rss0 / 2**20:.1f} MiB -> {rss1 / 2**20:.1f} MiB")
    print(f"  RSS per idle seat: {per_seat_kib:.1f} KiB")
    print(f"  server TCP connections: {tcp0} -> {tcp1}")
    print(f"  database connections held by the server: {db0} -> {db1}")
    print(f"  server CPU while they wait: {idle_cpu:.1f} % of one core")
    print(f"dispatch to U001 (push answered in {push_ms:.0f} ms; wake times from sending it):")
    print(f"  {unit_woken}/{len(units)} unit seats answered ({scoped})")
    print(f"  other agent seats answered (should be 0): {agent_woken}/{len(agents)}")
    print(f"routing directory change (*): {agents_after}/{len(agents)} agent seats ({wide})")
    print(
        f"idle seats {seats_n}: {per_seat_kib:.1f} KiB per seat, db connections {db1},"
        f" scoped wake p99 {scoped.split('p99 ')[1].split(',')[0] if 'p99' in scoped else '-'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("WORKSTATION_TEST_PG_URL"))
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if not args.pg:
        print("needs PostgreSQL: --pg URL or WORKSTATION_TEST_PG_URL", file=sys.stderr)
        return 2
    if not 1 <= args.seats <= 10_000:
        print("--seats: 1 to 10000", file=sys.stderr)
        return 2
    import resource

    from central.testing import start_live_server

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.seats * 2 + 200  # both ends of every connection live on this machine
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    from central.testing import scratch_pg_database

    with scratch_pg_database(args.pg, "hl_idle") as scratch:
        db_url, admin, name = scratch.url, scratch.admin_url, scratch.name
        with (
            tempfile.TemporaryDirectory() as tmp,
            start_live_server(
                Path(tmp), db_url=db_url, workers=args.workers, seats=("S01", "S02", "S03")
            ) as live,
        ):
            asyncio.run(_run(live, db_url, name, admin, args.seats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
