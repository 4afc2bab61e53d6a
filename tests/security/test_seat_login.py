"""A stolen or shared seat: the server's login throttle is not bypassed by the seat.

The seat logs in offline against the hash it cached at the last online login when the
server cannot be reached. A 429 (throttled or locked out) is an answer, not an outage: the
seat must refuse the login, never fall back to its cached hash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from central.testing import start_live_server
from offline_cache.services import SeatServices
from offline_cache.session import LoginFailed

ENV = {"WORKSTATION_SECURITY__LOGIN_DELAY_SECONDS": "600"}


def test_a_throttled_login_is_not_retried_offline(tmp_path: Path) -> None:
    clock = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    (tmp_path / "central").mkdir()
    with start_live_server(tmp_path / "central", clock=clock, env=ENV) as server:
        seat = SeatServices.open(tmp_path / "seat")
        seat.enroll(server.base_url, "S01", server.seat_tokens["S01"])
        password = server.seeded.password("agent1")
        assert seat.login("agent1", password).online  # the hash is now cached on the seat
        for _ in range(3):
            with pytest.raises(LoginFailed):
                seat.login("agent1", "a-guess")
        with pytest.raises(LoginFailed) as refused:  # the right password, while throttled
            seat.login("agent1", password)
        assert "wait" in refused.value.en
        seat.close()
