"""Fixtures of the adversarial suite: a seeded server on SQLite and on PostgreSQL.

The databases come from ``tests/central/conftest.py`` (``db_url`` is parametrised over
both; PostgreSQL from ``WORKSTATION_TEST_PG_URL``). Each test gets a real app over a real
database, reached through ``TestClient`` from a chosen client address, with a movable
clock, so throttling and lockouts are tested by moving time, never by waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from central.testing import Seeded, seed
from tests.central.conftest import (  # noqa: F401  (fixtures)
    FakeClock,
    api,
    db_url,
    make_store,
    pg_server_url,
    pg_template,
    pg_url,
)

ATTACKER = "198.51.100.7"
BYSTANDER = "203.0.113.9"
LIMITS = {
    "login_max_failures": 5,
    "login_address_max_failures": 20,
    "login_window_minutes": 15,
    "login_lockout_minutes": 15,
    "login_delay_after": 3,
    "login_delay_seconds": 2,
}


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with the seeded users' minimal cost, so a dummy verify costs what a real one
    does here too (the default costs 0.1-0.5 s a hash)."""
    from argon2 import PasswordHasher

    from central import security

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(security, "_hasher", lambda: fast)


@dataclass
class Secure:
    """A seeded server: its app, store, clock, and clients from chosen addresses."""

    store: Any
    seeded: Seeded
    clock: FakeClock
    app: Any = None
    clients: dict[str, Any] = field(default_factory=dict)

    def configure(self, section: str, **update: Any) -> None:
        """Change ``[section]`` settings of the running app (throttles read them per call)."""
        settings = self.store.settings
        changed = getattr(settings, section).model_copy(update=update)
        self.store.settings = settings.model_copy(update={section: changed})
        for state in ("open311_limiter", "open311_key_limiter", "hash_pool"):
            if hasattr(self.app.state, state):
                setattr(self.app.state, state, None)

    def client(self, address: str = ATTACKER) -> Any:
        if address not in self.clients:
            from fastapi.testclient import TestClient

            client = TestClient(self.app, client=(address, 40000), raise_server_exceptions=False)
            self.clients[address] = client.__enter__()
        return self.clients[address]

    def login(
        self, user: str, password: str | None = None, address: str = ATTACKER, **headers: str
    ) -> Any:
        return self.client(address).post(
            "/api/v1/auth/login",
            headers={"X-Seat-Token": self.seeded.seat_tokens["S01"], **headers},
            json={"user": user, "password": password or self.seeded.password(user)},
        )

    def bearer(self, user: str) -> dict[str, str]:
        r = self.login(user, address="192.0.2.200")
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}


def build(db_url: str, tmp_path: Path, **security: Any) -> Secure:  # noqa: F811
    from central.app import create_app

    clock = FakeClock()
    store = make_store(db_url, clock, tmp_path)
    settings = store.settings
    store.settings = settings.model_copy(
        update={"security": settings.security.model_copy(update={**LIMITS, **security})}
    )
    seeded = seed(store)
    secure = Secure(store, seeded, clock)
    secure.app = create_app(store, run_jobs=False)
    return secure


@pytest.fixture
def secure(db_url: str, tmp_path: Path) -> Iterator[Secure]:  # noqa: F811
    server = build(db_url, tmp_path)
    yield server
    for client in server.clients.values():
        client.__exit__(None, None, None)
