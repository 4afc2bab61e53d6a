"""Fixtures: seats that work offline (enrolled by hand, users cached as after a login)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from offline_cache.db import set_meta
from offline_cache.services import SeatServices

DEAD_SERVER = "http://127.0.0.1:9"  # nothing listens: connection refused at once


def offline_seat(
    data_dir: Path,
    user: str = "agent1",
    role: str = "agent",
    unit: str | None = None,
    seat: str = "S07",
    password: str = "pw",
) -> SeatServices:
    """A seat enrolled earlier whose user logged in online once; the server is gone now."""
    from argon2 import PasswordHasher

    services = SeatServices.open(data_dir)
    with services.db.transaction() as conn:
        if not services.db.get_meta("seat"):
            set_meta(conn, "seat", seat)
            set_meta(conn, "prefix", f"QD-{seat}")
            set_meta(conn, "client_id", f"client-{seat}-{data_dir.name}")
            set_meta(conn, "server_url", DEAD_SERVER)
            set_meta(conn, "seat_token", "t")
        conn.execute(
            "INSERT OR REPLACE INTO users(user, password_hash, role, unit, display_name)"
            " VALUES (?,?,?,?,?)",
            (user, PasswordHasher(time_cost=1, memory_cost=8192).hash(password), role, unit, user),
        )
    services.login(user, password)
    return services


@pytest.fixture
def seat(tmp_path: Path) -> Callable[..., SeatServices]:
    made: list[SeatServices] = []

    def make(name: str = "seat", **kwargs: object) -> SeatServices:
        s = offline_seat(tmp_path / name, **kwargs)  # type: ignore[arg-type]
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


FORM = {
    "type": "complaint",
    "channel": "phone",
    "content": "小区楼下夜间施工噪音扰民",
    "caller_name": "张三",
    "caller_phone": "13912346025",
    "unit": "U001",
}
