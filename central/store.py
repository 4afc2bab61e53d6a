"""The server's storage API: the database, the settings, the clock, and common reads.

Routers (sync, orders, KB, and later Open311 and reports) get one ``Store`` from
``request.app.state.store``: ``store.transaction()`` for writes (changes are sequenced on
commit), ``store.db.read()`` with the tables of :mod:`central.schema` for reads.

The clock: server time is the truth. Tests and demos may pin it with
``WORKSTATION_FAKE_NOW`` (an ISO time) or ``WORKSTATION_CLOCK_FILE`` (a file holding an
ISO time, read on every call, so a test can move the clock of a running server); neither
is active unless set.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from central.changes import Tx, transaction
from central.db import Database
from workstation.errors import ConfigError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def _parse_now(text: str, origin: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ConfigError(
            f"{origin} 不是 ISO 时间：{text}", f"{origin} is not an ISO time"
        ) from exc
    if moment.tzinfo is None:
        raise ConfigError(f"{origin} 须带时区", f"{origin} needs a UTC offset")
    return moment


def clock_from_env(env: Mapping[str, str] | None = None) -> Clock:
    """The system clock unless a test clock is configured in the environment."""
    env = os.environ if env is None else env
    fixed = env.get("WORKSTATION_FAKE_NOW")
    if fixed:
        moment = _parse_now(fixed, "WORKSTATION_FAKE_NOW")
        return lambda: moment
    path = env.get("WORKSTATION_CLOCK_FILE")
    if path:
        return lambda: _file_now(Path(path))
    return system_clock


def _file_now(path: Path) -> datetime:
    """The time a clock file holds; the system clock while the file is absent or empty
    (the demo sets a past time only while it seeds overdue orders)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    return _parse_now(text, str(path)) if text else system_clock()


class Store:
    """Database + settings + clock, shared by every route and job of one process."""

    UNIT_CACHE_S = 5.0

    def __init__(self, db: Database, settings: Any, clock: Clock | None = None) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock or system_clock
        self._units: tuple[float, frozenset[str]] | None = None

    @classmethod
    def open(cls, db_url: str | None = None, clock: Clock | None = None) -> Store:
        from workstation.config import load_settings

        settings = load_settings()
        db = Database(db_url or os.environ.get("WORKSTATION_DB_URL") or settings.database_url)
        return cls(db, settings, clock or clock_from_env())

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def transaction(self, now: datetime | None = None) -> Iterator[Tx]:
        with transaction(self.db, now or self.now()) as tx:
            yield tx

    def context(self, tx: Tx) -> Any:
        """The workflow Context: calendar, rules, time zone, the routing directory's codes."""
        from central.accounts import unit_codes
        from workstation.workflow import Context

        cached = self._units
        if cached is None or time.monotonic() - cached[0] > self.UNIT_CACHE_S:
            cached = (time.monotonic(), unit_codes(tx.conn))
            self._units = cached
        return Context(
            calendar=self.settings.calendar(),
            rules=self.settings.rules,
            tz=self.settings.timezone,
            unit_codes=cached[1],
        )

    def forget_units(self) -> None:
        self._units = None

    def export(self) -> Iterator[dict[str, Any]]:
        """Every order with its events and contacts (for audits and seat comparisons)."""
        import json

        from sqlalchemy import select

        from central import schema

        o, c = schema.orders, schema.contacts
        with self.db.read() as conn:
            contacts: dict[str | None, list[Any]] = {}
            for order_id, data in conn.execute(
                select(c.c.order_id, c.c.data).order_by(c.c.received_at, c.c.contact_id)
            ):
                contacts.setdefault(order_id, []).append(json.loads(data))
            for (snap,) in conn.execute(select(o.c.snapshot).order_by(o.c.order_id)):
                order = json.loads(snap)
                yield {
                    "kind": "order",
                    "order": order,
                    "contacts": contacts.get(order["order_id"], []),
                }
            for contact in contacts.get(None, []):
                yield {"kind": "contact", "contact": contact}
