"""Seed a central-server database for tests: routing directory, users of each role, seats.

Shared by the in-process fixtures and ``live_server``. The routing directory is the one the
product ships (``workstation/data/units.jsonl``), never a file outside the repository: what
a test sees must not depend on where the clone sits. Unit U001's leader is always the seed's
``LEADER``, whatever the directory says, since the notice tests check its name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
UNIT_FILE = REPO / "workstation" / "data" / "units.jsonl"
LEADER = "分管副市长 王明"


@dataclass(frozen=True)
class SeedUser:
    name: str
    password: str
    role: str
    unit: str | None = None


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
    lines = UNIT_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@cache
def cheap_hash(password: str) -> str:
    """An argon2 hash with minimal cost: verifying it stays fast in tests."""
    from argon2 import PasswordHasher

    return str(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password))


def seed(store: Any, seats: tuple[str, ...] = ("S01", "S02")) -> Seeded:
    """Migrate and fill ``store`` (a central.store.Store); returns tokens and users."""
    from central.accounts import add_user, enroll_seat, upsert_units
    from workstation.models import Unit

    store.db.migrate()
    records = unit_records()
    for record in records:
        if record["code"] == "U001":
            record["leader"] = LEADER
    seeded = Seeded(db_url=store.db.url, unit_codes=[r["code"] for r in records])
    with store.transaction() as tx:
        upsert_units(tx, [Unit.from_dict(r) for r in records])
        for user in USERS:
            add_user(
                tx,
                user.name,
                user.role,
                user.password,
                user.unit,
                user.name.title(),
                password_hash=cheap_hash(user.password),
            )
            seeded.users[user.name] = user
        for seat in seats:
            seeded.seat_tokens[seat] = enroll_seat(tx, seat, f"QD-{seat}")
    store.forget_units()
    return seeded
