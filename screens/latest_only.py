"""Keep only the newest piece of work, with one consumer at a time.

Typing produces a draft to save and a query to search on every key; the screen offers
each here and runs at most one thread worker per kind, which always takes the newest
item, so fast typing coalesces instead of piling up threads that fight the event loop
for the GIL or queue fsyncs.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestOnly(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: T | None = None
        self._busy = False

    def offer(self, item: T) -> bool:
        """Replace what waits with ``item``; True when the caller must start the consumer."""
        with self._lock:
            self._pending = item
            if self._busy:
                return False
            self._busy = True
            return True

    def take(self) -> T | None:
        """The newest item, or None: nothing is left and the consumer must return."""
        with self._lock:
            item, self._pending = self._pending, None
            if item is None:
                self._busy = False
            return item

    def abort(self) -> None:
        """The consumer failed: the next offer starts a new one."""
        with self._lock:
            self._busy = False
