"""The seat side of command proofs and cursors (issue 13, items 1 and 5), against a real
server (uvicorn in a subprocess, SQLite) and a real seat database.

A seat signs each command when it is written, with the key of the user logged in; the
key lives in the seat's session row only while that user is logged in (sealed under
their password otherwise). Commands queued by a user who then logged out still sync as
theirs; a revoked user's queued commands come back as sync problems; a pull cursor ahead
of the server is reset and reported.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from central.testing import LiveServer, start_live_server
from offline_cache.services import SeatServices
from offline_cache.session import LoginFailed
from tests.offline_cache.conftest import FORM
from tests.offline_cache.helpers import server_orders
from workstation.intake_form import IntakeForm

CLOCK = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_live_server(tmp_path_factory.mktemp("central"), clock=CLOCK) as srv:
        yield srv


def seat_as(server: LiveServer, path: Path, user: str) -> SeatServices:
    seat = SeatServices.open(path)
    seat.enroll(server.base_url, "S01", server.seat_tokens["S01"])
    seat.login(user, server.seeded.password(user))
    return seat


def test_a_logged_out_users_queued_commands_sync_as_theirs(
    server: LiveServer, tmp_path: Path
) -> None:
    seat = seat_as(server, tmp_path / "seat", "agent1")
    number = seat.dispatch(IntakeForm.parse({**FORM, "content": "登出前的工单"}))
    row = seat.db.query("SELECT session_id, proof FROM outbox WHERE order_id=?", (number,))[0]
    assert row["session_id"] and len(row["proof"]) == 64  # signed when written
    seat.logout()
    assert "command_key" not in (seat.db.get_meta("session") or "")
    seat.login("super1", server.seeded.password("super1"))  # the next user pushes it
    status = asyncio.run(seat.sync_once())
    assert status.pending == 0 and status.problems == 0
    order = server_orders(server)[number]
    assert order["created_by"] == "agent1"
    seat.close()


def test_the_key_is_kept_only_sealed_and_offline_login_unseals_it(
    server: LiveServer, tmp_path: Path
) -> None:
    seat = seat_as(server, tmp_path / "seat", "agent1")
    online = json.loads(seat.db.get_meta("session") or "{}")
    seat.logout()
    stored = seat.db.query("SELECT session_id, key_sealed FROM users WHERE user='agent1'")[0]
    raw = (tmp_path / "seat" / "seat.sqlite3").read_bytes()
    assert online["command_key"].encode() not in raw  # only the sealed form is on disk
    assert stored["key_sealed"] != online["command_key"]
    # offline (the server unreachable): the cached hash logs in and unseals the same key
    seat.db.conn.execute("UPDATE meta SET value='http://127.0.0.1:9' WHERE key='server_url'")
    assert not seat.login("agent1", server.seeded.password("agent1")).online
    offline = json.loads(seat.db.get_meta("session") or "{}")
    assert offline["command_key"] == online["command_key"]
    assert offline["session_id"] == online["session_id"] == stored["session_id"]
    seat.logout()
    with pytest.raises(LoginFailed):
        seat.login("agent1", "wrong")
    seat.close()


def test_a_revoked_users_queued_commands_become_sync_problems(
    server: LiveServer, tmp_path: Path
) -> None:
    from central.accounts import add_user, revoke_user
    from central.changes import transaction
    from central.db import Database
    from central.testing import cheap_hash

    db = Database(server.db_url)
    with transaction(db, CLOCK) as tx:
        add_user(tx, "agent9", "agent", "pw-agent9", None, password_hash=cheap_hash("pw-agent9"))
    seat = SeatServices.open(tmp_path / "seat")
    seat.enroll(server.base_url, "S01", server.seat_tokens["S01"])
    seat.login("agent9", "pw-agent9")
    number = seat.dispatch(IntakeForm.parse({**FORM, "content": "停用前的工单"}))
    seat.logout()
    with transaction(db, CLOCK) as tx:
        revoke_user(tx, "agent9")
    db.dispose()
    seat.login("agent1", server.seeded.password("agent1"))
    status = asyncio.run(seat.sync_once())
    assert status.pending == 0 and status.problems == 1
    (problem,) = seat.problems()
    assert problem.order_id == number and problem.user == "agent9"
    assert problem.reason["code"] == "bad_proof" and problem.message("en")
    assert number not in server_orders(server)
    seat.close()


def test_a_cursor_ahead_of_the_server_is_reset_and_reported(
    server: LiveServer, tmp_path: Path
) -> None:
    seat = seat_as(server, tmp_path / "seat", "agent1")
    number = seat.dispatch(IntakeForm.parse({**FORM, "content": "游标测试"}))
    asyncio.run(seat.sync_once())
    with seat.db.transaction() as conn:
        conn.execute("UPDATE meta SET value='999999999' WHERE key='cursor'")
        conn.execute("DELETE FROM server_orders")
    status = asyncio.run(seat.sync_once())
    assert status.online and status.problems == 1
    (problem,) = seat.problems()
    assert problem.command == "pull" and problem.reason["code"] == "cursor_reset"
    assert problem.reason["server"]["error"] == "cursor_ahead"
    assert int(seat.db.get_meta("cursor") or 0) < 999999999
    assert seat.order(number) is not None  # the full re-pull brought the orders back
    assert seat.db.scalar("SELECT COUNT(*) FROM server_orders") >= 1
    seat.close()
