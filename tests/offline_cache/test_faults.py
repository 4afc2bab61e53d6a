"""Random fault schedules through the fault proxy, several seats, one real server.

Invariants after quiet: every command acknowledged to the user reached the server exactly
once and in its seat's order, no duplicate effects, every seat equals the server, and of
two unit seats that signed the same order offline exactly one won (the other shows why).
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from central.testing import start_live_server
from offline_cache.fault_proxy import Faults, ProxyThread
from offline_cache.sync_client import SyncError, Timeouts
from tests.offline_cache.conftest import FORM
from tests.offline_cache.helpers import (
    FAST,
    live_seat,
    local_ops,
    seat_snapshots,
    server_mutations,
    server_orders,
)
from workstation.intake_form import IntakeForm

SEATS = tuple(f"S{i:02d}" for i in range(1, 81))
FAULT = Timeouts(connect=0.5, read=0.8, write=0.8, pool=0.5)


# -- the proxy on its own -------------------------------------------------------------


def _echo_server() -> tuple[socket.socket, int]:
    import threading

    srv = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return srv, srv.getsockname()[1]


def _roundtrip(port: int, payload: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
        c.sendall(payload)
        c.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := c.recv(65536):
            out += chunk
        return out


def test_proxy_latency_bandwidth_cut_blackhole_reset():
    import time

    srv, port = _echo_server()
    try:
        with ProxyThread("127.0.0.1", port) as proxy:
            assert _roundtrip(proxy.port, b"hello") == b"hello"
            proxy.faults.latency = 0.2
            t = time.monotonic()
            assert _roundtrip(proxy.port, b"x") == b"x"
            assert time.monotonic() - t >= 0.4  # one way each direction
            proxy.faults.latency = 0.0
            proxy.faults.bandwidth = 50_000
            t = time.monotonic()
            assert len(_roundtrip(proxy.port, b"y" * 50_000)) == 50_000
            assert time.monotonic() - t >= 0.9
            proxy.faults.bandwidth = None
            proxy.faults.cut_response_after = 10
            assert _roundtrip(proxy.port, b"z" * 100) == b"z" * 10
            proxy.faults.cut_response_after = None
            proxy.faults.reset = True
            with pytest.raises(OSError):
                _roundtrip(proxy.port, b"r")
            proxy.faults.reset = False
            proxy.faults.black_hole = True
            with pytest.raises(socket.timeout):
                _roundtrip(proxy.port, b"b", timeout=0.5)
            assert proxy.stats.cuts == 1 and proxy.stats.resets == 1
    finally:
        srv.close()


# -- the state machine ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with start_live_server(tmp_path_factory.mktemp("central"), seats=SEATS) as srv:
        yield srv


FAULTS = st.sampled_from(
    [
        Faults(),
        Faults(latency=0.05),
        Faults(cut_request_after=300),
        Faults(cut_request_after=2000),
        Faults(cut_response_after=200),
        Faults(cut_response_after=1500),
        Faults(cut_response_probability=0.5, seed=1),
        Faults(black_hole=True),
        Faults(reset=True),
    ]
)


@pytest.mark.slow
def test_random_fault_schedules(server, tmp_path: Path):
    seat_codes = iter(SEATS)
    runs = itertools.count()
    proxy_thread = ProxyThread("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))
    proxy = proxy_thread.__enter__()

    class Sync(RuleBasedStateMachine):
        @initialize()
        def seats(self) -> None:
            run = next(runs)
            proxy.faults = Faults()
            base = tmp_path / f"run{run}"
            self.agents = [
                live_seat(server, base / f"a{i}", next(seat_codes), "agent1", proxy.url)
                for i in range(2)
            ]
            self.units = [
                live_seat(server, base / f"u{i}", next(seat_codes), "unit1", proxy.url)
                for i in range(2)
            ]
            for s in self.agents + self.units:
                s.sync_timeouts = FAULT
            self.dispatched: list[str] = []
            self.signs: dict[str, list[int]] = {}

        def all(self):
            return self.agents + self.units

        @rule(which=st.integers(0, 1), n=st.integers(1, 3))
        def dispatch(self, which: int, n: int) -> None:
            for _ in range(n):
                number = self.agents[which].dispatch(
                    IntakeForm.parse({**FORM, "content": f"故障 {len(self.dispatched)}"})
                )
                self.dispatched.append(number)

        @rule(which=st.integers(0, 1), pick=st.integers(0, 50))
        def sign(self, which: int, pick: int) -> None:
            unit = self.units[which]
            open_orders = [r.order_id for r in unit.unit_inbox() if r.state == "dispatched"]
            if open_orders:
                number = open_orders[pick % len(open_orders)]
                unit.order_command(number, "sign", {})
                self.signs.setdefault(number, []).append(which)

        @rule(faults=FAULTS)
        def change_faults(self, faults: Faults) -> None:
            proxy.faults = faults

        @rule(which=st.integers(0, 3))
        def sync(self, which: int) -> None:
            try:
                asyncio.run(self.all()[which].sync_once())
            except (SyncError, httpx.HTTPError):
                pass  # the link failed: that is the point

        @invariant()
        def nothing_acknowledged_is_lost_locally(self) -> None:
            for s in self.agents:
                local = {r["order_id"] for r in s.db.query("SELECT order_id FROM outbox")}
                assert local <= set(self.dispatched)

        def teardown(self) -> None:
            proxy.faults = Faults()
            try:
                for s in self.all():  # the link is healthy again: ordinary timeouts
                    s.sync_timeouts = FAST
                for _ in range(2):  # everyone pushes, then everyone pulls what others pushed
                    for s in self.all():
                        for _attempt in range(5):
                            try:
                                if asyncio.run(s.sync_once()).pending == 0:
                                    break
                            except (SyncError, httpx.HTTPError):
                                continue  # a slow machine, not a fault: try again (bounded)
                self.check()
            finally:
                for s in self.all():
                    s.close()

        def check(self) -> None:
            on_server = server_orders(server)
            for s in self.all():
                assert s.status().pending == 0
                mutations = server_mutations(server, s.seat().client_id)
                assert [(m, o) for m, o, _ in mutations] == local_ops(s)
            mine = {k: v for k, v in on_server.items() if k in set(self.dispatched)}
            assert sorted(mine) == sorted(self.dispatched)  # each exactly once
            for s in self.all():
                snaps = seat_snapshots(s)
                views = {r["order_id"]: r["snapshot"] for r in s.db.query("SELECT * FROM orders")}
                for number in self.dispatched:
                    assert snaps[number] == on_server[number]
                    assert views[number] and s.order(number).version == on_server[number]["version"]
            for number, who in self.signs.items():
                signed = [e for e in on_server[number]["events"] if e["kind"] == "signed"]
                assert len(signed) == 1
                if len(set(who)) == 2:  # both unit seats signed offline: one lost, visibly
                    losers = [
                        p
                        for u in self.units
                        for p in u.problems()
                        if p.order_id == number and p.command == "sign"
                    ]
                    assert len(losers) == 1 and losers[0].reason["code"] == "already_signed"

    try:
        from hypothesis.stateful import run_state_machine_as_test

        run_state_machine_as_test(
            Sync,
            settings=settings(
                max_examples=15,
                stateful_step_count=10,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            ),
        )
    finally:
        proxy_thread.__exit__(None, None, None)
