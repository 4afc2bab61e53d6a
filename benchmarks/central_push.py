"""Benchmark the central server on PostgreSQL: push throughput and pull latency.

1. Commands accepted per second with 50 concurrent clients on loopback against
   ``workstation serve --workers 2`` (each push: a batch of ``dispatch`` commands, each
   applied in its own transaction with its order, contact and changes).
2. Plain single-row INSERTs per second into the same PostgreSQL from psycopg with the same
   number of connections, in the same run, and the ratio of the two.
3. p99 latency of ``GET /api/v1/sync/pull`` (500 changes a page, random cursors) with
   1,000,000 changes stored (bulk-loaded with COPY; ``--changes N`` for a quick run).

Needs only PostgreSQL: ``--pg URL`` or ``WORKSTATION_TEST_PG_URL``. It creates and drops
its own database. Example: ``.venv/bin/python -m benchmarks.central_push --changes 200000``
(from the repository root; or ``make bench NAME=central_push ARGS="--changes 200000"``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path


async def _push_load(
    base: str,
    tokens: list[tuple[str, str, str, str]],
    clients: int,
    seconds: float,
    batch: int,
) -> tuple[int, int]:
    from itertools import count

    import httpx

    from workstation.wire.commands import command_proof

    stop = time.monotonic() + seconds
    accepted = 0
    refused = 0
    errors = 0
    numbers = {seat: count(1) for seat, *_ in tokens}  # order counters, one per seat

    async def client(i: int) -> None:
        nonlocal accepted, refused, errors
        seat, token, session_id, key = tokens[i % len(tokens)]
        client_id = f"bench-{i}-{uuid.uuid4().hex[:6]}"
        mutation = 0
        async with httpx.AsyncClient(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            while time.monotonic() < stop:
                cmds = []
                for _ in range(batch):
                    mutation += 1
                    cmd = {
                        "op_id": uuid.uuid4().hex,
                        "client_id": client_id,
                        "mutation_id": mutation,
                        "order_id": f"QD-{seat}-2603-{next(numbers[seat]):06d}",
                        "command": "dispatch",
                        "args": {
                            "type": "complaint",
                            "content": "噪音扰民，夜间施工",
                            "unit": "U001",
                            "contact_id": f"C-{client_id}-{mutation}",
                            "caller_phone": "13912346025",
                        },
                        "user": "agent1",
                        "seat": seat,
                        "session_id": session_id,
                    }
                    cmd["proof"] = command_proof(key, cmd)
                    cmds.append(cmd)
                r = await http.post(
                    "/api/v1/sync/push", json={"client_id": client_id, "commands": cmds}
                )
                if r.status_code == 200:
                    results = r.json()["results"]
                    accepted += sum(x["status"] == "applied" for x in results)
                    refused += sum(x["status"] != "applied" for x in results)
                else:
                    errors += 1
                    mutation -= batch

    await asyncio.gather(*(client(i) for i in range(clients)))
    if refused:  # a benchmark of refusals measures nothing: say so loudly
        print(f"WARNING: {refused} commands were refused", file=sys.stderr)
    return accepted, errors


def _plain_inserts(url: str, connections: int, seconds: float) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_plain (id bigserial PRIMARY KEY, k text, data text, at timestamptz)"
        )
    count = [0] * connections
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while time.monotonic() < stop:
                conn.execute(
                    "INSERT INTO bench_plain (k, data, at) VALUES (%s, %s, now())",
                    (f"k{i}", '{"x": 1}'),
                )
                count[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(count)


def _bulk_changes(url: str, n: int) -> None:
    import psycopg

    data = (
        '{"order_id":"QD-X","version":1,"state":"dispatched","unit":"U001","content":"'
        + "诉求内容" * 20
        + '"}'
    )
    with psycopg.connect(url) as conn:
        start = conn.execute("SELECT value FROM change_counter WHERE id = 1").fetchone()[0]  # type: ignore[index]
        with conn.cursor().copy(
            "COPY changes (seq, entity, key, op, data, everyone, created_at) FROM STDIN"
        ) as copy:
            for i in range(start + 1, start + n + 1):
                copy.write_row(
                    (i, "order", f"QD-BULK-{i}", "upsert", data, False, "2026-03-02T00:00:00Z")
                )
        with conn.cursor().copy("COPY change_units (unit, seq) FROM STDIN") as copy:
            for i in range(start + 1, start + n + 1):
                copy.write_row(("*", i))  # seen by everyone (scoped pulls read these)
        conn.execute("UPDATE change_counter SET value = %s WHERE id = 1", (start + n,))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE changes")


def _pull_latency(base: str, token: str, top: int, samples: int) -> list[float]:
    import httpx

    rng = random.Random(1)
    times = []
    with httpx.Client(
        base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        for _ in range(samples):
            cursor = rng.randrange(0, max(1, top - 500))
            t = time.perf_counter()
            r = http.get("/api/v1/sync/pull", params={"cursor": cursor, "limit": 500})
            times.append(time.perf_counter() - t)
            assert r.status_code == 200 and len(r.json()["changes"]) == 500, r.text[:200]
    return times


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", default=os.environ.get("WORKSTATION_TEST_PG_URL"))
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--changes", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=300)
    args = ap.parse_args()
    if not args.pg:
        raise SystemExit("needs --pg URL or WORKSTATION_TEST_PG_URL")
    import httpx
    import psycopg

    from central.db import Database
    from central.store import Store
    from central.testing import running_server, scratch_pg_database, seed
    from workstation.config import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="central-bench-"))
    with scratch_pg_database(args.pg, "hl_bench") as scratch:
        url = scratch.url
        store = Store(Database(url), load_settings(env={"WORKSTATION_DATA_DIR": str(tmp / "data")}))
        seats = tuple(f"B{i:02d}" for i in range(5))
        seeded = seed(store, seats)
        store.db.dispose()
        with running_server(
            url,
            tmp / "data",
            workers=args.workers,
            jobs_interval=0,
            log_path=tmp / "server.log",
            limit_s=60,
        ) as server:
            base = server.base_url
            tokens = []
            for seat in seats:
                r = httpx.post(
                    f"{base}/api/v1/auth/login",
                    headers={"X-Seat-Token": seeded.seat_tokens[seat]},
                    json={"user": "agent1", "password": seeded.password("agent1")},
                    timeout=30,
                )
                body = r.json()
                tokens.append((seat, body["token"], body["session_id"], body["command_key"]))
            accepted, errors = asyncio.run(
                _push_load(base, tokens, args.clients, args.seconds, args.batch)
            )
            push_rate = accepted / args.seconds
            plain = _plain_inserts(url, args.clients, args.seconds) / args.seconds
            print(
                f"push: {accepted} commands applied in {args.seconds:.0f}s = {push_rate:.0f} commands/s "
                f"({args.clients} clients, batches of {args.batch}, {args.workers} server processes, {errors} non-200)"
            )
            print(
                f"plain INSERTs (psycopg, {args.clients} connections, autocommit): {plain:.0f} rows/s"
            )
            print(f"ratio push/plain: {push_rate / plain:.3f}")
            t = time.monotonic()
            _bulk_changes(url, args.changes)
            with psycopg.connect(url) as conn:
                top = conn.execute("SELECT value FROM change_counter").fetchone()[0]  # type: ignore[index]
            print(
                f"bulk-loaded {args.changes} changes in {time.monotonic() - t:.1f}s (total {top})"
            )
            times = _pull_latency(base, tokens[0][1], top, args.samples)
            q = statistics.quantiles(times, n=100)
            print(
                f"pull (limit 500, {args.samples} random cursors): p50 {q[49] * 1000:.1f} ms, "
                f"p99 {q[98] * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
