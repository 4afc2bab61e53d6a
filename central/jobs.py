"""Periodic jobs: overdue marks, urging and criticism notices, callback tasks and retries;
pruning the login audit and old rate-limit windows.

Every step is an ordinary command (``mark_overdue``, ``urge``, ``criticise``,
``create_callback``) issued by the system actor through the same workflow rules as a
person's, each in its own transaction; so when two server processes race, the second is
simply refused. The ``periodic`` lease (``central.job_lease``) keeps the others from doing
useless work.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import or_, select, update

from central import schema
from central.assist_training import training_round
from central.commands import execute_command
from central.job_lease import JobLease
from central.kb_vectors import embed_round
from central.order_tables import callback_change, load_order
from central.store import Store
from workstation.assessment import RUNNING_STATES
from workstation.errors import UserFacingError
from workstation.models import Actor, OrderState, Role

log = logging.getLogger(__name__)
SYSTEM = Actor(user="system", role=Role.SYSTEM)
PERIODIC_LEASE = "periodic"
RUNNING = tuple(sorted(s.value for s in RUNNING_STATES))
"""Open orders whose deadline the jobs watch: the same states as the assessment's overdue
(``workstation.assessment.RUNNING_STATES``; an extension request pauses the clock)."""


def interval_from(settings: Any) -> float:
    """Seconds between rounds: ``[jobs] interval`` / ``WORKSTATION_JOBS_INTERVAL`` (0: off)."""
    return float(settings.jobs.interval)


def _candidates(store: Store, now: datetime) -> list[tuple[str, str]]:
    o = schema.orders
    running = o.c.state.in_(RUNNING)
    late = o.c.deadline < now
    queries = [
        ("mark_overdue", select(o.c.order_id).where(running, late, o.c.overdue.is_(False))),
        ("urge", select(o.c.order_id).where(running, late, o.c.urged_at.is_(None))),
        (
            "criticise",
            select(o.c.order_id).where(
                running, late, o.c.urged_at.is_not(None), o.c.criticised.is_(False)
            ),
        ),
        ("create_callback", select(o.c.order_id).where(o.c.state == OrderState.REPLIED.value)),
    ]
    out: list[tuple[str, str]] = []
    with store.db.read() as conn:
        for command, stmt in queries:
            out.extend(
                (command, order_id)
                for order_id in conn.execute(stmt.order_by(o.c.order_id)).scalars()
            )
    return out


def _step(store: Store, command: str, order_id: str, now: datetime) -> bool:
    try:
        with store.transaction(now) as tx:
            after, _ = execute_command(store, tx, command, order_id, {}, SYSTEM)
            if command == "create_callback" and after is not None:
                cb = schema.callbacks
                tx.conn.execute(
                    update(cb)
                    .where(cb.c.order_id == order_id)
                    .values(announced_at=after.next_callback_at)
                )
        return True
    except UserFacingError:
        return False  # refused by the rules (e.g. another process did it first)
    except (sa_exc.IntegrityError, sa_exc.OperationalError) as exc:
        log.warning("job %s on %s failed: %s", command, order_id, exc)
        return False


def announce_due_callbacks(store: Store, now: datetime) -> int:
    """Re-show unreached callbacks whose retry time has come (a ``callback`` change)."""
    cb = schema.callbacks
    with store.db.read() as conn:
        due = list(
            conn.execute(
                select(cb.c.order_id).where(
                    cb.c.status == "pending",
                    cb.c.next_at <= now,
                    or_(cb.c.announced_at.is_(None), cb.c.announced_at < cb.c.next_at),
                )
            ).scalars()
        )
    count = 0
    for order_id in due:
        with store.transaction(now) as tx:
            order = load_order(tx, order_id)
            row = tx.conn.execute(
                select(cb.c.status, cb.c.next_at, cb.c.announced_at).where(
                    cb.c.order_id == order_id
                )
            ).one()
            if order is None or row.status != "pending" or row.announced_at == row.next_at:
                continue
            tx.conn.execute(
                update(cb).where(cb.c.order_id == order_id).values(announced_at=row.next_at)
            )
            tx.emit(callback_change(order, due=True))
            count += 1
    return count


def prune_security_records(store: Store, now: datetime) -> dict[str, int]:
    """Delete login audit rows past their retention and rate-limit windows that no longer
    count (``central.login_guard.prune_events``, ``central.rate_limit.prune``)."""
    from central import login_guard, rate_limit

    limits = login_guard.Limits.from_settings(store.settings.security)
    with store.db.write() as conn:
        events = login_guard.prune_events(conn, limits, now)
    return {"auth_events_pruned": events, "rate_buckets_pruned": rate_limit.prune(store.db, now)}


def run_jobs(store: Store, now: datetime | None = None) -> dict[str, int]:
    """One round of every job; returns how many steps each one applied."""
    now = now or store.now()
    counts = {"mark_overdue": 0, "urge": 0, "criticise": 0, "create_callback": 0}
    for command, order_id in _candidates(store, now):
        counts[command] += _step(store, command, order_id, now)
    counts["callbacks_due"] = announce_due_callbacks(store, now)
    counts.update(prune_security_records(store, now))
    return counts


async def job_loop(store: Store, interval_s: float) -> None:
    """Run the jobs every ``interval_s`` seconds while this process holds the lease."""
    lease = JobLease(store.db, PERIODIC_LEASE, ttl_s=interval_s * 2)
    while True:
        try:
            if await asyncio.to_thread(lease.renew):
                counts = await asyncio.to_thread(run_jobs, store)
                if any(counts.values()):
                    log.info("jobs: %s", counts)
                await training_round(store)  # starts a subprocess when a model is due
                await embed_round(store)  # a subprocess when KB articles lack vectors
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed round must not stop the loop
            log.exception("periodic jobs failed")
        await asyncio.sleep(interval_s)
