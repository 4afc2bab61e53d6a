"""Benchmark the citizen pages on PostgreSQL: the follow page and the public answers list.

With ``--orders`` closed orders stored (default 100,000; each with its web request and
lookup code, a quarter explicitly published), 50 concurrent clients (httpx, async) fetch
for ``--seconds`` each:

1. ``GET /citizen/follow?number=…&code=…``: random requests with their right codes (the
   timeline of a closed order: every step);
2. ``GET /citizen/public``: random pages among the first 50, a third of them filtered by
   type, unit or month, a few searched (one order's words, or a word in every order).

Prints requests per second, p50/p99/max latency and the non-200 count; the target is p99
<= 100 ms. The orders are clones of one order made through the server's own command path
(dispatch, sign, reply, callback), bulk-inserted with multi-row INSERTs.

Needs only PostgreSQL: ``--pg URL`` or ``WORKSTATION_TEST_PG_URL``. It creates and drops
its own database. Example: ``.venv/bin/python -m benchmarks.web_pages --orders 100000``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SECRET = "bench-web-secret"
KINDS = ("consultation", "help", "complaint", "suggestion")
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
BATCH = 2000


def _template(store: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """One closed order made through the server's command path: its orders and contacts
    rows (as dicts), to clone."""
    from sqlalchemy import select

    from central import schema
    from central.commands import execute_command
    from workstation.models import Actor, Role

    agent = Actor("agent1", Role.AGENT, None, "B00")
    unit = Actor("unit1", Role.UNIT, "U001", "B00")
    operator = Actor("callback1", Role.CALLBACK, None, "B00")
    system = Actor("system", Role.SYSTEM)
    order_id = "QD-B00-2601-0000"
    steps: list[tuple[str, dict[str, Any], Actor]] = [
        ("dispatch", {"type": "complaint", "channel": "web", "unit": "U001",
                      "content": "人民中路88号路灯不亮一周了，请联系我 13912346025，我叫张三丰",
                      "caller_name": "张三丰", "caller_phone": "13912346025",
                      "address": "人民中路88号", "contact_id": "311-2026-000000"}, agent),
        ("sign", {}, unit),
        ("reply", {"result": "已更换路灯两盏，已电话告知张三丰（13912346025）。"}, unit),
        ("create_callback", {}, system),
        ("record_callback", {"reached": True, "resolved": True, "satisfaction": "satisfied",
                             "comment": "满意"}, operator),
    ]  # fmt: skip
    for i, (command, args, actor) in enumerate(steps):
        with store.transaction(T0 + timedelta(hours=i)) as tx:
            execute_command(store, tx, command, order_id, args, actor)
    with store.db.read() as conn:
        o = conn.execute(select(schema.orders).where(schema.orders.c.order_id == order_id))
        c = conn.execute(select(schema.contacts).where(schema.contacts.c.order_id == order_id))
        return dict(o.one()._mapping), dict(c.one()._mapping)


def _seed_orders(store: Any, n: int, units: list[str]) -> list[tuple[str, str]]:
    """``n`` closed orders cloned from the template; returns (request number, code) pairs."""
    from sqlalchemy import delete

    from central import schema
    from central.web.lookup import digest

    order, contact = _template(store)
    snap, cdata = json.loads(order["snapshot"]), json.loads(contact["data"])
    with store.db.write() as conn:  # the template itself is replaced by its clones
        conn.execute(delete(schema.contacts).where(schema.contacts.c.order_id == order["order_id"]))
        conn.execute(delete(schema.orders).where(schema.orders.c.order_id == order["order_id"]))
        search = schema.public_search
        conn.execute(delete(search).where(search.c.order_id == order["order_id"]))
    rng = random.Random(17)
    pairs: list[tuple[str, str]] = []
    for start in range(0, n, BATCH):
        orders, contacts, lookups, published, searches = [], [], [], [], []
        for i in range(start, min(n, start + BATCH)):
            order_id, number, code = f"QD-B01-2601-{i:06d}", f"311-2026-{i + 1:06d}", f"C{i:09d}"
            kind, unit = KINDS[i % 4], units[rng.randrange(len(units))]
            closed = T0 + timedelta(minutes=7 * i)
            s = {**snap, "order_id": order_id, "type": kind, "unit": unit,
                 "contact_ids": [number], "closed_at": closed.isoformat(),
                 "content": f"{snap['content']}（第{i}件）"}  # fmt: skip
            orders.append({**order, "order_id": order_id, "type": kind, "unit": unit,
                           "closed_at": closed, "updated_at": closed,
                           "snapshot": json.dumps(s, ensure_ascii=False)})  # fmt: skip
            searches.append({"order_id": order_id, "text": f"{s['content']}\n{s['reply']}"})
            d = {**cdata, "contact_id": number, "order_id": order_id}
            contacts.append({**contact, "contact_id": number, "order_id": order_id,
                             "data": json.dumps(d, ensure_ascii=False)})  # fmt: skip
            lookups.append({"contact_id": number, "code_hash": digest(SECRET.encode(), number, code),
                            "channel": "web", "created_at": closed})  # fmt: skip
            if kind in ("help", "complaint") and i % 2:
                published.append({"order_id": order_id, "published": True,
                                  "decided_by": "super1", "decided_at": closed})  # fmt: skip
            pairs.append((number, code))
        with store.db.write() as conn:  # multi-row INSERTs (insertmanyvalues)
            conn.execute(schema.orders.insert(), orders)
            conn.execute(schema.contacts.insert(), contacts)
            conn.execute(schema.web_lookups.insert(), lookups)
            conn.execute(schema.public_search.insert(), searches)
            if published:
                conn.execute(schema.order_publication.insert(), published)
    with store.db.write() as conn:
        from sqlalchemy import text

        conn.execute(text("ANALYZE"))
    return pairs


async def _load(
    base: str, urls: list[str], clients: int, seconds: float
) -> tuple[list[float], int, float]:
    """``clients`` loops fetching random ``urls`` for ``seconds``: latencies, errors, wall."""
    import httpx

    times: list[float] = []
    errors = 0
    rng = random.Random(5)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        for url in urls[:20]:  # warm-up: templates, connection pools
            await http.get(url)
        started = time.monotonic()
        stop = started + seconds

        async def client() -> None:
            nonlocal errors
            while time.monotonic() < stop:
                t = time.monotonic()
                r = await http.get(rng.choice(urls))
                times.append(time.monotonic() - t)
                if r.status_code != 200:
                    errors += 1

        await asyncio.gather(*(client() for _ in range(clients)))
        return times, errors, time.monotonic() - started


def _report(name: str, times: list[float], errors: int, wall: float, clients: int) -> None:
    q = statistics.quantiles(times, n=100)
    print(
        f"{name}: {len(times) / wall:.0f} requests/s, p50 {q[49] * 1000:.1f} ms, "
        f"p99 {q[98] * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
        f"({len(times)} requests, {clients} clients, {wall:.1f}s, {errors} non-200)"
        f"{'' if q[98] <= 0.1 else '  [above the 100 ms target]'}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", default=os.environ.get("WORKSTATION_TEST_PG_URL"))
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15)
    args = ap.parse_args()
    if not args.pg:
        raise SystemExit("needs --pg URL or WORKSTATION_TEST_PG_URL")

    from central.db import Database
    from central.store import Store
    from central.testing import running_server, seed
    from workstation.config import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="web-bench-"))
    env = {"WORKSTATION_DATA_DIR": str(tmp / "data"), "WORKSTATION_WEB__SECRET": SECRET}
    from central.testing import scratch_pg_database

    with scratch_pg_database(args.pg, "hl_bench") as scratch:
        url = scratch.url
        store = Store(Database(url), load_settings(env=env))
        seeded = seed(store, ("B00",))
        t = time.monotonic()
        pairs = _seed_orders(store, args.orders, seeded.unit_codes[:20])
        store.db.dispose()
        print(f"seeded {args.orders} closed orders in {time.monotonic() - t:.1f}s")
        with running_server(url, tmp / "data", workers=args.workers, jobs_interval=0,
                            env={"WORKSTATION_WEB__SECRET": SECRET},
                            log_path=tmp / "server.log", limit_s=60) as server:  # fmt: skip
            rng = random.Random(3)
            follow = [f"/citizen/follow?number={n}&code={c}" for n, c in rng.sample(pairs, 2000)]
            months = [f"2026-{m:02d}" for m in range(1, 13)]
            public = [f"/citizen/public?page={p}" for p in range(1, 51)] * 2
            public += [f"/citizen/public?kind={k}&page={p}" for k in KINDS for p in (1, 2, 5)]
            public += [f"/citizen/public?unit={u}" for u in seeded.unit_codes[:20]]
            public += [f"/citizen/public?month={m}" for m in months]
            public += [f"/citizen/public?q=第{rng.randrange(args.orders)}件" for _ in range(10)]
            public += ["/citizen/public?q=路灯", "/citizen/public?q=路灯&page=3"]
            for page_name, urls in (("follow page", follow), ("public list", public)):
                times, errors, wall = asyncio.run(
                    _load(server.base_url, urls, args.clients, args.seconds)
                )
                _report(page_name, times, errors, wall, args.clients)
            print(f"server: {args.workers} worker processes on {os.cpu_count()} CPU cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
