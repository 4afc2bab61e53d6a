"""Per-address throttles of the citizen pages, on the Open311 limiter.

Submissions count per address at the rate of anonymous Open311 posts
(``[open311] rate_per_minute``), in a limiter of their own kept on the app. Follow
lookups count their *failures* per address (``[web] follow_failures_per_minute``); past
the limit the address is refused (429) until the window has room again, even with the
right code, so guessing codes costs a stranger a minute per few tries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fastapi import Request

from central.open311_intake import Open311Error, RateLimiter


class FollowThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def _app_limiter(request: Request, name: str, per_minute: int) -> RateLimiter:
    limiter = getattr(request.app.state, name, None)
    if limiter is None:
        limiter = RateLimiter(per_minute)
        setattr(request.app.state, name, limiter)
    return limiter


def check_submit(request: Request, address: str, now: float) -> None:
    """Count a submission against the address's Open311 bucket (``Open311Error`` 429)."""
    settings = request.app.state.store.settings
    _app_limiter(request, "citizen_submit_limiter", settings.open311.rate_per_minute).check(
        "ip:" + address, now
    )


@dataclass
class FollowGuard:
    limiter: RateLimiter
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
        """Count a failed lookup; the one that fills the window is refused at once."""
        try:
            self.limiter.check(self.key, now)
        except Open311Error as exc:
            retry = int((exc.headers or {}).get("Retry-After", "60"))
            self.blocked[self.key] = now + retry
            if len(self.blocked) > 10_000:
                for k in [k for k, t in self.blocked.items() if t <= now]:
                    del self.blocked[k]
            raise FollowThrottled(retry) from exc


def follow_guard(request: Request, address: str) -> FollowGuard:
    settings = request.app.state.store.settings
    limiter = _app_limiter(
        request, "citizen_follow_limiter", settings.web.follow_failures_per_minute
    )
    blocked = getattr(request.app.state, "citizen_follow_blocked", None)
    if blocked is None:
        blocked = {}
        request.app.state.citizen_follow_blocked = blocked
    return FollowGuard(limiter, blocked, "follow:" + address)
