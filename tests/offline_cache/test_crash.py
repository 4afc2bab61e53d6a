"""kill -9 at the worst moments, a server restart mid-batch, a week offline: nothing lost,
nothing doubled."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from central.testing import start_live_server
from offline_cache.services import SeatServices
from tests.offline_cache.conftest import FORM
from tests.offline_cache.helpers import (
    REPO,
    live_seat,
    local_ops,
    run_cli,
    seat_snapshots,
    server_mutations,
    server_orders,
)
from workstation.intake_form import IntakeForm

SEATS = tuple(f"S{i:02d}" for i in range(1, 7))


def run_until_paused(args: list[str], point: str, timeout: float = 60) -> None:
    """Run the CLI with a crash hook at ``point`` (crash_driver), wait until it reports the
    point, then kill -9 it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.offline_cache.crash_driver", point, *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    try:
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if line.startswith(f"PAUSED {point}"):
                break
            if not line and proc.poll() is not None:
                raise AssertionError(f"exited {proc.returncode} before {point}")
        else:
            raise AssertionError(f"never reached {point}")
    finally:
        proc.kill()  # SIGKILL: no cleanup, no flush
        proc.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with start_live_server(tmp_path_factory.mktemp("central"), seats=SEATS) as srv:
        yield srv


def _assert_exactly_once(server, data_dir: Path, expected_orders: int) -> None:
    s = SeatServices.open(data_dir)
    try:
        ops = local_ops(s)
        info = s.seat()
        assert info is not None
        on_server = server_mutations(server, info.client_id)
        assert [(m, o) for m, o, _ in on_server] == ops  # each once, in the seat's order
        assert s.status().pending == 0 and s.problems() == []
        mine = {k: v for k, v in server_orders(server).items() if v["seat"] == info.seat}
        assert len(mine) == expected_orders
        contents = Counter(v["content"] for v in mine.values())
        assert all(n == 1 for n in contents.values())  # no duplicate effects
        snaps = seat_snapshots(s)
        assert all(snaps[k] == v for k, v in mine.items())  # converged
    finally:
        s.close()


def test_kill_after_local_commit_before_push(server, tmp_path: Path):
    data = tmp_path / "seat"
    live_seat(server, data, "S01", "agent1").close()
    orders = tmp_path / "orders.jsonl"
    orders.write_text(
        "\n".join(
            json.dumps({**FORM, "content": f"断电 {i}"}, ensure_ascii=False) for i in range(3)
        ),
        encoding="utf-8",
    )
    run_until_paused(
        ["order", "create", "--json", str(orders), "--data-dir", str(data)], "after_local_commit"
    )
    s = SeatServices.open(data)
    assert s.status().pending == 1  # the first order was committed before the kill
    s.close()
    result = run_cli("sync", "--once", "--data-dir", str(data), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pending"] == 0
    _assert_exactly_once(server, data, 1)


def test_kill_mid_push_after_server_committed(server, tmp_path: Path):
    data = tmp_path / "seat"
    s = live_seat(server, data, "S02", "agent1")
    for i in range(5):
        s.dispatch(IntakeForm.parse({**FORM, "content": f"推送中断 {i}"}))
    s.close()
    run_until_paused(["sync", "--once", "--data-dir", str(data)], "after_push_response")
    s = SeatServices.open(data)
    assert s.status().pending == 5  # the answer never reached the seat
    info = s.seat()
    assert info is not None
    assert len(server_mutations(server, info.client_id)) == 5  # but the server has them
    s.close()
    result = run_cli("sync", "--once", "--data-dir", str(data))
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_exactly_once(server, data, 5)


def _write_transaction_open(server) -> bool:
    """True while the server holds SQLite's write lock (BEGIN IMMEDIATE fails at once)."""
    import sqlite3

    path = server.db_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:  # database is locked
        return True
    finally:
        conn.close()


@pytest.mark.slow
def test_server_restarts_mid_batch(tmp_path: Path):
    with start_live_server(tmp_path / "central", seats=("S01",)) as server:
        data = tmp_path / "seat"
        s = live_seat(server, data, "S01", "agent1")
        s.db.conn.execute("PRAGMA synchronous=NORMAL")  # speed of setup only
        for i in range(400):
            s.dispatch(IntakeForm.parse({**FORM, "content": f"重启 {i}"}))
        info = s.seat()
        assert info is not None
        client_id = info.client_id

        async def scenario() -> None:
            loop = s.sync_loop(poll=0.2, base=0.05, cap=0.5)
            task = asyncio.create_task(loop.run())
            # wait until the server is part-way through the batch: its transaction is open
            # (a batch commits as one transaction, so nothing of it is visible before)
            for _ in range(600):
                await asyncio.sleep(0.01)
                if _write_transaction_open(server):
                    break
            done = len(server_mutations(server, client_id))
            assert _write_transaction_open(server) and done == 0, done
            await asyncio.to_thread(server.restart)
            for _ in range(1200):
                await asyncio.sleep(0.05)
                if s.status().pending == 0:
                    break
            loop.stop()
            await task

        try:
            asyncio.run(scenario())
        finally:
            s.close()
        _assert_exactly_once(server, data, 400)
        server.process.terminate()


@pytest.mark.slow
def test_week_offline_with_5000_pending_converges(tmp_path: Path):
    with start_live_server(tmp_path / "central", seats=("S01",)) as server:
        data = tmp_path / "seat"
        s = live_seat(server, data, "S01", "agent1")
        s.sync_timeouts = None  # the default (production) timeouts
        s.db.conn.execute("PRAGMA synchronous=NORMAL")  # speed of setup only
        week_ago = s.now() - timedelta(days=7)
        real_now = s.now
        s.now = lambda: week_ago  # type: ignore[method-assign]
        for i in range(5000):
            s.dispatch(
                IntakeForm.parse(
                    {**FORM, "content": f"离线一周 {i}", "caller_phone": f"139{i:08d}"}
                )
            )
        s.now = real_now  # type: ignore[method-assign]
        status = s.status()
        age = status.oldest_pending_age
        assert status.pending == 5000 and age is not None and age >= timedelta(days=7)
        started = time.monotonic()
        status = asyncio.run(s.sync_once())
        print(f"5000 commands synced in {time.monotonic() - started:.1f}s")
        assert status.pending == 0 and status.problems == 0
        s.close()
        _assert_exactly_once(server, data, 5000)
