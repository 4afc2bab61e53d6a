"""Sync N queued commands through the fault proxy on a weak link (256 kbit/s, +300 ms).

Prints total time, bytes on the wire per command and the ratio to the floor:
floor = (gzip(push bodies) + gzip(pull bodies)) / bandwidth + round trips × 2 × latency,
with the protocol's largest batches (1,000 commands, 1,000 changes per page). The server
gzips its responses itself (``central.app``: GZipMiddleware), as shipped.

The second run cuts 10% of the connections mid-response. With 1,000-command batches a
sync needs only a few dozen HTTP responses (each round is one keep-alive connection, and
a cut ends it), so a random 10% would often cut none or one: the proxy cuts exactly every
10th HTTP response (``Faults.cut_response_every``), at a random byte of that response, so
its connection dies mid-response (a push already committed on the server, or a pull page
half read); the client starts a new round on a new connection at once. The line reports
responses and cuts. Run from the repository root:

    PYTHONPATH=. .venv/bin/python benchmarks/sync_weak_link.py --commands 10000
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workstation.intake_form import IntakeForm

REPO = Path(__file__).resolve().parents[1]


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str, object]:
    """A seeded central server (uvicorn subprocess, the app as shipped)."""
    from central.db import Database
    from central.store import Store
    from tests.support.live_server import _wait_healthy, free_port
    from tests.support.seed import seed
    from workstation.config import load_settings

    db_url = f"sqlite:///{tmp / 'central.db'}"
    env = {"WORKSTATION_DATA_DIR": str(tmp / "data")}
    seeded = seed(Store(Database(db_url), load_settings(env=env)), ("S01",))
    port = free_port()
    code = (
        "import uvicorn; from central.app import create_app\n"
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning')"
    )
    log = tmp / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={
            **os.environ,
            **env,
            "WORKSTATION_DB_URL": db_url,
            "PYTHONPATH": str(REPO),
            "WORKSTATION_JOBS_INTERVAL": "0",
        },
    )
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc, log, 60)
    return proc, url, seeded


def floor_bytes(seat: object, url: str) -> tuple[int, int, int]:
    """(gzip push bytes, gzip pull bytes, round trips) at the protocol's largest batches."""
    import httpx

    from offline_cache.order_view import wire_command
    from offline_cache.session import session_token

    rows = seat.db.query("SELECT * FROM outbox ORDER BY mutation_id")  # type: ignore[attr-defined]
    cid = seat.seat().client_id  # type: ignore[attr-defined]
    push = 0
    for i in range(0, len(rows), 1000):
        body = {"client_id": cid, "commands": [wire_command(r, cid) for r in rows[i : i + 1000]]}
        push += len(gzip.compress(json.dumps(body, ensure_ascii=False).encode()))
    pull, pages, cursor = 0, 0, 0
    headers = {"Authorization": f"Bearer {session_token(seat.db)}"}  # type: ignore[attr-defined]
    while True:
        r = httpx.get(
            f"{url}/api/v1/sync/pull",
            params={"cursor": cursor, "limit": 1000},
            headers=headers,
            timeout=60,
        )
        pull += len(gzip.compress(r.content))
        pages += 1
        page = r.json()
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    return push, pull, math.ceil(len(rows) / 1000) + pages


def run(commands: int, cut_every: int | None, bandwidth: float, latency: float) -> None:
    from offline_cache.services import SeatServices
    from offline_cache.sync_client import SyncClient, SyncError
    from tests.support.fault_proxy import Faults, ProxyThread

    tmp = Path(tempfile.mkdtemp(prefix="weaklink-"))
    proc, url, seeded = start_server(tmp)
    try:
        seat = SeatServices.open(tmp / "seat")
        seat.enroll(url, "S01", seeded.seat_tokens["S01"])  # type: ignore[attr-defined]
        seat.login("agent1", seeded.password("agent1"))  # type: ignore[attr-defined]
        asyncio.run(seat.sync_once())  # units etc. before the clock starts
        seat.db.conn.execute("PRAGMA synchronous=NORMAL")  # setup speed only
        for i in range(commands):
            seat.dispatch(
                IntakeForm.parse(
                    {
                        "type": "complaint",
                        "content": f"第{i}号 小区夜间施工噪音扰民，请尽快处理",
                        "caller_phone": f"139{i:08d}",
                        "unit": "U001",
                    }
                )
            )
        port = int(url.rsplit(":", 1)[1])
        faults = Faults(latency=latency, bandwidth=bandwidth, cut_response_every=cut_every, seed=7)
        with ProxyThread("127.0.0.1", port, faults) as proxy:
            started, tries = time.monotonic(), 0
            while True:  # until a whole round (push AND pull) succeeds, not just the push
                tries += 1
                try:
                    asyncio.run(SyncClient(seat, server_url=proxy.url).sync_once())
                    if not seat.status().pending:
                        break
                except SyncError:
                    continue  # cut: retry at once (the backoff is not what we measure)
            total = time.monotonic() - started
            wire = proxy.stats.bytes_up + proxy.stats.bytes_down
            cuts = proxy.stats.cuts
            responses = proxy.stats.responses
        push, pull, trips = floor_bytes(seat, url)
        floor = (push + pull) / bandwidth + trips * 2 * latency
        label = f"{commands} commands, " + (
            f"every {cut_every}th response cut" if cut_every else "no cuts"
        )
        cut_info = f"cuts {cuts}/{responses} responses" if cut_every else f"cuts {cuts}"
        print(
            f"{label}: total {total:.1f}s, rounds {tries}, {cut_info}, "
            f"wire {wire / commands:.0f} B/command (up {proxy.stats.bytes_up / commands:.0f}, "
            f"down {proxy.stats.bytes_down / commands:.0f}), floor {floor:.1f}s "
            f"(push {push / commands:.0f} + pull {pull / commands:.0f} B/command gz, "
            f"{trips} round trips), ratio {total / floor:.2f}",
            flush=True,
        )
        seat.close()
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--commands", type=int, default=10_000)
    p.add_argument("--kbit", type=float, default=256.0)
    p.add_argument("--latency-ms", type=float, default=300.0)
    p.add_argument("--cut-every", type=int, default=10, help="cut every Nth response (run 2)")
    args = p.parse_args()
    bandwidth = args.kbit * 1000 / 8
    for cut_every in (None, args.cut_every):
        run(args.commands, cut_every, bandwidth, args.latency_ms / 1000)


if __name__ == "__main__":
    main()
