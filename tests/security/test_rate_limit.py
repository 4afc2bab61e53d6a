"""Rate limits shared by every server process (issue 13, item 8; ``central.rate_limit``).

The Open311 limiter kept its counts in each process's memory: N server processes gave a
client N times the limit. The counts now live in ``rate_buckets``: two apps on one
database (SQLite file or PostgreSQL) share one limit, concurrent requests never take the
same last slot twice, and time is moved with the clock, never waited for.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from central import rate_limit, schema
from central.db import Database
from tests.security.conftest import ATTACKER, Secure, build

FORM = {"service_code": "QD-021", "description": "请问公积金怎么提取"}
POST = "/open311/v2/requests.json"


def hits(db: Database, bucket: str, now: Any, limit: int, window_s: int = 60) -> list[bool]:
    """Whether each of ``limit + 2`` requests at ``now`` was let through."""
    return [
        rate_limit.hit(db, bucket, limit=limit, window_s=window_s, now=now) is None
        for _ in range(limit + 2)
    ]


def test_two_apps_on_one_database_share_one_limit(db_url: str, tmp_path: Path) -> None:
    """Two server instances (their own app, store and connection pool) over one database:
    the address's 3 posts a minute are 3 in all, not 3 each."""
    first = build(db_url, tmp_path / "one")
    second = Secure(first.store.__class__(Database(db_url), first.store.settings, first.clock),
                    first.seeded, first.clock)  # fmt: skip
    from central.app import create_app

    second.app = create_app(second.store, run_jobs=False)
    for server in (first, second):
        server.configure("open311", rate_per_minute=3)
    answers = [
        server.client().post(POST, data=FORM).status_code
        for server in (first, second, first, second, first, second)
    ]
    assert answers == [200, 200, 200, 429, 429, 429]
    refused = second.client().post(POST, data=FORM)
    assert int(refused.headers["retry-after"]) >= 1
    first.clock.advance(minutes=2)  # both apps read the same clock
    assert second.client().post(POST, data=FORM).status_code == 200
    for server in (first, second):
        for client in server.clients.values():
            client.__exit__(None, None, None)
    second.store.db.dispose()


def test_concurrent_requests_never_share_the_last_slot(secure: Secure) -> None:
    """Eight threads on four connection pools hit one bucket 40 times: exactly the limit
    gets through (one atomic UPSERT per request)."""
    dbs = [Database(secure.store.db.url) for _ in range(4)]
    now = secure.clock.now
    allowed: list[bool] = []
    lock = threading.Lock()

    def worker(db: Database) -> None:
        for _ in range(5):
            result = rate_limit.hit(db, "race", limit=7, window_s=60, now=now) is None
            with lock:
                allowed.append(result)

    threads = [threading.Thread(target=worker, args=(dbs[i % 4],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in dbs:
        db.dispose()
    assert len(allowed) == 40
    assert sum(allowed) == 7


def test_a_refused_request_is_not_counted_and_says_when_to_retry(secure: Secure) -> None:
    db, start = secure.store.db, secure.clock.now.replace(second=0, microsecond=0)
    assert hits(db, "a", start, limit=3) == [True, True, True, False, False]
    refused = rate_limit.hit(db, "a", limit=3, window_s=60, now=start)
    assert refused is not None and refused.headers() == {"Retry-After": str(refused.seconds)}
    assert refused.seconds > 60  # the previous window still weighs in after the boundary
    later = start + timedelta(seconds=refused.seconds)
    assert rate_limit.hit(db, "a", limit=3, window_s=60, now=later) is None
    assert rate_limit.hit(db, "a", limit=3, window_s=60, now=later) is not None
    assert hits(db, "b", start, limit=3) == [True, True, True, False, False]  # its own bucket


def test_straddling_a_window_boundary_does_not_double_the_limit(secure: Secure) -> None:
    """5 a minute: 5 just before a boundary and a burst just after it let 0 more through;
    half a minute later the previous window weighs half."""
    db = secure.store.db
    boundary = secure.clock.now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    before = boundary - timedelta(seconds=1)
    assert sum(hits(db, "edge", before, limit=5)) == 5
    assert sum(hits(db, "edge", boundary + timedelta(seconds=1), limit=5)) == 0
    assert sum(hits(db, "edge", boundary + timedelta(seconds=30), limit=5)) == 2
    assert sum(hits(db, "edge", boundary + timedelta(seconds=60), limit=5)) == 3
    # any 60 s that ends here held at most 5: the 2 at +30 s and these 3


def test_the_limit_read_on_each_call_applies_at_once(secure: Secure) -> None:
    db, now = secure.store.db, secure.clock.now
    assert sum(hits(db, "changing", now, limit=2)) == 2
    assert sum(hits(db, "changing", now, limit=4)) == 2  # raised: two more
    assert sum(hits(db, "changing", now, limit=1)) == 0


def test_old_windows_are_pruned(secure: Secure) -> None:
    db, now = secure.store.db, secure.clock.now
    for i in range(5):
        rate_limit.hit(db, f"client-{i}", limit=3, window_s=60, now=now)
    rb = schema.rate_buckets

    def rows() -> int:
        with db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(rb)).scalar_one())

    assert rate_limit.prune(db, now + timedelta(seconds=60)) == 0  # still weighs
    assert rows() == 5
    assert rate_limit.prune(db, now + timedelta(seconds=121)) == 5
    assert rows() == 0


def test_a_long_or_odd_bucket_name_is_stored_as_a_hash(secure: Secure) -> None:
    db, now = secure.store.db, secure.clock.now
    long_name = "ip:" + "x" * 10_000
    assert hits(db, long_name, now, limit=1) == [True, False, False]
    assert hits(db, "ip:\ud800", now, limit=1) == [True, False, False]
    with db.read() as conn:
        keys = set(conn.execute(select(schema.rate_buckets.c.bucket)).scalars())
    assert all(len(k) <= 200 for k in keys) and len(keys) == 2


def test_open311_posts_from_one_address_count_across_servers(secure: Secure) -> None:
    """The Open311 route uses the shared limiter: the count survives a new app (as after
    a restart, or on another process) on the same database."""
    from fastapi.testclient import TestClient

    from central.app import create_app

    secure.configure("open311", rate_per_minute=2)
    assert [secure.client().post(POST, data=FORM).status_code for _ in range(2)] == [200, 200]
    other = create_app(secure.store, run_jobs=False)
    with TestClient(other, client=(ATTACKER, 40001)) as client:
        assert client.post(POST, data=FORM).status_code == 429
