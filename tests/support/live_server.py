"""A real central server for tests: uvicorn in a subprocess on a free localhost port.

``start_live_server(tmp_path)`` seeds a temporary SQLite database (or the PostgreSQL URL
given), starts ``workstation serve`` in a subprocess, waits (with a time limit) until
``/healthz`` answers, and yields a :class:`LiveServer` with the base URL, seat tokens,
users and passwords, the database URL, and ``set_now`` to move the server's clock
(a clock file read on every request; absent unless ``clock`` is given).

In a conftest::

    from tests.support.live_server import live_server  # noqa: F401  (the fixture)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.seed import REPO, Seeded, seed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    db_url: str
    seeded: Seeded
    clock_file: Path | None
    process: subprocess.Popen[bytes]
    log_path: Path
    sessions: dict[str, str] = field(default_factory=dict)

    @property
    def seat_tokens(self) -> dict[str, str]:
        return self.seeded.seat_tokens

    @property
    def users(self) -> dict[str, Any]:
        return self.seeded.users

    def set_now(self, moment: datetime) -> None:
        """Move the server's clock (needs ``clock=`` when started)."""
        if self.clock_file is None:
            raise RuntimeError("start the server with clock=... to control its time")
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(moment.isoformat(), encoding="utf-8")
        tmp.replace(self.clock_file)

    def login(self, user: str, seat: str = "S01") -> str:
        """Log ``user`` in on ``seat``; returns (and remembers) the bearer token."""
        import httpx

        r = httpx.post(
            f"{self.base_url}/api/v1/auth/login",
            headers={"X-Seat-Token": self.seat_tokens[seat]},
            json={"user": user, "password": self.seeded.password(user)},
            timeout=10,
        )
        r.raise_for_status()
        token = str(r.json()["token"])
        self.sessions[user] = token
        return token

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, limit_s: float) -> None:
    import httpx

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited ({process.returncode}):\n{log.read_text(errors='replace')}"
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # polling interval, bounded by the deadline above
    raise RuntimeError(
        f"server did not answer /healthz in {limit_s}s:\n{log.read_text(errors='replace')}"
    )


@contextmanager
def start_live_server(
    tmp_path: Path,
    db_url: str | None = None,
    workers: int = 1,
    clock: datetime | None = None,
    jobs_interval: float = 0,
    seats: tuple[str, ...] = ("S01", "S02"),
    env: dict[str, str] | None = None,
    limit_s: float = 30,
) -> Iterator[LiveServer]:
    from central.db import Database
    from central.store import Store
    from workstation.config import load_settings

    db_url = db_url or f"sqlite:///{tmp_path / 'central.db'}"
    child_env = {
        **os.environ,
        "WORKSTATION_DB_URL": db_url,
        "WORKSTATION_DATA_DIR": str(tmp_path / "data"),
        "WORKSTATION_JOBS_INTERVAL": str(jobs_interval),
        "PYTHONPATH": str(REPO),
        **(env or {}),
    }
    clock_file = None
    if clock is not None:
        clock_file = tmp_path / "server-clock.txt"
        clock_file.write_text(clock.isoformat(), encoding="utf-8")
        child_env["WORKSTATION_CLOCK_FILE"] = str(clock_file)
    store = Store(
        Database(db_url), load_settings(env={"WORKSTATION_DATA_DIR": str(tmp_path / "data")})
    )
    seeded = seed(store, seats)
    store.db.dispose()
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "hotline.cli",
        "serve",
        "--db",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=child_env, cwd=REPO
        )
    base_url = f"http://127.0.0.1:{port}"
    server = LiveServer(base_url, db_url, seeded, clock_file, process, log_path)
    try:
        _wait_healthy(base_url, process, log_path, limit_s)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A seeded server on SQLite with a controllable clock, jobs off."""
    from datetime import UTC

    with start_live_server(tmp_path, clock=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)) as server:
        yield server
