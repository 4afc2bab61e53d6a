"""Per-address throttles of the citizen pages, on the shared limiter (``central.rate_limit``).

Submissions count per address at the rate of anonymous Open311 posts
(``[open311] rate_per_minute``), in a bucket of their own (``citizen:submit:...``). Follow
lookups count their *failures* per address (``[web] follow_failures_per_minute``); both
counts live in the database, so every server process shares them. Past the limit the
address is refused (429) until the window has room again, even with the right code, so
guessing codes costs a stranger a minute per few tries: the process that refused it
remembers the block; another process refuses the address's next failure at once (the
count is shared) and blocks it from then on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fastapi import Request

from central import rate_limit
from central.rate_limit import RetryAfter

WINDOW_S = 60


class FollowThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def check_submit(request: Request, address: str) -> RetryAfter | None:
    """Count a submission against the address's bucket; the wait when it is full."""
    store = request.app.state.store
    limit = max(1, int(store.settings.open311.rate_per_minute))
    return rate_limit.check(store, "citizen:submit:ip:" + address, limit=limit, window_s=WINDOW_S)


@dataclass
class FollowGuard:
    request: Request
    blocked: dict[str, float]
    key: str

    def before(self, now: float) -> None:
        """Refuse an address whose failures filled the window (until it has room)."""
        until = self.blocked.get(self.key)
        if until is not None:
            if now < until:
                raise FollowThrottled(max(1, math.ceil(until - now)))
            del self.blocked[self.key]

    def failed(self, now: float) -> None:
        """Count a failed lookup; the one that finds the window full is refused at once."""
        store = self.request.app.state.store
        limit = max(1, int(store.settings.web.follow_failures_per_minute))
        refused = rate_limit.check(store, self.key, limit=limit, window_s=WINDOW_S)
        if refused is None:
            return
        self.blocked[self.key] = now + refused.seconds
        if len(self.blocked) > 10_000:
            for k in [k for k, t in self.blocked.items() if t <= now]:
                del self.blocked[k]
        raise FollowThrottled(refused.seconds)


def follow_guard(request: Request, address: str) -> FollowGuard:
    blocked = getattr(request.app.state, "citizen_follow_blocked", None)
    if blocked is None:
        blocked = {}
        request.app.state.citizen_follow_blocked = blocked
    return FollowGuard(request, blocked, "citizen:follow:ip:" + address)
