"""A real central server for tests, benchmarks and the demo: seeding and one launcher.

- ``seed(store)``: migrate and fill a database with the routing directory, one user of each
  role and enrolled seats; returns the seat tokens and passwords (:class:`Seeded`).
- ``running_server(db_url, data_dir)``: ``workstation serve`` in a subprocess on a free
  localhost port, up once ``/healthz`` answers (within a time limit), stopped on leaving;
  yields a :class:`ServerProcess` that can also be killed and restarted.
- ``start_live_server(tmp_path)``: both at once on a temporary SQLite file (or the URL
  given), with ``set_now`` to move the server's clock (a clock file read on every request)
  and ``login`` for a bearer token (:class:`LiveServer`).

Nothing here is imported by the server itself.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from central.accounts import add_user, enroll_seat, upsert_units
from central.db import Database
from central.store import Store
from workstation.config import load_settings
from workstation.errors import UserFacingError
from workstation.models import Unit

SOURCE_ROOT = Path(__file__).resolve().parents[1]
"""Where the packages are imported from; the server subprocess imports them from there."""

# -- seeding ---------------------------------------------------------------------------

UNIT_FILE = SOURCE_ROOT / "workstation" / "data" / "units.jsonl"
LEADER = "分管副市长 王明"


@dataclass(frozen=True)
class SeedUser:
    name: str
    password: str
    role: str
    unit: str | None = None
    display_name: str | None = None  # default: the name, title-cased


USERS = (
    SeedUser("agent1", "pw-agent1", "agent"),
    SeedUser("callback1", "pw-callback1", "callback"),
    SeedUser("super1", "pw-super1", "supervisor"),
    SeedUser("unit1", "pw-unit1", "unit", "U001"),
    SeedUser("unit2", "pw-unit2", "unit", "U002"),
    SeedUser("admin1", "pw-admin1", "admin"),
)


@dataclass
class Seeded:
    """What a test needs to talk to a seeded server."""

    db_url: str
    seat_tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, SeedUser] = field(default_factory=dict)
    unit_codes: list[str] = field(default_factory=list)

    def password(self, user: str) -> str:
        return self.users[user].password


def unit_records() -> list[dict[str, Any]]:
    """The routing directory the product ships, never a file outside the repository: what
    a test sees must not depend on where the clone sits."""
    lines = UNIT_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def seed_units() -> list[dict[str, Any]]:
    """``unit_records`` with U001's leader always the seed's (the notice tests check it)."""
    records = unit_records()
    for record in records:
        if record["code"] == "U001":
            record["leader"] = LEADER
    return records


@cache
def cheap_hash(password: str) -> str:
    """An argon2 hash with minimal cost: verifying it stays fast in tests."""
    from argon2 import PasswordHasher

    return str(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password))


def seed(
    store: Store,
    seats: Sequence[str] = ("S01", "S02"),
    users: Sequence[SeedUser] = USERS,
    units: list[dict[str, Any]] | None = None,
    *,
    cheap_hashes: bool = True,
) -> Seeded:
    """Migrate and fill ``store``: units (default ``seed_units()``), users, seats (prefix
    ``QD-<seat>``). ``cheap_hashes``: minimal-cost password hashes (tests; not the demo)."""
    store.db.migrate()
    records = seed_units() if units is None else units
    seeded = Seeded(db_url=store.db.url, unit_codes=[r["code"] for r in records])
    with store.transaction() as tx:
        upsert_units(tx, [Unit.from_dict(r) for r in records])
        for user in users:
            add_user(
                tx,
                user.name,
                user.role,
                user.password,
                user.unit,
                user.display_name or user.name.title(),
                password_hash=cheap_hash(user.password) if cheap_hashes else None,
            )
            seeded.users[user.name] = user
        for seat in seats:
            seeded.seat_tokens[seat] = enroll_seat(tx, seat, f"QD-{seat}")
    store.forget_units()
    return seeded


def seeded_store(db_url: str, data_dir: Path, seats: Sequence[str] = ("S01", "S02")) -> Seeded:
    """Seed the database at ``db_url`` (settings from defaults, data in ``data_dir``)."""
    store = Store(Database(db_url), load_settings(env={"WORKSTATION_DATA_DIR": str(data_dir)}))
    try:
        return seed(store, seats)
    finally:
        store.db.dispose()


# -- the server process ----------------------------------------------------------------


class ServerStartError(UserFacingError):
    """The server subprocess exited or did not answer ``/healthz`` in time."""

    code = "server_start"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class ScratchDatabase:
    """A PostgreSQL database made for one run: its URL, the server's admin URL, its name."""

    url: str
    admin_url: str
    name: str


@contextmanager
def scratch_pg_database(base_url: str, prefix: str = "hl_run") -> Iterator[ScratchDatabase]:
    """A fresh database on the PostgreSQL server of ``base_url``, dropped afterwards
    (``WITH (FORCE)``: a server process still connected cannot keep it)."""
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(base_url.replace("postgresql+psycopg://", "postgresql://"))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = plain.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ScratchDatabase(
            plain.set(database=name).render_as_string(hide_password=False), admin, name
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class ServerProcess:
    """``workstation serve`` running in a subprocess; its output goes to ``log_path``."""

    base_url: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] = field(init=False)

    def start(self, limit_s: float = 30) -> None:
        """Start the subprocess and wait (at most ``limit_s``) until it answers."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env
            )
        self.wait_healthy(limit_s)

    def wait_healthy(self, limit_s: float = 30) -> None:
        import httpx

        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                log = self.log_text()
                raise ServerStartError(
                    f"服务器进程已退出（{code}）：\n{log}", f"the server exited ({code}):\n{log}"
                )
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # polling interval, bounded by the deadline above
        log = self.log_text()
        raise ServerStartError(
            f"服务器未在 {limit_s:g} 秒内就绪：\n{log}",
            f"the server did not answer /healthz in {limit_s:g}s:\n{log}",
        )

    def restart(self, limit_s: float = 30) -> None:
        """kill -9 (no clean shutdown), then the same command again."""
        self.process.kill()
        self.process.wait(10)
        self.start(limit_s)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_server(
    db_url: str,
    data_dir: Path,
    *,
    port: int = 0,
    workers: int = 1,
    jobs_interval: float | None = None,
    clock_file: Path | None = None,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
    limit_s: float = 30,
) -> Iterator[ServerProcess]:
    """``workstation serve`` on ``127.0.0.1:port`` (0: a free one) against ``db_url``.

    ``jobs_interval`` sets ``WORKSTATION_JOBS_INTERVAL`` (0: no periodic jobs; None: the
    configured default); ``clock_file`` makes the server read its time from that file while
    it exists. Stopped (SIGTERM, then SIGKILL) on leaving the block.
    """
    port = port or free_port()
    child_env = {
        **os.environ,
        "WORKSTATION_DB_URL": db_url,
        "WORKSTATION_DATA_DIR": str(data_dir),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(SOURCE_ROOT), os.environ.get("PYTHONPATH")) if p
        ),
    }
    if jobs_interval is not None:
        child_env["WORKSTATION_JOBS_INTERVAL"] = str(jobs_interval)
    if clock_file is not None:
        child_env["WORKSTATION_CLOCK_FILE"] = str(clock_file)
    child_env.update(env or {})
    command = [sys.executable, "-m", "hotline.cli", "serve", "--db", db_url,
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"]  # fmt: skip
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_path or data_dir / f"server-{port}.log"
    server = ServerProcess(f"http://127.0.0.1:{port}", command, child_env, log_path)
    server.start(limit_s)
    try:
        yield server
    finally:
        server.stop()


# -- a seeded server for a test ----------------------------------------------------------


@dataclass
class LiveServer:
    """A seeded server: its URL, database, seat tokens and users, and its clock."""

    server: ServerProcess
    db_url: str
    seeded: Seeded
    clock_file: Path | None
    sessions: dict[str, str] = field(default_factory=dict)
    keys: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.server.process

    @property
    def log_path(self) -> Path:
        return self.server.log_path

    @property
    def seat_tokens(self) -> dict[str, str]:
        return self.seeded.seat_tokens

    @property
    def users(self) -> dict[str, SeedUser]:
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
        body = r.json()
        token = str(body["token"])
        self.sessions[user] = token
        self.keys[(user, seat)] = (str(body["session_id"]), str(body["command_key"]))
        return token

    def sign(self, command: dict[str, Any]) -> dict[str, Any]:
        """A command signed as a seat signs it: with the command key of its user's login on
        its seat (``login`` first)."""
        from workstation.wire.commands import command_proof

        if (command["user"], command["seat"]) not in self.keys:
            token = self.sessions.get(command["user"])
            self.login(command["user"], command["seat"])
            if token is not None:  # keep the bearer session the caller holds
                self.sessions[command["user"]] = token
        session_id, key = self.keys[(command["user"], command["seat"])]
        signed = {**command, "session_id": session_id}
        signed["proof"] = command_proof(key, signed)
        return signed

    def push(self, user: str, commands: list[dict[str, Any]], timeout: float = 60) -> Any:
        """POST the commands, each signed (``sign``), as one push batch under ``user``'s
        bearer session; the ``httpx.Response`` (the caller checks it)."""
        import httpx

        signed = [self.sign(c) for c in commands]
        return httpx.post(
            f"{self.base_url}/api/v1/sync/push",
            json={"client_id": signed[0]["client_id"], "commands": signed},
            headers={"Authorization": f"Bearer {self.sessions[user]}"},
            timeout=timeout,
        )

    def restart(self, limit_s: float = 30) -> None:
        """kill -9 the server and start it again on the same port and database."""
        self.server.restart(limit_s)

    def log_text(self) -> str:
        return self.server.log_text()


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
    """Seed a database in ``tmp_path`` (or ``db_url``) and serve it; jobs off by default.

    ``clock``: the server's time starts there and moves only with ``set_now``.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    db_url = db_url or f"sqlite:///{tmp_path / 'central.db'}"
    clock_file = None
    if clock is not None:
        clock_file = tmp_path / "server-clock.txt"
        clock_file.write_text(clock.isoformat(), encoding="utf-8")
    seeded = seeded_store(db_url, tmp_path / "data", seats)
    with running_server(
        db_url,
        tmp_path / "data",
        workers=workers,
        jobs_interval=jobs_interval,
        clock_file=clock_file,
        env=env,
        limit_s=limit_s,
    ) as server:
        yield LiveServer(server, db_url, seeded, clock_file)
