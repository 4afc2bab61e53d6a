"""Secrets: passwords hashed with argon2, tokens stored as SHA-256 digests.

Passwords are low-entropy and chosen by people, so they get a slow, salted hash (argon2id)
against offline guessing. Seat and session tokens are 32 random bytes: guessing one is
hopeless whatever the hash, so a fast unsalted SHA-256 is enough and lets every request
find its token with an indexed lookup. A stolen database yields no usable token.

Logins verify in a bounded pool of their own (:class:`HashPool`), against a dummy hash when
the user is unknown, so they can neither starve other requests nor reveal who exists.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """32 random bytes, URL-safe text."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- the same work for every login ----------------------------------------------------

_dummy: dict[int, str] = {}


def dummy_hash() -> str:
    """A hash of a random secret, made by the current hasher (so with its parameters).

    A login for a user who does not exist (or is disabled) is verified against it, so it
    costs the same argon2 work as a real one and the answer time tells nothing.
    """
    hasher = _hasher()
    key = id(hasher)
    if key not in _dummy:
        _dummy.clear()
        _dummy[key] = str(hasher.hash(new_token()))
    return _dummy[key]


def check_password(password_hash: str | None, password: str) -> bool:
    """Verify ``password``; with no hash (unknown user) verify the dummy and say no."""
    if password_hash is None:
        verify_password(dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


# -- a bounded pool for password hashing ----------------------------------------------


class HashPoolBusy(Exception):
    """Every hashing worker is busy and the queue is full: the caller answers 503."""


class HashPool:
    """At most ``workers`` argon2 computations at once, at most ``queue`` waiting.

    argon2 is meant to be slow and to use memory (64 MiB a hash by default). Run on the
    server's general thread pool, 40 wrong logins at once took every thread and stalled all
    other requests; here they take ``workers`` threads of their own, and beyond the queue a
    login is turned away at once (503 with Retry-After) instead of waiting in line.
    """

    def __init__(self, workers: int = 0, queue: int = 32) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.workers = workers or os.cpu_count() or 1
        self.limit = self.workers + queue
        self.completed = 0
        self._admitted = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="password-hash")

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue ``fn(*args)`` on a hashing worker, or raise ``HashPoolBusy`` when full."""
        with self._lock:
            if self._admitted >= self.limit:
                raise HashPoolBusy(f"{self._admitted} password checks in progress")
            self._admitted += 1
        try:
            future = self._executor.submit(fn, *args)
        except BaseException:
            with self._lock:
                self._admitted -= 1
            raise
        future.add_done_callback(self._release)
        return future

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``submit`` and await the result without blocking the event loop."""
        import asyncio

        return await asyncio.wrap_future(self.submit(fn, *args))

    def _release(self, _future: Any) -> None:
        with self._lock:
            self._admitted -= 1
            self.completed += 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# -- who is asking ---------------------------------------------------------------------


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The client's address: the peer's, or from ``X-Forwarded-For`` behind a trusted proxy.

    The header is read right to left, as long as each hop is a configured proxy; the first
    address that is not one is the client. From anyone else (loopback included, unless
    configured) the header is ignored, so a client cannot choose its own address.
    """
    import ipaddress

    address = peer or "unknown"
    if not trusted or not forwarded_for:
        return address
    networks = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def is_proxy(text: str) -> bool:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return False
        return any(ip in net for net in networks)

    hops = [h.strip() for h in forwarded_for.split(",")][-32:]
    while is_proxy(address) and hops:
        hop = hops.pop()
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return address  # a malformed hop: stop at the last proxy
    return address
