"""A center's seats against real server processes on PostgreSQL, for a bounded time.

N seats, each a real seat (``offline_cache.services.SeatServices``: its own SQLite file,
outbox and sync client, run by the seat's own ``SyncLoop``), in a center's proportions:

- agents (70 %) take a call every 2–4 minutes (``--burst``: as fast as they can): each
  call logs a contact, and about half of them dispatch an order (the other half are
  answered on the call);
- unit seats (25 %), one per handling unit in turn, sign what reaches them after a few
  seconds and reply a while later;
- a few supervisors and callback operators, who pull their boards.

The server is ``workstation serve --workers K`` (``--server-procs``) on its own database in
PostgreSQL (``--pg URL`` or ``WORKSTATION_TEST_PG_URL``; created and dropped here). All
seats run in this one process, on one asyncio loop with a small thread pool for their
SQLite work, sharing one HTTP connection pool: a seat that has nothing to do costs a
sleeping task. The seats wait for news the way the seat's ``SyncLoop`` does (a long-poll
when the server holds pulls, else a poll every ``--poll`` seconds; unit seats
``--unit-poll``).

Printed: seats, commands/s, push p50/p99 (each ``POST /sync/push``), freshness p50/p99
(from the push answer of a dispatch at the agent's seat to the first seat of its unit
holding the order), pulled bytes per seat per minute (on the wire), server CPU seconds per
1,000 commands, open connections (server sockets and PostgreSQL backends, highest seen),
server RSS, errors, lost (acknowledged at a seat but not on the server), doubled (an
order event applied twice), the load generator's own CPU, and a plain INSERT rate
measured in the same run with the ratio commands/s ÷ rows/s. The last line is for
scripts: ``seats N: push p99 X ms, freshness p99 Y ms, commands/s Z, lost L, doubled D,
insert ratio R``.

Setup shortcut (outside the measured window): seat logins hash the password for the
offline login with a cheap argon2 and scrypt cost, as ``offline_cache.testing`` does; at
2,000 seats the real costs would take minutes of CPU before the first call.

Example: ``.venv/bin/python -m benchmarks.seats_load --seats 50 --seconds 60``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "pw-load-seat"


# -- what is measured -------------------------------------------------------------------


@dataclass
class Meter:
    """Figures gathered from every seat while the window is open."""

    open: bool = False
    push_ms: list[float] = field(default_factory=list)
    pulled_bytes: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acked: dict[str, float] = field(default_factory=dict)  # order -> push answered
    seen: dict[str, float] = field(default_factory=dict)  # order -> first at its unit's seat
    dispatched: dict[str, str] = field(default_factory=dict)  # order -> unit
    actions: int = 0
    local_ms: list[float] = field(default_factory=list)
    lag_ms: list[float] = field(
        default_factory=list
    )  # the generator's own event loop  # an agent's action at its seat
    lock: threading.Lock = field(default_factory=threading.Lock)

    def freshness_ms(self) -> list[float]:
        return [
            max(0.0, self.seen[o] - self.acked[o]) * 1000
            for o in self.dispatched
            if o in self.seen and o in self.acked
        ]


class MeteredTransport(httpx.AsyncBaseTransport):
    """One connection pool shared by every seat; times pushes and counts pulled bytes.

    A seat's sync client closes its transport after each round: this one stays open."""

    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=4000)
        self.inner = httpx.AsyncHTTPTransport(limits=limits, retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        start = time.perf_counter()
        path = request.url.path
        try:
            response = await self.inner.handle_async_request(request)
            raw = b"".join([chunk async for chunk in response.aiter_raw()])  # as on the wire
            await response.aclose()
        except httpx.HTTPError as exc:
            if self.meter.open and not isinstance(exc, httpx.ReadTimeout):
                self.meter.errors[f"{type(exc).__name__} {path.rsplit('/', 1)[-1]}"] += 1
            raise
        elapsed = time.perf_counter() - start
        if self.meter.open:
            if path.endswith("/sync/push"):
                self.meter.push_ms.append(elapsed * 1000)
            elif path.endswith("/sync/pull"):
                self.meter.pulled_bytes += len(raw)
            if response.status_code >= 500 or response.status_code == 429:
                self.meter.errors[f"HTTP {response.status_code} {path.rsplit('/', 1)[-1]}"] += 1
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=raw,
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:  # shared: closed once, at the end of the run
        return None


def _seat_class() -> Any:
    from offline_cache.services import SeatServices

    class LoadSeat(SeatServices):
        """A real seat whose sync rounds go through the shared metered pool."""

        transport: httpx.AsyncBaseTransport | None = None

        def sync_client(self, server_url: str | None = None, **options: Any) -> Any:
            options.setdefault("transport", self.transport)
            return super().sync_client(server_url, **options)

    return LoadSeat


def _cheap_seat_logins() -> None:
    """Setup only: the seat's offline password hash and key seal at a low cost."""
    import hashlib

    from argon2 import PasswordHasher

    from offline_cache import session

    hasher = PasswordHasher(time_cost=1, memory_cost=8192)
    session._hash = hasher.hash  # type: ignore[assignment]

    def pad(password: str, salt: bytes) -> bytes:
        return hashlib.scrypt(password.encode(), salt=salt, n=2**10, r=8, p=1, dklen=32)

    session._pad = pad  # type: ignore[assignment]


# -- the center ---------------------------------------------------------------------------


@dataclass
class Seat:
    code: str
    role: str
    user: str
    unit: str | None
    acts: bool = True  # a unit's second seat only watches
    services: Any = None
    loop: Any = None
    task: Any = None


def plan_center(n: int, unit_codes: list[str]) -> list[Seat]:
    """``n`` seats: 25 % unit seats (units in turn), 2 % supervisors, 3 % callback
    operators (at least one of each), the rest agents."""
    units = max(1, n * 25 // 100)
    supers = max(1, n * 2 // 100)
    callbacks = max(1, n * 3 // 100)
    agents = max(1, n - units - supers - callbacks)
    seats: list[Seat] = []
    for i in range(agents):
        seats.append(Seat(f"A{i:04d}", "agent", f"agent-{i}", None))
    for i in range(units):
        code = unit_codes[i % len(unit_codes)]
        seats.append(Seat(f"U{i:04d}", "unit", f"unit-{i}", code, acts=i < len(unit_codes)))
    for i in range(supers):
        seats.append(Seat(f"V{i:04d}", "supervisor", f"super-{i}", None))
    for i in range(callbacks):
        seats.append(Seat(f"C{i:04d}", "callback", f"callback-{i}", None))
    return seats


FORMS = (
    ("complaint", "小区门口路灯坏了一个多月，晚上一片漆黑，请尽快修理"),
    ("complaint", "楼下饭店油烟直排，家里窗户都不敢开"),
    ("suggestion", "希望在学校门口增设人行横道和红绿灯"),
    ("complaint", "工地夜间施工噪音扰民，已经连续一周"),
)


async def agent_calls(seat: Seat, meter: Meter, stop: float, burst: bool, units: list[str]) -> None:
    """Calls until ``stop``: every 2–4 minutes (a random first one), or back to back."""
    rng = random.Random(seat.code)
    if not burst:
        await asyncio.sleep(rng.uniform(0, 180))
    while time.monotonic() < stop:
        began = time.perf_counter()
        try:
            await one_call(seat, meter, rng, units)
        except Exception as exc:  # a refusal at the seat is a figure, not a crash
            meter.errors[f"agent {type(exc).__name__}: {str(exc)[:80]}"] += 1
        else:
            meter.actions += 1
        meter.local_ms.append((time.perf_counter() - began) * 1000)
        await asyncio.sleep(0 if burst else rng.uniform(120, 240))


async def one_call(seat: Seat, meter: Meter, rng: random.Random, units: list[str]) -> None:
    """One call: a dispatch (half of them) or an answer on the call, logged at the seat.

    The seat's actions (``SeatActions``) are called as the intake screen calls them once
    the agent confirms; the intake assist's advice on the form is left out (each seat here
    would load its own copy of the assist model)."""
    from workstation.intake_form import IntakeForm

    phone = f"139{rng.randrange(10**8):08d}"
    if rng.random() < 0.5:
        kind, content = rng.choice(FORMS)
        unit = rng.choice(units)
        form = IntakeForm.parse(
            {"type": kind, "content": content, "caller_phone": phone, "unit": unit}
        )
        number = await asyncio.to_thread(seat.services.actions.dispatch, form)
        with meter.lock:
            meter.dispatched[number] = unit
    else:
        form = IntakeForm.parse(
            {"type": "consultation", "content": "公积金怎么提取", "caller_phone": phone}
        )
        await asyncio.to_thread(seat.services.actions.answer, form, ["KB-1"], "按政策答复")


def watch_seat(seat: Seat, meter: Meter, aloop: asyncio.AbstractEventLoop, work: Any) -> None:
    """Agents note when a dispatch's push was answered; unit seats when an order of
    their unit first arrives (and then sign and reply it)."""
    mine: set[str] = set()

    def on_change(change: Any) -> None:
        if change.kind != "sync":  # (the drain after the window counts too)
            return
        now = time.monotonic()
        for order_id in change.orders:
            unit = meter.dispatched.get(order_id)
            if unit is None:
                continue
            if seat.role == "agent":
                meter.acked.setdefault(order_id, now)
            elif seat.role == "unit" and unit == seat.unit and order_id not in mine:
                mine.add(order_id)
                meter.seen.setdefault(order_id, now)
                if seat.acts:  # one seat of each unit signs and replies
                    aloop.call_soon_threadsafe(work, seat, order_id)

    seat.services.add_listener(on_change)


async def unit_work(seat: Seat, order_id: str, meter: Meter, stop: float) -> None:
    """Sign after a few seconds; reply a while later (within the window)."""
    rng = random.Random(order_id)
    await asyncio.sleep(rng.uniform(3, 15))
    if time.monotonic() > stop:
        return
    try:
        await asyncio.to_thread(seat.services.order_command, order_id, "sign", {})
        meter.actions += 1
        await asyncio.sleep(rng.uniform(20, 90))
        if time.monotonic() > stop:
            return
        args = {"result": "已到现场处理完毕，来电人认可"}
        await asyncio.to_thread(seat.services.order_command, order_id, "reply", args)
        meter.actions += 1
    except Exception as exc:  # a refusal at the seat is a figure, not a crash
        meter.errors[f"unit {type(exc).__name__}"] += 1


# -- the server side ---------------------------------------------------------------------


class ServerWatch:
    """CPU, memory and sockets of the server processes; PostgreSQL backends."""

    def __init__(self, pid: int, port: int, url: str, dbname: str) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.port, self.url, self.dbname = port, url, dbname
        self.max_sockets = self.max_backends = 0
        self.max_rss = 0

    def procs(self) -> list[Any]:
        return [self.root, *self.root.children(recursive=True)]

    def cpu(self) -> float:
        total = 0.0
        for p in self.procs():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except Exception:
                pass
        return total

    def sample(self) -> None:
        import psutil
        import psycopg

        sockets = rss = 0
        for p in self.procs():
            try:
                rss += p.memory_info().rss
                sockets += sum(
                    1
                    for c in p.net_connections(kind="tcp")
                    if c.laddr and c.laddr.port == self.port and c.status == psutil.CONN_ESTABLISHED
                )
            except Exception:
                pass
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.dbname,)
            ).fetchone()
        backends = int(row[0]) - 1 if row else 0  # not this one
        self.max_sockets = max(self.max_sockets, sockets)
        self.max_backends = max(self.max_backends, backends)
        self.max_rss = max(self.max_rss, rss)


def check_server(url: str, seats: list[Seat]) -> tuple[int, int, int]:
    """(lost, doubled, unsent): acknowledged commands missing on the server, order events
    stored twice, and commands still in an outbox after the drain."""
    import psycopg

    acked: list[str] = []
    unsent = 0
    for seat in seats:
        for row in seat.services.db.query("SELECT op_id, status FROM outbox"):
            if row["status"] == "pending":
                unsent += 1
            else:
                acked.append(row["op_id"])
    with psycopg.connect(url) as conn:
        stored = {r[0] for r in conn.execute("SELECT op_id FROM mutations")}
        doubled = conn.execute(
            "SELECT count(*) FROM (SELECT order_id, kind FROM order_events"
            " GROUP BY order_id, kind HAVING count(*) > 1) AS d"
        ).fetchone()
    lost = sum(1 for op in acked if op not in stored)
    return lost, int(doubled[0]) if doubled else 0, unsent


# -- the run -----------------------------------------------------------------------------


def q(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


async def run_center(args: argparse.Namespace, base: str, seats: list[Seat], meter: Meter,
                     watch: ServerWatch, units: list[str]) -> dict[str, Any]:  # fmt: skip
    import psutil

    aloop = asyncio.get_running_loop()
    transport = MeteredTransport(meter)
    for seat in seats:
        seat.services.transport = transport
    # every seat's first pull (units, KB, its scope) before the window opens
    sem = asyncio.Semaphore(16)

    async def first(seat: Seat) -> None:
        async with sem:
            try:
                await seat.services.sync_once()
            except Exception as exc:
                meter.errors[f"first sync {type(exc).__name__}"] += 1

    t = time.monotonic()
    await asyncio.gather(*(first(s) for s in seats))
    print(f"first sync of {len(seats)} seats: {time.monotonic() - t:.1f}s", flush=True)
    meter.errors.clear()

    stop_at = time.monotonic() + args.seconds

    chores: set[asyncio.Task[None]] = set()

    def work(seat: Seat, order_id: str) -> None:
        task = aloop.create_task(unit_work(seat, order_id, meter, stop_at))
        chores.add(task)
        task.add_done_callback(chores.discard)

    for seat in seats:
        watch_seat(seat, meter, aloop, work)
        poll = args.unit_poll if seat.role == "unit" else args.poll
        seat.loop = seat.services.sync_loop(poll=poll)
        seat.task = aloop.create_task(seat.loop.run())
    me = psutil.Process()
    cpu0, gen0, t0 = watch.cpu(), me.cpu_times(), time.monotonic()
    meter.open = True
    callers = [
        aloop.create_task(agent_calls(s, meter, stop_at, args.burst, units))
        for s in seats
        if s.role == "agent"
    ]

    async def lag() -> None:  # how late the generator's loop runs a 0.1 s timer
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.1)
            meter.lag_ms.append((time.perf_counter() - t - 0.1) * 1000)

    lagging = aloop.create_task(lag())
    while time.monotonic() < stop_at:
        await asyncio.sleep(min(2.0, max(0.0, stop_at - time.monotonic())))
        await asyncio.to_thread(watch.sample)
    lagging.cancel()
    elapsed = time.monotonic() - t0
    meter.open = False
    cpu1, gen1 = watch.cpu(), me.cpu_times()
    stopped = [*callers, *chores]
    for c in stopped:
        c.cancel()
    await asyncio.gather(*stopped, return_exceptions=True)
    # drain: every outbox empty (the loops keep syncing), within a bound
    drain_until = time.monotonic() + args.drain
    while time.monotonic() < drain_until:
        pending = sum(
            int(s.services.db.scalar("SELECT count(*) FROM outbox WHERE status='pending'") or 0)
            for s in seats
        )
        if pending == 0:
            break
        for s in seats:
            s.services.wake()
        await asyncio.sleep(1)
    for seat in seats:
        seat.loop.stop()
    await asyncio.wait([s.task for s in seats], timeout=30)
    for seat in seats:
        seat.task.cancel()
    await asyncio.gather(*(s.task for s in seats), return_exceptions=True)
    await asyncio.sleep(0.5)  # rounds' last thread work (the assist model check) ends
    return {
        "elapsed": elapsed,
        "server_cpu": cpu1 - cpu0,
        "gen_cpu": (gen1.user + gen1.system) - (gen0.user + gen0.system),
        "transport": transport,
    }


def setup_seats(seats: list[Seat], base: str, tokens: dict[str, str], root: Path) -> None:
    from workstation.config import load_settings

    cls = _seat_class()
    settings = load_settings()

    def one(seat: Seat) -> None:
        services = cls.open(root / seat.code, settings=settings)
        services.enroll(base, seat.code, tokens[seat.code])
        services.login(seat.user, PASSWORD)
        seat.services = services

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, seats))


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", default=os.environ.get("WORKSTATION_TEST_PG_URL"))
    ap.add_argument("--seats", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--burst", action="store_true", help="agents take calls back to back")
    ap.add_argument("--server-procs", type=int, default=2)
    ap.add_argument("--poll", type=float, default=30, help="seconds between rounds (no news)")
    ap.add_argument("--unit-poll", type=float, default=5, help="the same for unit seats")
    ap.add_argument("--drain", type=float, default=60, help="seconds to let outboxes empty")
    ap.add_argument("--threads", type=int, default=8, help="threads for the seats' SQLite work")
    ap.add_argument(
        "--seat-dir",
        default="/dev/shm" if Path("/dev/shm").is_dir() else None,
        help="where the seats' SQLite files go (default: tmpfs, as each real seat has a disk"
        " of its own; N seats fsyncing on one shared disk would measure that disk)",
    )
    args = ap.parse_args()
    if not args.pg:
        raise SystemExit("needs --pg URL or WORKSTATION_TEST_PG_URL")
    import resource

    from benchmarks.central_push import _plain_inserts
    from central.db import Database
    from central.store import Store
    from central.testing import SeedUser, running_server, seed, seed_units
    from workstation.config import load_settings

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    _cheap_seat_logins()
    tmp = Path(tempfile.mkdtemp(prefix="seats-load-"))
    seat_root = Path(tempfile.mkdtemp(prefix="seats-load-", dir=args.seat_dir))
    meter = Meter()
    from central.testing import scratch_pg_database

    with scratch_pg_database(args.pg, "hl_load") as scratch:
        url, admin, name = scratch.url, scratch.admin_url, scratch.name
        try:
            records = seed_units()
            codes = [r["code"] for r in records]
            seats = plan_center(args.seats, codes)
            users = [SeedUser(s.user, PASSWORD, s.role, s.unit) for s in seats]
            store = Store(
                Database(url), load_settings(env={"WORKSTATION_DATA_DIR": str(tmp / "d")})
            )
            seeded = seed(store, [s.code for s in seats], users, records)
            store.db.dispose()
            units = sorted({s.unit for s in seats if s.unit})
            with running_server(
                url, tmp / "data", workers=args.server_procs, jobs_interval=0,
                log_path=tmp / "server.log", limit_s=120,
            ) as server:  # fmt: skip
                base = server.base_url
                t = time.monotonic()
                setup_seats(seats, base, seeded.seat_tokens, seat_root)
                print(f"{len(seats)} seats enrolled and logged in: {time.monotonic() - t:.1f}s")
                port = int(base.rsplit(":", 1)[1])
                watch = ServerWatch(server.process.pid, port, admin, name)
                loop = asyncio.new_event_loop()
                loop.set_default_executor(ThreadPoolExecutor(args.threads))
                figures = loop.run_until_complete(
                    run_center(args, base, seats, meter, watch, units)
                )
                lost, doubled, unsent = check_server(url, seats)
                plain = _plain_inserts(url, 50, 5) / 5
                loop.run_until_complete(figures["transport"].inner.aclose())
                loop.close()
            report(args, seats, meter, figures, watch, lost, doubled, unsent, plain)
            for seat in seats:
                seat.services.close()
        finally:
            shutil.rmtree(seat_root, ignore_errors=True)
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(args: argparse.Namespace, seats: list[Seat], meter: Meter, f: dict[str, Any],
           watch: ServerWatch, lost: int, doubled: int, unsent: int, plain: float) -> None:  # fmt: skip
    elapsed = f["elapsed"]
    roles: dict[str, int] = defaultdict(int)
    for s in seats:
        roles[s.role] += 1
    commands = meter.actions
    rate = commands / elapsed
    fresh = meter.freshness_ms()
    errors = sum(meter.errors.values())
    per_k = f["server_cpu"] / max(1, commands) * 1000
    mode = "burst" if args.burst else "realistic"
    print(f"seats: {len(seats)} ({', '.join(f'{v} {k}' for k, v in roles.items())}), {mode}, "
          f"{elapsed:.0f}s, {args.server_procs} server processes")  # fmt: skip
    print(f"commands: {commands} = {rate:.1f} commands/s "
          f"({len(meter.dispatched)} dispatches); an agent's action at its seat: p50 "
          f"{q(meter.local_ms, 50):.0f} ms, p99 {q(meter.local_ms, 99):.0f} ms")  # fmt: skip
    print(f"push: {len(meter.push_ms)} requests, p50 {q(meter.push_ms, 50):.0f} ms, "
          f"p99 {q(meter.push_ms, 99):.0f} ms")  # fmt: skip
    print(f"freshness (dispatch answered -> on its unit's seat): {len(fresh)} of "
          f"{len(meter.dispatched)} orders, p50 {q(fresh, 50):.0f} ms, "
          f"p99 {q(fresh, 99):.0f} ms")  # fmt: skip
    per_seat_min = meter.pulled_bytes / len(seats) / (elapsed / 60)
    print(f"pulled: {meter.pulled_bytes / 1e6:.1f} MB on the wire = "
          f"{per_seat_min / 1024:.1f} KiB per seat per minute")  # fmt: skip
    print(f"server CPU: {f['server_cpu']:.1f}s = {per_k:.1f}s per 1,000 commands; "
          f"RSS {watch.max_rss / 2**20:.0f} MiB")  # fmt: skip
    print(f"open connections (highest seen): {watch.max_sockets} server sockets, "
          f"{watch.max_backends} PostgreSQL backends")  # fmt: skip
    print(
        f"load generator CPU: {f['gen_cpu']:.1f}s ({f['gen_cpu'] / elapsed * 100:.0f} % of a"
        f" core); its event loop late by p50 {q(meter.lag_ms, 50):.0f} ms,"
        f" p99 {q(meter.lag_ms, 99):.0f} ms"
    )
    print(f"errors: {errors} {dict(meter.errors) if errors else ''}".rstrip())
    print(f"lost {lost}, doubled {doubled}, still unsent after the drain {unsent}")
    ratio = rate / plain if plain else float("nan")
    print(f"plain INSERT (psycopg, 50 connections, autocommit, same run): {plain:.0f} rows/s; "
          f"ratio {ratio:.3g}")  # fmt: skip
    print(f"seats {len(seats)}: push p99 {q(meter.push_ms, 99):.0f} ms, freshness p99 "
          f"{q(fresh, 99):.0f} ms, commands/s {rate:.1f}, lost {lost}, doubled {doubled}, "
          f"insert ratio {ratio:.3g}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
