"""Request rate limits shared by every server process: counters in the database.

A limit held in one process's memory is per process: with N server processes a client
gets N times the limit. Here each bucket (any string: ``"open311:ip:198.51.100.7"``,
``"citizen:ip:..."``) counts in the ``rate_buckets`` table, one row per bucket and window,
so all processes on one database share one count.

Usage, from any route (a thread: it does one short database write)::

    from central.rate_limit import check

    refused = check(store, f"citizen:ip:{address}", limit=20, window_s=60)
    if refused is not None:
        ...  # answer 429 with refused.headers() (Retry-After)

The count is a *sliding window*: requests of the current fixed window plus those of the
previous one, weighted by how much of it still overlaps the last ``window_s`` seconds
(so no client gets twice the limit by straddling a window boundary). A refused request
is not counted (a client that waits for ``Retry-After`` gets through). The increment is
one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE hits < allowed RETURNING`` statement,
atomic on SQLite and PostgreSQL alike: two processes can never both take the last slot.
Windows older than two window lengths are deleted, at most once a minute per process.

A bucket name belongs to one ``window_s`` (use another name for another window); its
``limit`` may change between calls (it is read from the settings on each request).
Names longer than 160 characters are replaced by a hash, so a client-chosen part cannot
grow the table's keys.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import delete, select

from central import schema
from central.db import Database
from central.errors import HTTPError

MAX_BUCKET = 160
PRUNE_EVERY_S = 60.0
_last_prune: WeakKeyDictionary[Database, float] = WeakKeyDictionary()


@dataclass(frozen=True)
class RetryAfter:
    """A refused request: the bucket is full; one more fits after ``seconds``."""

    seconds: int
    limit: int
    window_s: int

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.seconds)}


class RateLimited(HTTPError):
    """Too many requests (429) with ``Retry-After``; for JSON routes (``HTTPError``)."""

    code = "rate_limited"
    status = 429

    def __init__(self, refused: RetryAfter) -> None:
        super().__init__(
            f"请求过于频繁，请 {refused.seconds} 秒后再试",
            f"too many requests: retry in {refused.seconds} s",
            retry_after=refused.seconds,
        )
        self.retry_after = refused.seconds


def bucket_key(bucket: str) -> str:
    """``bucket`` as stored: itself when short, else a prefix and its SHA-256."""
    if len(bucket) <= MAX_BUCKET and bucket.isprintable():
        return bucket
    digest = hashlib.sha256(bucket.encode("utf-8", "backslashreplace")).hexdigest()
    return "sha256:" + digest


def check(store: Any, bucket: str, *, limit: int, window_s: int) -> RetryAfter | None:
    """Count one request against ``bucket`` at the store's clock; None when it is within
    ``limit`` requests per ``window_s`` seconds, else how long to wait (not counted)."""
    return hit(store.db, bucket, limit=limit, window_s=window_s, now=store.now())


def hit(
    db: Database, bucket: str, *, limit: int, window_s: int, now: datetime
) -> RetryAfter | None:
    """``check`` with an explicit database and time (tests, jobs)."""
    if limit < 1 or window_s < 1:
        raise ValueError("limit and window_s must be at least 1")
    key = bucket_key(bucket)
    moment = now.timestamp()
    start = int(moment // window_s) * window_s
    overlap = 1.0 - (moment - start) / window_s  # share of the previous window still counted
    rb = schema.rate_buckets
    with db.write() as conn:
        previous = conn.execute(
            select(rb.c.hits).where(rb.c.bucket == key, rb.c.window_start == start - window_s)
        ).scalar()
        carried = math.ceil((previous or 0) * overlap - 1e-9)
        allowed = limit - carried
        counted = current = None
        if allowed >= 1:
            counted = conn.execute(
                _upsert(db), {"bucket": key, "window_start": start,
                              "expires_at": start + 2 * window_s, "allowed": allowed}
            ).scalar()  # fmt: skip
        if counted is None:
            current = conn.execute(
                select(rb.c.hits).where(rb.c.bucket == key, rb.c.window_start == start)
            ).scalar()
    _maybe_prune(db, now)
    if counted is not None:
        return None
    return RetryAfter(
        _wait(limit, window_s, moment - start, previous or 0, current or 0), limit, window_s
    )


def _wait(limit: int, window_s: int, elapsed: float, previous: int, current: int) -> int:
    """Seconds until one more request fits: within this window when the previous one's
    weight falls enough, else into the next window (where this one becomes the previous)."""
    room = limit - 1 - current  # what the previous window's weight must fall to
    if room >= 0 and previous > 0:
        at = window_s * (1 - room / previous)  # elapsed time when ceil(previous*w) <= room
        return max(1, math.ceil(at - elapsed))
    rest = window_s - elapsed
    if current <= limit - 1:
        return max(1, math.ceil(rest))
    return max(1, math.ceil(rest + window_s * (1 - (limit - 1) / current)))


def _upsert(db: Database) -> Any:
    """One statement: insert the window's row with count 1, or add one while below the
    allowance; returns the new count, or no row when the bucket is full."""
    from sqlalchemy import bindparam

    rb = schema.rate_buckets
    if db.is_postgres:
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = insert(rb).values(
        bucket=bindparam("bucket"),
        window_start=bindparam("window_start"),
        hits=1,
        expires_at=bindparam("expires_at"),
    )
    return stmt.on_conflict_do_update(
        index_elements=[rb.c.bucket, rb.c.window_start],
        set_={"hits": rb.c.hits + 1},
        where=rb.c.hits < bindparam("allowed"),
    ).returning(rb.c.hits)


def prune(db: Database, now: datetime) -> int:
    """Delete windows that no longer count (older than two window lengths)."""
    rb = schema.rate_buckets
    with db.write() as conn:
        return conn.execute(delete(rb).where(rb.c.expires_at <= int(now.timestamp()))).rowcount


def _maybe_prune(db: Database, now: datetime) -> None:
    last = _last_prune.get(db)
    tick = time.monotonic()
    if last is not None and tick - last < PRUNE_EVERY_S:
        return
    _last_prune[db] = tick
    prune(db, now)
