"""Seats for tests, benchmarks and the UI snapshots, built without a server.

``enroll_offline`` makes a seat database look as if it had enrolled with the central server
and as if each user had logged in online once (the cached argon2 hash that an offline login
checks); ``offline_seat`` opens such a seat with one user logged in. The server URL points
at a port where nothing listens (``DEAD_SERVER``), so every login takes the offline path,
exactly as on a seat with no network. For a seat against a real server see
``central.testing.start_live_server``; for a weak link between them, ``offline_cache.fault_proxy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from offline_cache.db import set_meta
from offline_cache.services import SeatServices

DEAD_SERVER = "http://127.0.0.1:9"  # nothing listens: connection refused at once

SeatUsers = Mapping[str, tuple[str, str | None, str]]
"""user -> (role, unit or None, display name)."""


def enroll_offline(
    services: SeatServices,
    users: SeatUsers,
    password: str,
    *,
    seat: str = "S07",
    client_id: str = "test-client",
    server_url: str = DEAD_SERVER,
) -> None:
    """Enrol ``services`` as ``seat`` (prefix ``QD-<seat>``) unless it already is, and cache
    ``users`` with ``password`` as after an online login (without a server)."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=1, memory_cost=8192)
    with services.db.transaction() as conn:
        if not services.db.get_meta("seat"):
            set_meta(conn, "seat", seat)
            set_meta(conn, "prefix", f"QD-{seat}")
            set_meta(conn, "client_id", client_id)
            set_meta(conn, "server_url", server_url)
            set_meta(conn, "seat_token", "t")
        for user, (role, unit, name) in users.items():
            conn.execute(
                "INSERT OR REPLACE INTO users(user, password_hash, role, unit, display_name)"
                " VALUES (?,?,?,?,?)",
                (user, hasher.hash(password), role, unit, name),
            )


def offline_seat(
    data_dir: Path,
    user: str = "agent1",
    role: str = "agent",
    unit: str | None = None,
    seat: str = "S07",
    password: str = "pw",
) -> SeatServices:
    """A seat enrolled earlier whose ``user`` logged in online once; the server is gone now.

    Opening it again with another ``user`` adds that user to the same seat."""
    services = SeatServices.open(data_dir)
    client_id = f"client-{seat}-{data_dir.name}"
    enroll_offline(services, {user: (role, unit, user)}, password, seat=seat, client_id=client_id)
    services.login(user, password)
    return services
