"""The job lease (``job_leases``): one server process at a time runs a named job.

The periodic jobs (``central.jobs``) renew the ``periodic`` lease every round and never
give it back (it lapses when the process dies); assist training (``central.assist_training``)
holds the ``assist_training`` lease for one run and releases it at the end. Expiry is on
the wall clock of the process that writes it, never on the server's (test) clock.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update

from central import schema
from central.db import Database

_RELEASED = datetime(2000, 1, 1, tzinfo=UTC)


def process_holder() -> str:
    """A holder name unique to this process and lease object (host, pid, random)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class JobLease:
    """The lease ``name`` as held by ``holder``, for ``ttl_s`` seconds at a time."""

    db: Database
    name: str
    ttl_s: float
    holder: str = field(default_factory=process_holder)

    def acquire(self) -> bool:
        """Take the lease for ``ttl_s`` if it is free, expired or already ours (a renewal);
        False while another holder's lease runs."""
        now = datetime.now(UTC)
        lease = schema.job_leases
        values = {"holder": self.holder, "expires_at": now + timedelta(seconds=self.ttl_s)}
        with self.db.write() as conn:
            if self.db.insert_ignore(conn, lease, {"name": self.name, **values}):
                return True
            taken = conn.execute(
                update(lease)
                .where(
                    lease.c.name == self.name,
                    or_(lease.c.holder == self.holder, lease.c.expires_at < now),
                )
                .values(**values)
            ).rowcount
        return bool(taken)

    def renew(self) -> bool:
        """Extend our lease by ``ttl_s`` (the same as taking it; False if someone else has it)."""
        return self.acquire()

    def release(self) -> None:
        """Give the lease back at once (only ours: another holder's is left alone)."""
        lease = schema.job_leases
        with self.db.write() as conn:
            conn.execute(
                update(lease)
                .where(lease.c.name == self.name, lease.c.holder == self.holder)
                .values(expires_at=_RELEASED)
            )

    @contextmanager
    def held(self) -> Iterator[bool]:
        """``with lease.held() as ours:``: ``ours`` is False when another process holds it;
        when it was taken, it is released on leaving the block."""
        ours = self.acquire()
        try:
            yield ours
        finally:
            if ours:
                self.release()
