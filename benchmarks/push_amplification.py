"""Measure input amplification against a real server (issue 13, item 5).

The attack as found: a handling-unit user pushed 6 gzip bodies of about 8 KB each (50 KB
on the wire) built to be as large as possible once decompressed (huge args, many commands,
long texts); the database grew by 584 MB, a pull page reached 97 MB, ``GET /orders``
100 MB, and the server's memory went from 112 to 381 MB.

This replays it against ``workstation serve`` started as a subprocess (so the figures are
the server's, not this script's: RSS by psutil on the server process and its children),
on SQLite and, when ``WORKSTATION_TEST_PG_URL`` (or ``--pg``) is set, on PostgreSQL:

1. ``original``: ``--pushes`` (6) pushes, each the largest decompressed body whose gzip
   stays within 8 KB: signed ``reply`` commands on the unit's own orders carrying the
   longest result and unknown args padded up to the 8 MiB decompressed cap.
2. ``max_batch``: pushes of as many well-formed commands as the body caps allow (up to
   the 1,000 a push), every text field at its maximum length (``reply``, ``return_order``,
   ``request_extension``, ``sign``), mostly refused by the workflow (a refusal stores the
   current order with its reason).
3. ``long_names``: unknown argument names of up to 1 MB (the name is what an error
   message quotes).
4. Reads of the result: every pull page from cursor 0 (1,000 a page), ``GET /orders``
   (500 a page) and ``GET /orders/{id}``.

Prints every answer's status and size, then the server's RSS before and after (and at its
peak), the database's growth, the largest answer; the last line is
``amplification: rss +X MB, db +Y MB, largest answer Z KB``.

Run: ``.venv/bin/python -m benchmarks.push_amplification [--pushes 6] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WIRE_BUDGET = 8 * 1024  # the original attack's gzip bodies
DECODED_CAP = 8 * 1024 * 1024 - 64 * 1024  # central.body_limit.DECODED_LIMIT, less a margin
WIRE_CAP = 1024 * 1024 - 16 * 1024  # central.body_limit.WIRE_LIMIT, less a margin
ORDERS = 6
CJK = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(4000))  # varied, compresses poorly


@dataclass
class Figures:
    """What one backend's run measured."""

    backend: str
    rss_before: float = 0.0
    rss_after: float = 0.0
    rss_peak: float = 0.0
    db_before: int = 0
    db_after: int = 0
    largest: int = 0
    largest_what: str = ""
    answers: list[str] = field(default_factory=list)


class Attacker:
    """A unit user logged in on seat S01, pushing signed commands to a live server."""

    def __init__(self, live: Any, user: str, server_pid: int, figures: Figures) -> None:
        import httpx

        self.live = live
        self.user = user
        self.token = live.login(user, "S01")
        self.session_id, self.key = live.keys[(user, "S01")]
        self.http = httpx.Client(base_url=live.base_url, timeout=300)
        self.pid = server_pid
        self.figures = figures
        self.client_id = f"amp-{uuid.uuid4().hex[:8]}"
        self.mutation = 0

    def command(self, name: str, order_id: str | None, args: dict[str, Any]) -> dict[str, Any]:
        from workstation.wire.commands import command_proof

        self.mutation += 1
        cmd = {
            "op_id": f"{self.client_id}-{self.mutation:07d}",
            "client_id": self.client_id,
            "mutation_id": self.mutation,
            "order_id": order_id,
            "command": name,
            "args": args,
            "base_version": None,
            "user": self.user,
            "seat": "S01",
            "client_time": None,
            "session_id": self.session_id,
        }
        cmd["proof"] = command_proof(self.key, cmd)
        return cmd

    def push(self, what: str, commands: list[dict[str, Any]]) -> int:
        """Push signed ``commands`` (made after ``self.mutation``, which moves past them
        when the server took the batch)."""
        raw = json.dumps({"client_id": self.client_id, "commands": commands}).encode()
        body = gzip.compress(raw, 6)
        r = self.http.post(
            "/api/v1/sync/push",
            content=body,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            },
        )
        statuses = ""
        if r.status_code == 200:
            results = r.json()["results"]
            counts: dict[str, int] = {}
            for res in results:
                key = res["status"] if res["status"] == "applied" else res["reason"]["code"]
                counts[key] = counts.get(key, 0) + 1
            statuses = " " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        elif r.status_code < 500:
            statuses = " " + r.text[:120]
        self.note(
            f"push {what}: {len(commands)} commands, {len(body) / 1024:.1f} KB gzip, "
            f"{len(raw) / 1024:.0f} KB decoded -> {r.status_code}{statuses}",
            len(r.content),
            f"push {what}",
        )
        if r.status_code == 200:
            self.mutation = int(r.json()["last_mutation_id"])
        return r.status_code

    def get(self, what: str, path: str, **params: Any) -> Any:
        r = self.http.get(path, params=params, headers={"Authorization": f"Bearer {self.token}"})
        self.note(f"{what} -> {r.status_code}", len(r.content), what)
        return r

    def note(self, line: str, size: int, what: str) -> None:
        rss = server_rss(self.pid)
        self.figures.rss_peak = max(self.figures.rss_peak, rss)
        if size > self.figures.largest:
            self.figures.largest, self.figures.largest_what = size, what
        text = f"  {line}; answer {size / 1024:.1f} KB; server RSS {rss:.0f} MB"
        self.figures.answers.append(text)
        print(text, flush=True)


def server_rss(pid: int) -> float:
    """The server process's resident memory with its children's, in MB."""
    import psutil

    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 1024 / 1024


def db_size(url: str) -> int:
    """Bytes the database takes: the SQLite file with its WAL, or PostgreSQL's size."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def gzipped(commands: list[dict[str, Any]]) -> tuple[int, int]:
    """(gzip size, decoded size) of a push body holding ``commands``."""
    raw = json.dumps({"client_id": "x", "commands": commands}).encode()
    return len(gzip.compress(raw, 6)), len(raw)


def most_that_fit(build: Any, most: int, wire: int, decoded: int) -> list[dict[str, Any]]:
    """``build(n)`` for the largest ``n <= most`` whose body fits both caps (bisection)."""
    low, high = 1, most
    while low < high:
        mid = (low + high + 1) // 2
        size, raw = gzipped(build(mid))
        if size <= wire and raw <= decoded:
            low = mid
        else:
            high = mid - 1
    return list(build(low))


def setup_orders(live: Any) -> list[str]:
    """An agent dispatches ``ORDERS`` orders to U001 with every field at its maximum; the
    unit signs half of them (the attack then finds both states)."""

    from workstation.wire.text import Limits

    live.login("agent1", "S01")
    commands = []
    ids = [f"QD-S01-2612-{n:04d}" for n in range(1, ORDERS + 1)]
    for i, order_id in enumerate(ids, 1):
        args = {
            "contact_id": f"C-AMP-{i}",
            "type": "complaint",
            "channel": "phone",
            "content": CJK[: Limits.CONTENT],
            "caller_name": ("张" * Limits.NAME),
            "caller_phone": "1" * 11,
            "address": CJK[: Limits.ADDRESS],
            "confidential": i % 2 == 0,
            "unit": "U001",
        }
        cmd = {
            "op_id": uuid.uuid4().hex,
            "client_id": "amp-setup",
            "mutation_id": i,
            "order_id": order_id,
            "command": "dispatch",
            "args": args,
            "base_version": None,
            "user": "agent1",
            "seat": "S01",
            "client_time": None,
        }
        commands.append(cmd)
    r = live.push("agent1", commands, timeout=120)
    r.raise_for_status()
    applied = [x["status"] for x in r.json()["results"]]
    if applied != ["applied"] * ORDERS:
        raise SystemExit(f"set-up dispatch failed: {r.text[:500]}")
    return ids


def attack(live: Any, figures: Figures, pushes: int) -> None:
    from workstation.wire.text import Limits

    ids = setup_orders(live)
    unit = Attacker(live, "unit1", live.process.pid, figures)
    sign = [unit.command("sign", order_id, {}) for order_id in ids[: ORDERS // 2]]
    unit.mutation = 0
    unit.push("sign half", sign)
    figures.rss_before = server_rss(live.process.pid)
    figures.rss_peak = figures.rss_before
    figures.db_before = db_size(live.db_url)
    print(f"  before: server RSS {figures.rss_before:.0f} MB, db {figures.db_before / 1e6:.1f} MB")

    # 1. the original: ~8 KB of gzip each: as many commands as fit, then the budget left
    #    spent on padding that decompresses 1,000-fold
    args: dict[str, Any] = {"result": "办" * Limits.RESULT, "y": [["B" * 64] * 8] * 8}

    def original(n: int, pad: int = 0) -> list[dict[str, Any]]:
        start = unit.mutation
        extra = {"x": "A" * pad} if pad else {}
        commands = [unit.command("reply", ids[i % ORDERS], {**args, **extra}) for i in range(n)]
        unit.mutation = start
        return commands

    n = len(most_that_fit(original, Limits.COMMANDS, WIRE_BUDGET, DECODED_CAP))
    pad = 0
    for step in (1 << k for k in range(23, 9, -1)):  # 8 MiB down to 1 KiB a command
        size, raw = gzipped(original(n, pad + step))
        if size <= WIRE_BUDGET and raw <= DECODED_CAP:
            pad += step
    for p in range(pushes):
        unit.push(f"original {p + 1}/{pushes}", original(n, pad))

    # 2. full batches of well-formed commands, every text at its maximum length
    reason = CJK[: Limits.REASON]
    shapes = [
        ("reply", {"result": CJK[: Limits.RESULT]}),
        ("return_order", {"reason": reason, "basis": reason}),
        ("request_extension", {"new_deadline": "2099-12-31", "reason": reason}),
        ("sign", {}),
    ]

    def full(n: int) -> list[dict[str, Any]]:
        start = unit.mutation
        commands = [
            unit.command(shapes[i % len(shapes)][0], ids[i % ORDERS], shapes[i % len(shapes)][1])
            for i in range(n)
        ]
        unit.mutation = start
        return commands

    most = len(most_that_fit(full, Limits.COMMANDS, WIRE_CAP, DECODED_CAP))
    for p in range(pushes):
        unit.push(f"max_batch {p + 1}/{pushes}", full(most))

    # 3. unknown argument names as long as a body allows (an error message quotes names)
    for p in range(2):
        name = "n" * (1024 * 1024)
        cmd = unit.command("reply", ids[0], {name: 1})
        unit.mutation -= 1
        unit.push(f"long_names {p + 1}/2", [cmd])

    # 4. the result, read back
    cursor, page = 0, 0
    while page < 10_000:
        r = unit.get(f"pull page {page + 1} (cursor {cursor})", "/api/v1/sync/pull",
                     cursor=cursor, limit=1000)  # fmt: skip
        if r.status_code != 200:
            break
        body = r.json()
        page += 1
        if not body["has_more"] or body["cursor"] == cursor:
            break
        cursor = body["cursor"]
    unit.get("GET /orders?limit=500", "/api/v1/orders", limit=500)
    unit.get(f"GET /orders/{ids[0]}", f"/api/v1/orders/{ids[0]}")
    figures.rss_after = server_rss(live.process.pid)
    figures.db_after = db_size(live.db_url)


def run_backend(backend: str, db_url: str | None, tmp: Path, pushes: int) -> Figures:
    from central.testing import start_live_server

    figures = Figures(backend)
    print(f"{backend}:", flush=True)
    with start_live_server(tmp / backend, db_url=db_url) as live:
        attack(live, figures, pushes)
        log = live.log_text()
    if "Traceback" in log:
        print(f"  the server logged a traceback:\n{log[-2000:]}")
    print(
        f"  after: server RSS {figures.rss_after:.0f} MB (peak {figures.rss_peak:.0f} MB), "
        f"db {figures.db_after / 1e6:.1f} MB; largest answer "
        f"{figures.largest / 1024:.0f} KB ({figures.largest_what})",
        flush=True,
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=6, help="pushes per variant (6)")
    parser.add_argument("--pg", default=os.environ.get("WORKSTATION_TEST_PG_URL"))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    runs: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="amp-") as tmp:
        if not args.no_sqlite:
            runs.append(run_backend("sqlite", None, Path(tmp), args.pushes))
        if args.pg:
            from central.testing import scratch_pg_database

            with scratch_pg_database(args.pg, "hl_amp") as scratch:
                runs.append(run_backend("postgres", scratch.url, Path(tmp), args.pushes))
    if not runs:
        print("nothing to run (no --pg and --no-sqlite)")
        return 1
    worst_rss = max(f.rss_peak - f.rss_before for f in runs)
    worst_db = max(f.db_after - f.db_before for f in runs)
    largest = max(f.largest for f in runs)
    for f in runs:
        print(f"{f.backend}: rss +{f.rss_peak - f.rss_before:.0f} MB (peak), "
              f"db +{(f.db_after - f.db_before) / 1e6:.1f} MB, "
              f"largest answer {f.largest / 1024:.0f} KB")  # fmt: skip
    print(
        f"amplification: rss +{worst_rss:.0f} MB, db +{worst_db / 1e6:.1f} MB, "
        f"largest answer {largest / 1024:.0f} KB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
