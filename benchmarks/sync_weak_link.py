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

    .venv/bin/python -m benchmarks.sync_weak_link --commands 10000
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import math
import shutil
import tempfile
import time
from pathlib import Path

from workstation.intake_form import IntakeForm


def floor_bytes(seat: object, url: str) -> tuple[int, int, int]:
    """(gzip push bytes, gzip pull bytes, round trips) at the protocol's largest batches."""
    import httpx

    from offline_cache.order_view import push_body
    from offline_cache.session import session_token

    rows = seat.db.query("SELECT * FROM outbox ORDER BY mutation_id")  # type: ignore[attr-defined]
    cid = seat.seat().client_id  # type: ignore[attr-defined]
    push = 0
    for i in range(0, len(rows), 1000):
        push += len(gzip.compress(push_body(rows[i : i + 1000], cid)))
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
    from central.testing import running_server, seeded_store
    from offline_cache.fault_proxy import Faults, ProxyThread
    from offline_cache.services import SeatServices
    from offline_cache.sync_client import SyncError

    tmp = Path(tempfile.mkdtemp(prefix="weaklink-"))
    db_url = f"sqlite:///{tmp / 'central.db'}"
    try:
        seeded = seeded_store(db_url, tmp / "data", ("S01",))
        with running_server(
            db_url, tmp / "data", jobs_interval=0, log_path=tmp / "server.log", limit_s=60
        ) as server:
            url = server.base_url
            seat = SeatServices.open(tmp / "seat")
            seat.enroll(url, "S01", seeded.seat_tokens["S01"])
            seat.login("agent1", seeded.password("agent1"))
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
            faults = Faults(
                latency=latency, bandwidth=bandwidth, cut_response_every=cut_every, seed=7
            )
            with ProxyThread("127.0.0.1", port, faults) as proxy:
                started, tries = time.monotonic(), 0
                while True:  # until a whole round (push AND pull) succeeds, not just the push
                    tries += 1
                    try:
                        asyncio.run(seat.sync_once(server_url=proxy.url))
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
