"""Issue 13, item 7: 40 wrong logins at once stalled every other request for seconds.

A real server (uvicorn in a subprocess, real argon2 cost for the dummy hash of unknown
names) takes a storm of 40 concurrent wrong logins; a health request sent while they are
being hashed answers while most of the storm is still waiting for its hashes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from central.testing import start_live_server

STORM = 40
ENV = {
    "WORKSTATION_SECURITY__LOGIN_MAX_FAILURES": "1000",  # the pool is under test, not the
    "WORKSTATION_SECURITY__LOGIN_ADDRESS_MAX_FAILURES": "1000",  # throttle
    "WORKSTATION_SECURITY__HASH_WORKERS": "2",
    "WORKSTATION_SECURITY__HASH_QUEUE": "64",
}


async def storm(base: str, seat_token: str) -> tuple[Any, int, list[Any]]:
    import httpx

    limits = httpx.Limits(max_connections=STORM + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        logins = [
            asyncio.create_task(
                client.post(
                    "/api/v1/auth/login",
                    headers={"X-Seat-Token": seat_token},
                    json={"user": f"nobody{i}", "password": "wrong"},
                )
            )
            for i in range(STORM)
        ]
        await asyncio.wait(logins, return_when=asyncio.FIRST_COMPLETED)  # the storm is on
        health = await client.get("/healthz")
        still_hashing = sum(not t.done() for t in logins)
        answers = await asyncio.gather(*logins)
    return health, still_hashing, answers


def test_health_answers_during_a_login_storm(tmp_path: Path) -> None:
    """On SQLite only: the hashing pool is the same on both, and a storm takes ~20 s here."""
    with start_live_server(tmp_path, env=ENV) as server:
        health, still_hashing, answers = asyncio.run(
            storm(server.base_url, server.seat_tokens["S01"])
        )
    assert health.status_code == 200
    assert still_hashing >= STORM // 2, "health waited for the storm"
    assert {a.status_code for a in answers} == {401}
