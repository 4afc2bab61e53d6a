"""A real central server for the report, Open311 and fuzz tests: a SQLite file in tmp_path
(or PostgreSQL when ``WORKSTATION_TEST_PG_URL`` is set), a movable clock, units, users,
a seat, and orders made through the server's own command path (``execute_command``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "pw-123456"
UNITS = {
    "U001": "启东市汇龙镇人民政府",
    "U002": "启东市南阳镇人民政府",
    "U003": "启东市北新镇人民政府",
}
USERS = [
    ("sup", "supervisor", None),
    ("adm", "admin", None),
    ("agent1", "agent", None),
    ("cb1", "callback", None),
    ("u1", "unit", "U001"),
    ("u2", "unit", "U002"),
]


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def db_urls() -> list[Any]:
    urls: list[Any] = ["sqlite"]
    if os.environ.get("WORKSTATION_TEST_PG_URL"):
        urls.append(pytest.param("postgres", marks=pytest.mark.postgres))
    return urls


def fresh_database(kind: str, tmp_path: Path) -> Any:
    from central.db import Database

    if kind == "sqlite":
        return Database(f"sqlite:///{tmp_path / 'central.db'}")
    from sqlalchemy import text

    from central import schema

    db = Database(os.environ["WORKSTATION_TEST_PG_URL"], pool_size=2)
    with db.write() as conn:
        schema.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS schema_migrations"))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    return db


@dataclass
class Server:
    store: Any
    clock: Clock
    seat_token: str
    client: Any = None
    tokens: dict[str, str] = field(default_factory=dict)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    def actor(self, user: str) -> Any:
        from workstation.models import Actor, Role

        if user == "system":
            return Actor("system", Role.SYSTEM)
        role, unit = {u: (r, n) for u, r, n in USERS}[user]
        return Actor(user, Role(role), unit, "S01")

    def run(
        self, command: str, order_id: str, args: dict[str, Any], user: str, at: datetime
    ) -> Any:
        from central.commands import execute_command

        self.clock.now = at
        with self.store.transaction() as tx:
            order, _ = execute_command(self.store, tx, command, order_id, args, self.actor(user))
        return order

    def login(self, user: str) -> dict[str, str]:
        """Bearer headers for ``user`` (logged in once, at the clock's current time)."""
        if user in self.tokens:
            return {"Authorization": f"Bearer {self.tokens[user]}"}
        response = self.client.post(
            "/api/v1/auth/login",
            json={"user": user, "password": PASSWORD},
            headers={"X-Seat-Token": self.seat_token},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        self.tokens[user] = body["token"]
        self.keys[user] = (body["session_id"], body["command_key"])
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def sign(self, command: dict[str, Any]) -> dict[str, Any]:
        """A command signed with its user's command key, as the seat signs it."""
        from workstation.wire.commands import command_proof

        self.login(command["user"])
        session_id, key = self.keys[command["user"]]
        signed = {**command, "session_id": session_id}
        signed["proof"] = command_proof(key, signed)
        return signed


def cheap_password_hashing() -> None:
    """argon2 with minimal cost: the tests add users and log in often (0.6 s each otherwise)."""
    from argon2 import PasswordHasher

    from central import security

    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    security._hasher = lambda: fast  # type: ignore[assignment]


def make_server(kind: str, tmp_path: Path, now: datetime) -> Server:
    from fastapi.testclient import TestClient

    cheap_password_hashing()
    from central.accounts import add_user, enroll_seat, upsert_units
    from central.app import create_app
    from central.store import Store
    from workstation.config import Settings
    from workstation.models import Unit

    clock = Clock(now)
    store = Store(fresh_database(kind, tmp_path), Settings(data_dir=tmp_path), clock)
    store.db.migrate()
    with store.transaction() as tx:
        upsert_units(tx, [Unit(code, name) for code, name in UNITS.items()])
        for name, role, unit in USERS:
            add_user(tx, name, role, PASSWORD, unit)
        token = enroll_seat(tx, "S01", "QD-S01")
    server = Server(store, clock, token)
    server.client = TestClient(create_app(store, run_jobs=False), raise_server_exceptions=False)
    return server
