"""Login throttling: growing delays and a temporary lockout, per user name and per address.

Every failure is an ``auth_events`` row (the audit an administrator reads through
``GET /api/v1/auth/events``), and the counts are taken from those rows, so all server
processes share them. A user name counts whether or not such a user exists (so a lockout
reveals nothing either); its count restarts at a successful login. An address counts
every failure from it in the window, whoever was tried.

- After ``login_delay_after`` failures of a name in the window, each further try must wait
  ``login_delay_seconds``, doubling with every failure (429 with Retry-After). An address
  gets the same ramp just before its own maximum (from 18 of 20 with the defaults).
- At ``login_max_failures`` for a name (``login_address_max_failures`` for an address)
  the name (address) is locked for ``login_lockout_minutes``: every login is refused with
  429, the right password included, until the lockout ends.

A refused try is not checked against the password at all (no argon2 work), and is not
recorded: only real failures count and are audited.

Rows older than ``[security] auth_audit_days`` (90) are deleted by the periodic jobs
(:func:`prune_events`); never sooner than the counting window and the lockout, so the
throttle's arithmetic is the same with or without them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from central import schema
from central.errors import HTTPError

FAILED = "login_failed"
LOCKOUT = "lockout"
LOGIN = "login"


class LoginThrottled(HTTPError):
    """Too many failed logins: wait ``retry_after`` seconds (429)."""

    code = "login_throttled"
    status = 429

    def __init__(self, zh: str, en: str, retry_after: float, **details: Any) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(zh, en, retry_after=seconds, **details)
        self.retry_after = seconds


class LockedOut(LoginThrottled):
    code = "locked_out"


@dataclass(frozen=True)
class Attempt:
    """Who tries: the user name as typed, the client address, the seat."""

    user: str
    address: str
    seat: str | None = None


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5
    address_max_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    delay_after: int = 3
    delay: timedelta = timedelta(seconds=2)
    audit: timedelta = timedelta(days=90)

    @classmethod
    def from_settings(cls, security: Any) -> Limits:
        return cls(
            max_failures=security.login_max_failures,
            address_max_failures=security.login_address_max_failures,
            window=timedelta(minutes=security.login_window_minutes),
            lockout=timedelta(minutes=security.login_lockout_minutes),
            delay_after=security.login_delay_after,
            delay=timedelta(seconds=security.login_delay_seconds),
            audit=timedelta(days=security.auth_audit_days),
        )

    @property
    def keep(self) -> timedelta:
        """How long audit rows are kept: the audit retention, but never less than what
        the throttle reads (the failure window; a lockout's whole span)."""
        return max(self.audit, self.window, self.lockout)

    def wait_after(self, failures: int, threshold: int) -> timedelta:
        """How long after the last failure the next try must wait (0 below ``threshold``)."""
        if failures < threshold:
            return timedelta(0)
        return min(self.delay * 2 ** min(failures - threshold, 20), self.lockout)


def _failures(conn: Connection, attempt: Attempt, limits: Limits, now: datetime) -> Any:
    """(count, last) of failures in the window: for the name since its last login, and for
    the address."""
    e = schema.auth_events
    since = now - limits.window
    last_login = conn.execute(  # by id: a login and failures may share a timestamp
        select(func.max(e.c.id)).where(e.c.kind == LOGIN, e.c.user == attempt.user)
    ).scalar()
    by_user = conn.execute(
        select(func.count(), func.max(e.c.at)).where(
            e.c.kind == FAILED,
            e.c.user == attempt.user,
            e.c.at > since,
            e.c.id > (last_login or 0),
        )
    ).one()
    by_address = conn.execute(
        select(func.count(), func.max(e.c.at)).where(
            e.c.kind == FAILED, e.c.address == attempt.address, e.c.at > since
        )
    ).one()
    return by_user, by_address


def _lockout_until(conn: Connection, attempt: Attempt, now: datetime) -> tuple[Any, str] | None:
    e = schema.auth_events
    row = conn.execute(
        select(e.c.until, e.c.detail)
        .where(
            e.c.kind == LOCKOUT,
            e.c.until > now,
            or_(
                and_(e.c.detail == "user", e.c.user == attempt.user),
                and_(e.c.detail == "address", e.c.address == attempt.address),
            ),
        )
        .order_by(e.c.until.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.until, row.detail)


def _locked(until: datetime, scope: str, now: datetime) -> LockedOut:
    seconds = (until - now).total_seconds()
    minutes = max(1, math.ceil(seconds / 60))
    if scope == "user":
        zh = f"登录失败次数过多，该账号已临时锁定，请 {minutes} 分钟后再试"
        en = f"too many failed logins: this user is locked for {minutes} min"
    else:
        zh = f"登录失败次数过多，本地址已临时锁定，请 {minutes} 分钟后再试"
        en = f"too many failed logins from this address: locked for {minutes} min"
    return LockedOut(zh, en, seconds, scope=scope, until=until.isoformat())


def check(conn: Connection, attempt: Attempt, limits: Limits, now: datetime) -> None:
    """Raise ``LockedOut`` or ``LoginThrottled`` when this attempt must not be tried now."""
    locked = _lockout_until(conn, attempt, now)
    if locked is not None:
        raise _locked(locked[0], locked[1], now)
    (n_user, last_user), (n_addr, last_addr) = _failures(conn, attempt, limits, now)
    ready = now
    if last_user is not None:
        ready = max(ready, last_user + limits.wait_after(n_user, limits.delay_after))
    if last_addr is not None:
        ramp = max(0, limits.max_failures - limits.delay_after)
        threshold = max(1, limits.address_max_failures - ramp)
        ready = max(ready, last_addr + limits.wait_after(n_addr, threshold))
    if ready > now:
        seconds = (ready - now).total_seconds()
        raise LoginThrottled(
            f"登录失败次数较多，请 {math.ceil(seconds)} 秒后再试",
            f"several failed logins: wait {math.ceil(seconds)} s before trying again",
            seconds,
        )


def record_failure(
    conn: Connection, attempt: Attempt, limits: Limits, now: datetime, reason: str
) -> LockedOut | None:
    """Audit a failed login; lock the name or the address when it reached its maximum.

    Returns the lockout (for the answer) when this failure started one.
    """
    e = schema.auth_events
    row = {
        "user": attempt.user[:64],
        "address": attempt.address[:64],
        "seat": attempt.seat[:32] if attempt.seat else None,
    }
    conn.execute(e.insert().values(at=now, kind=FAILED, until=None, detail=reason[:200], **row))
    (n_user, _), (n_addr, _) = _failures(conn, attempt, limits, now)
    scope = None
    if n_user >= limits.max_failures:
        scope = "user"
    elif n_addr >= limits.address_max_failures:
        scope = "address"
    if scope is None:
        return None
    until = now + limits.lockout
    conn.execute(e.insert().values(at=now, kind=LOCKOUT, until=until, detail=scope, **row))
    return _locked(until, scope, now)


def record_login(conn: Connection, attempt: Attempt, now: datetime) -> None:
    """Audit a successful login (the name's failure count restarts here)."""
    conn.execute(
        schema.auth_events.insert().values(
            at=now,
            kind=LOGIN,
            user=attempt.user[:64],
            address=attempt.address[:64],
            seat=attempt.seat[:32] if attempt.seat else None,
            until=None,
            detail="",
        )
    )


def prune_events(conn: Connection, limits: Limits, now: datetime) -> int:
    """Delete audit rows older than ``limits.keep``; how many went.

    Safe for the throttle: a failure it counts is younger than the window, a lockout it
    reads ends within ``lockout`` of its row; and a login older than ``keep`` precedes
    every failure in the window, so counting "since the last login" gives the same number
    without it.
    """
    from sqlalchemy import delete

    e = schema.auth_events
    return conn.execute(delete(e).where(e.c.at < now - limits.keep)).rowcount


def recent_events(
    conn: Connection, limit: int, user: str | None = None, before_id: int | None = None
) -> list[dict[str, Any]]:
    """The newest audit events first (for administrators)."""
    e = schema.auth_events
    stmt = select(e).order_by(e.c.id.desc()).limit(limit)
    if user is not None:
        stmt = stmt.where(e.c.user == user)
    if before_id is not None:
        stmt = stmt.where(e.c.id < before_id)
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "kind": r.kind,
            "user": r.user,
            "address": r.address,
            "seat": r.seat,
            "until": r.until.isoformat() if r.until else None,
            "detail": r.detail,
        }
        for r in conn.execute(stmt)
    ]
