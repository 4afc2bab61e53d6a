"""Helpers for tests against a real server: seats, server-side checks, CLI subprocesses."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from offline_cache.services import SeatServices
from offline_cache.sync_client import Timeouts

REPO = Path(__file__).resolve().parents[2]
FAST = Timeouts(connect=2.0, read=5.0, write=5.0, pool=2.0)


def live_seat(
    server: Any,
    data_dir: Path,
    seat: str,
    user: str,
    url: str | None = None,
) -> SeatServices:
    """Enrol ``seat`` and log ``user`` in online (directly, not through a proxy)."""
    s = SeatServices.open(data_dir)
    s.enroll(server.base_url, seat, server.seat_tokens[seat])
    s.login(user, server.seeded.password(user))
    if url is not None:
        s.db.conn.execute("UPDATE meta SET value=? WHERE key='server_url'", (url,))
    s.sync_timeouts = FAST
    return s


def server_db(server: Any) -> sqlite3.Connection:
    return sqlite3.connect(server.db_url.removeprefix("sqlite:///"))


def server_orders(server: Any) -> dict[str, dict[str, Any]]:
    with server_db(server) as conn:
        rows = conn.execute("SELECT order_id, snapshot FROM orders").fetchall()
    return {order_id: json.loads(snap) for order_id, snap in rows}


def server_mutations(server: Any, client_id: str) -> list[tuple[int, str, str]]:
    with server_db(server) as conn:
        return conn.execute(
            "SELECT mutation_id, op_id, status FROM mutations WHERE client_id=? "
            "ORDER BY mutation_id",
            (client_id,),
        ).fetchall()


def local_ops(s: SeatServices) -> list[tuple[int, str]]:
    return [
        (r["mutation_id"], r["op_id"])
        for r in s.db.query("SELECT mutation_id, op_id FROM outbox ORDER BY mutation_id")
    ]


def seat_snapshots(s: SeatServices) -> dict[str, dict[str, Any]]:
    return {
        r["order_id"]: json.loads(r["snapshot"])
        for r in s.db.query("SELECT order_id, snapshot FROM server_orders")
    }


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


def pull_page(s: SeatServices, cursor: int, page: dict[str, Any]) -> list[str]:
    """Apply a pull page (as the server would send it) to a seat, as a sync round does."""
    from offline_cache.apply import apply_page
    from workstation.wire.sync import PullPage

    parsed = PullPage.model_validate({"has_more": False, **page})
    return apply_page(s.db, cursor, parsed, s.context(), lambda: s.kb_writer)


def push_results(s: SeatServices, response: dict[str, Any]) -> list[str]:
    """Apply a push response to a seat, as a sync round does; the changed order ids."""
    from offline_cache.apply import apply_results
    from workstation.wire.sync import PUSH_RESPONSE

    parsed = PUSH_RESPONSE.validate_python(response)
    return apply_results(s.db, parsed, s.context(), s.now())[0]
