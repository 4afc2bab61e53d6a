"""Waking long-polling pulls when a change they may see commits (docs/sync-protocol.md).

A pull with ``wait=N`` that finds nothing new registers a waiter under its reader's scope
keys and sleeps on an ``asyncio.Event``: no thread, no database connection, a few hundred
bytes per idle seat. A commit that emitted changes wakes only the waiters whose keys it
touched (the board's waiters wake on every commit, ``*`` wakes everyone); they query
again.

- In one process (SQLite, or any database): ``changes.transaction`` calls
  :meth:`ChangeNotifier.publish` after COMMIT.
- Across processes (PostgreSQL): the same transaction runs ``pg_notify`` with the new head
  and the touched keys; PostgreSQL delivers it at COMMIT to every process's one listener
  connection (a daemon thread per process, started with the first waiter, reconnecting
  with backoff). Whenever the listener (re)connects it wakes every waiter, so a commit
  made while nobody listened is found by their next query, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, text

if TYPE_CHECKING:
    from central.db import Database

log = logging.getLogger(__name__)
T = TypeVar("T")

BROADCAST = "*"
"""The key every reader holds (``central.changes.EVERYONE``): a commit touching it wakes all."""

CHANNEL = "hotline_changes"
MAX_PAYLOAD = 7000
"""PostgreSQL refuses NOTIFY payloads of 8,000 bytes; past this the keys are left out
(the payload then wakes every waiter)."""
LISTENER_IDLE_S = 120.0
"""The listener thread ends after this long without a waiter (it restarts on the next)."""


def payload(head: int, scopes: tuple[str, ...]) -> str:
    """``{"h": head, "s": [keys]}``; without ``s`` (wake all) when it would be too long."""
    body = json.dumps({"h": head, "s": list(scopes)}, separators=(",", ":"))
    if len(body.encode()) > MAX_PAYLOAD:
        body = json.dumps({"h": head}, separators=(",", ":"))
    return body


def parse_payload(body: str) -> tuple[int, tuple[str, ...] | None]:
    """(head, keys or None for all); a payload we cannot read wakes everyone."""
    try:
        data = json.loads(body)
        head = int(data.get("h", 0))
        keys = data.get("s")
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            return head, tuple(keys)
        return head, None
    except (ValueError, TypeError, AttributeError):
        return 0, None


def send_pg(conn: Connection, head: int, scopes: tuple[str, ...]) -> None:
    """Queue the notification inside the writing transaction: sent only if it commits."""
    conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": payload(head, scopes)})


@dataclass(eq=False)
class Waiter:
    """One held pull: its reader's keys (None: the board, every commit) and the event a
    relevant commit sets."""

    keys: frozenset[str] | None
    event: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self, timeout: float) -> bool:
        """True when woken, False when ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        self.event.clear()
        return True


class _LoopWaiters:
    """The waiters of one event loop, indexed by scope key; touched only in that loop."""

    def __init__(self) -> None:
        self.by_key: dict[str, set[Waiter]] = {}
        self.board: set[Waiter] = set()

    def add(self, waiter: Waiter) -> None:
        keys = waiter.keys
        if keys is None:
            self.board.add(waiter)
        else:
            for key in keys:
                self.by_key.setdefault(key, set()).add(waiter)

    def remove(self, waiter: Waiter) -> None:
        keys = waiter.keys
        if keys is None:
            self.board.discard(waiter)
            return
        for key in keys:
            group = self.by_key.get(key)
            if group is not None:
                group.discard(waiter)
                if not group:
                    del self.by_key[key]

    def __len__(self) -> int:
        return len(self.board) + len({w for g in self.by_key.values() for w in g})

    def wake(self, scopes: tuple[str, ...] | None) -> None:
        if scopes is None or BROADCAST in scopes:
            targets: set[Waiter] = set(self.board)
            for group in self.by_key.values():
                targets.update(group)
        else:
            targets = set(self.board)
            for key in scopes:
                targets.update(self.by_key.get(key, ()))
        for waiter in targets:
            waiter.event.set()


class ChangeNotifier:
    """The waiters of one database in this process, and (on PostgreSQL) its listener."""

    def __init__(self, db: Database) -> None:
        self._db = weakref.ref(db)
        self._lock = threading.Lock()
        self._loops: dict[asyncio.AbstractEventLoop, _LoopWaiters] = {}
        self._count = 0
        self._last_waiter = time.monotonic()
        self._listener: threading.Thread | None = None
        self.listening = threading.Event()
        self.head = 0
        self.generation = 0  # publishes so far: a query started before one is stale after it
        self._queries: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[Hashable, asyncio.Future[Any]]
        ] = weakref.WeakKeyDictionary()
        self._closed = False

    @property
    def waiting(self) -> int:
        """How many pulls are held now (all loops)."""
        return self._count

    @contextlib.asynccontextmanager
    async def waiter(self, keys: frozenset[str] | None) -> AsyncIterator[Waiter]:
        """Register a waiter for a reader's ``keys`` (before querying, so no commit slips
        in between)."""
        loop = asyncio.get_running_loop()
        waiter = Waiter(keys)
        with self._lock:
            group = self._loops.setdefault(loop, _LoopWaiters())
            group.add(waiter)
            self._count += 1
            self._last_waiter = time.monotonic()
        self._ensure_listener()
        try:
            yield waiter
        finally:
            with self._lock:
                group.remove(waiter)
                self._count -= 1
                self._last_waiter = time.monotonic()
                if not len(group):
                    self._loops.pop(loop, None)

    async def shared(self, key: Hashable, run: Callable[[], Awaitable[T]]) -> T:
        """``run()``, or the same query already under way for the same ``key`` since the
        last publish: the seats of one unit woken by one dispatch query once, not each.

        A query started before a publish is never joined after it (the generation is part
        of the key), so a woken waiter always reads past the commit that woke it.
        """
        loop = asyncio.get_running_loop()
        inflight = self._queries.setdefault(loop, {})
        full = (key, self.generation)
        future = inflight.get(full)
        if future is None:
            future = asyncio.ensure_future(run())
            inflight[full] = future
            future.add_done_callback(lambda _f: inflight.pop(full, None))
        return await asyncio.shield(future)

    def publish(self, head: int | None, scopes: tuple[str, ...] | None) -> None:
        """A commit touched ``scopes`` (None: unknown, wake all); callable from any thread."""
        with self._lock:
            self.generation += 1
            if head is not None and head > self.head:
                self.head = head
            loops = list(self._loops.items())
        for loop, group in loops:
            try:
                loop.call_soon_threadsafe(group.wake, scopes)
            except RuntimeError:  # that loop has closed; its waiters went with it
                with self._lock:
                    self._loops.pop(loop, None)

    # -- PostgreSQL: one LISTEN connection per process ----------------------------------

    def _ensure_listener(self) -> None:
        db = self._db()
        if db is None or not db.is_postgres:
            return
        with self._lock:
            if self._listener is not None:
                return
            self.listening.clear()
            dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listener = threading.Thread(
                target=self._listen, args=(dsn,), name="pull-listener", daemon=True
            )
            self._listener.start()

    def close(self) -> None:
        """End the listener (within its 5 s poll); waiters already held time out."""
        with self._lock:
            self._closed = True

    def _idle(self) -> bool:
        """No waiter for a while (or closed): the listener ends (it is marked gone under
        the lock, so a waiter registering now starts a new one)."""
        with self._lock:
            quiet = time.monotonic() - self._last_waiter > LISTENER_IDLE_S
            idle = self._closed or (self._count == 0 and quiet)
            if idle:
                self._listener = None
            return idle

    def _listen(self, dsn: str) -> None:
        import psycopg

        backoff = 0.2
        while not self._idle():
            try:
                with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    backoff = 0.2
                    self.listening.set()
                    self.publish(None, None)  # commits made before LISTEN: query again
                    while not self._idle():
                        for note in conn.notifies(timeout=5.0):
                            self.publish(*parse_payload(note.payload))
            except Exception as exc:  # any failure: reconnect; waiters keep their timeout
                log.warning("pull listener lost its connection (%s); reconnecting", exc)
            finally:
                self.listening.clear()
            if self._idle():
                return
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


_NOTIFIERS: weakref.WeakKeyDictionary[Any, ChangeNotifier] = weakref.WeakKeyDictionary()
_NOTIFIERS_LOCK = threading.Lock()


def notifier_for(db: Database) -> ChangeNotifier:
    """The notifier of ``db`` in this process (one per ``Database`` object)."""
    with _NOTIFIERS_LOCK:
        notifier = _NOTIFIERS.get(db)
        if notifier is None:
            notifier = _NOTIFIERS[db] = ChangeNotifier(db)
        return notifier
