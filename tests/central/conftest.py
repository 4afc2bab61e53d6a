"""Fixtures for the central server: SQLite and PostgreSQL databases, an in-process API.

PostgreSQL comes from ``WORKSTATION_TEST_PG_URL``; without it the PG cases skip, except
under ``CI=true`` where they fail (a CI that silently skips them proves nothing). Each
test gets a fresh database cloned from a migrated template, so tests are isolated.
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.testing import Seeded, seed

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) - timedelta(hours=8)  # Mon 2026-03-02 09:00 +08:00


def _admin_url(url: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return (
        make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
        .set(database=dbname)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("WORKSTATION_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("WORKSTATION_TEST_PG_URL is not set on CI: PostgreSQL tests must run")
        pytest.skip(
            'PostgreSQL tests need WORKSTATION_TEST_PG_URL (eval "$(.ci/start-postgres.sh)")'
        )
    return url


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> Iterator[str]:
    """A migrated template database for this run; each test clones it."""
    import psycopg

    from central.db import Database

    name = f"hl_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _admin_url(pg_server_url, "postgres").replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(_admin_url(pg_server_url, name))
    db.migrate()
    db.dispose()
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_server_url: str, pg_template: str) -> Iterator[str]:
    import psycopg

    name = f"hl_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_url(pg_server_url, "postgres").replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _admin_url(pg_server_url, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    return str(request.getfixturevalue("pg_url"))


class FakeClock:
    """The server's clock in tests: set or advance it between requests."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now


@dataclass
class Api:
    """A seeded in-process server and helpers to log in, push and pull like a seat."""

    client: Any
    store: Any
    seeded: Seeded
    clock: FakeClock
    tokens: dict[str, str] = field(default_factory=dict)
    issued: dict[str, datetime] = field(default_factory=dict)
    next_mutation: dict[str, int] = field(default_factory=dict)
    keys: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def login(self, user: str, seat: str = "S01") -> str:
        r = self.client.post(
            "/api/v1/auth/login",
            headers={"X-Seat-Token": self.seeded.seat_tokens[seat]},
            json={"user": user, "password": self.seeded.password(user)},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        self.tokens[user] = body["token"]
        self.keys[(user, seat)] = (body["session_id"], body["command_key"])
        self.issued[user] = self.clock.now
        return self.tokens[user]

    def sign(self, command: dict[str, Any], user: str | None = None) -> dict[str, Any]:
        """Sign ``command`` as a seat does, with the command key of ``user`` (default: the
        command's own user) from their login on the command's seat (logging in there if
        needed); a user or seat unknown to the seed stays unsigned."""
        from workstation.wire.commands import command_proof

        user, seat = user or command["user"], command["seat"]
        if user not in self.seeded.users or seat not in self.seeded.seat_tokens:
            return command
        if (user, seat) not in self.keys:
            token = self.tokens.get(user)
            self.login(user, seat)
            if token is not None:  # keep the bearer session the test chose
                self.tokens[user] = token
        session_id, key = self.keys[(user, seat)]
        signed = {**command, "session_id": session_id}
        signed["proof"] = command_proof(key, signed)
        return signed

    def auth(self, user: str) -> dict[str, str]:
        fresh = self.clock.now - self.issued.get(user, self.clock.now) < timedelta(hours=11)
        if user not in self.tokens or not fresh:
            self.login(user, "S02" if user == "unit2" else "S01")
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def command(
        self,
        user: str,
        name: str,
        order_id: str | None = None,
        /,  # positional: ``set_publication`` has an ``order_id`` among its args
        seat: str | None = None,
        client_id: str | None = None,
        mutation_id: int | None = None,
        **args: Any,
    ) -> dict[str, Any]:
        seat = seat or ("S02" if user == "unit2" else "S01")
        client_id = client_id or f"client-{seat}"
        if mutation_id is None:
            mutation_id = self.next_mutation.get(client_id, 1)
        self.next_mutation[client_id] = mutation_id + 1
        command = {
            "op_id": str(uuid.uuid4()),
            "client_id": client_id,
            "mutation_id": mutation_id,
            "order_id": order_id,
            "command": name,
            "args": args,
            "base_version": None,
            "user": user,
            "seat": seat,
            "client_time": self.clock.now.isoformat(),
        }
        return self.sign(command)

    def push(self, user: str, commands: list[dict[str, Any]], gzip_body: bool = False) -> Any:
        """Push as a seat does: on 401 (session expired) log in again and retry once."""
        r = self._push(user, commands, gzip_body)
        if r.status_code == 401:
            self.tokens.pop(user, None)
            r = self._push(user, commands, gzip_body)
        return r

    def _push(self, user: str, commands: list[dict[str, Any]], gzip_body: bool) -> Any:
        body = {
            "client_id": commands[0]["client_id"] if commands else "client-S01",
            "commands": commands,
        }
        if gzip_body:
            raw = gzip.compress(json.dumps(body).encode())
            headers = {
                **self.auth(user),
                "Content-Encoding": "gzip",
                "Content-Type": "application/json",
            }
            return self.client.post("/api/v1/sync/push", content=raw, headers=headers)
        return self.client.post("/api/v1/sync/push", json=body, headers=self.auth(user))

    def do(
        self, user: str, name: str, order_id: str | None = None, /, **args: Any
    ) -> dict[str, Any]:
        """Push one command as ``user`` and return its result."""
        r = self.push(user, [self.command(user, name, order_id, **args)])
        assert r.status_code == 200, r.text
        return r.json()["results"][0]

    def pull_all(self, user: str, cursor: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            r = self.client.get(
                "/api/v1/sync/pull",
                params={"cursor": cursor, "limit": limit},
                headers=self.auth(user),
            )
            assert r.status_code == 200, r.text
            page = r.json()
            out.extend(page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                return out

    def dispatch(
        self,
        order_id: str,
        unit: str = "U001",
        type: str = "complaint",
        seat: str = "S01",
        **extra: Any,
    ) -> dict[str, Any]:
        args = {
            "type": type,
            "content": "小区门口路灯坏了一个月",
            "unit": unit,
            "contact_id": f"C-{order_id}",
            "caller_name": "张三",
            "caller_phone": "13912346025",
            **extra,
        }
        if seat == "S01":
            result = self.do("agent1", "dispatch", order_id, **args)
        else:  # numbered under another seat's prefix: pushed from that seat
            token = self.tokens.get("agent1")
            self.login("agent1", seat)
            cmd = self.command(
                "agent1", "dispatch", order_id, seat=seat, client_id=f"client-{seat}", **args
            )
            result = self.push("agent1", [cmd]).json()["results"][0]
            if token is not None:
                self.tokens["agent1"] = token
        assert result["status"] == "applied", result
        return result


def make_store(db_url: str, clock: FakeClock, tmp_path: Path) -> Any:
    from central.db import Database
    from central.store import Store
    from workstation.config import load_settings

    settings = load_settings(env={"WORKSTATION_DATA_DIR": str(tmp_path / "data")})
    return Store(Database(db_url), settings, clock)


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    from central.app import create_app

    clock = FakeClock()
    store = make_store(db_url, clock, tmp_path)
    seeded = seed(store)
    app = create_app(store, run_jobs=False)
    with TestClient(app) as client:
        yield Api(client, store, seeded, clock)
