"""Users, seats, sessions and the routing directory: what the administrator manages.

Seat tokens and session tokens are stored as SHA-256 digests, passwords as argon2 hashes
(see :mod:`central.security`). Revoking a seat ends every session opened through it,
because each request checks the seat along with the session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from central import schema
from central.changes import Change, Tx
from central.db import Database
from central.errors import AuthError, NotFound
from central.security import check_password, hash_password, new_token, token_digest
from workstation.errors import AlreadyExists, ValidationError
from workstation.models import Role, Unit

SESSION_HOURS = 12
COMMAND_KEY_DAYS = 7.0
"""How long a login's command key signs commands (``[security] command_key_days``)."""
ROLES = ("agent", "callback", "supervisor", "unit", "admin")


@dataclass(frozen=True)
class UserRecord:
    name: str
    role: Role
    unit: str | None
    display_name: str
    disabled: bool


@dataclass(frozen=True)
class CommandKey:
    """What a login issues for signing commands: shown once, kept by the seat."""

    session_id: str
    key: str  # 32 random bytes, hex
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    """An authenticated request: the user as on record, and the seat it came through."""

    user: UserRecord
    seat: str
    expires_at: datetime
    issued_key: CommandKey | None = None
    """The command key a login just issued (only on the login's own answer)."""

    @property
    def scope_unit(self) -> str | None:
        """The unit whose orders this user is limited to (None: sees every order)."""
        return self.user.unit if self.user.role is Role.UNIT else None


def _user(row: Any) -> UserRecord:
    return UserRecord(row.name, Role(row.role), row.unit, row.display_name, bool(row.disabled))


# -- routing directory ----------------------------------------------------------------


def upsert_units(tx: Tx, units: list[Unit]) -> int:
    """Insert or update units; emits a ``unit`` change for each that is new or changed."""
    t = schema.units
    existing = {r.code: r.data for r in tx.conn.execute(select(t.c.code, t.c.data))}
    changed = 0
    for unit in units:
        data = unit.to_dict()
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        values = {"name": unit.name, "leader": unit.leader, "data": text, "updated_at": tx.now}
        if unit.code not in existing:
            tx.conn.execute(t.insert().values(code=unit.code, **values))
        elif existing[unit.code] != text:
            tx.conn.execute(update(t).where(t.c.code == unit.code).values(**values))
        else:
            continue
        changed += 1
        tx.emit(Change("unit", unit.code, data, everyone=True))
    return changed


def unit_codes(conn: Connection) -> frozenset[str]:
    return frozenset(conn.execute(select(schema.units.c.code)).scalars())


def get_unit(conn: Connection, code: str) -> Unit | None:
    row = conn.execute(select(schema.units.c.data).where(schema.units.c.code == code)).first()
    return None if row is None else Unit.from_dict(json.loads(row.data))


# -- users and seats ------------------------------------------------------------------


def add_user(
    tx: Tx,
    name: str,
    role: str,
    password: str,
    unit: str | None,
    display_name: str = "",
    password_hash: str | None = None,
) -> None:
    """Add a user; ``password_hash`` takes an existing argon2 hash (imports, test fixtures)."""
    if role not in ROLES:
        raise ValidationError("role", f"未知的角色：{role}", f"unknown role {role!r}")
    if not name.strip() or not password:
        raise ValidationError("name", "用户名和密码不能为空", "name and password are required")
    if role == "unit":
        if not unit or get_unit(tx.conn, unit) is None:
            raise ValidationError(
                "unit",
                f"承办单位用户须指定名录中的单位（{unit or '未指定'}）",
                f"a unit user needs a unit from the routing directory (got {unit or 'none'})",
            )
    elif unit:
        raise ValidationError("unit", "只有承办单位用户属于单位", "only unit users have a unit")
    row = {
        "name": name,
        "role": role,
        "unit": unit if role == "unit" else None,
        "display_name": display_name or name,
        "password_hash": password_hash or hash_password(password),
        "disabled": False,
        "created_at": tx.now,
    }
    if not tx.db.insert_ignore(tx.conn, schema.users, row):
        raise AlreadyExists(f"用户 {name} 已存在", f"user {name} already exists")


def revoke_user(tx: Tx, name: str) -> None:
    t = schema.users
    if not tx.conn.execute(update(t).where(t.c.name == name).values(disabled=True)).rowcount:
        raise NotFound(f"没有用户 {name}", f"no user {name}")
    s = schema.sessions
    tx.conn.execute(update(s).where(s.c.user == name).values(revoked=True))


def enroll_seat(tx: Tx, code: str, prefix: str) -> str:
    """Create a seat and return its token (shown once; only the digest is stored)."""
    if not code.strip():
        raise ValidationError("seat", "座席编号不能为空", "the seat code is required")
    token = new_token()
    row = {
        "code": code,
        "prefix": prefix,
        "token_hash": token_digest(token),
        "revoked": False,
        "created_at": tx.now,
    }
    if not tx.db.insert_ignore(tx.conn, schema.seats, row):
        raise AlreadyExists(f"座席 {code} 已登记", f"seat {code} is already enrolled")
    return token


def revoke_seat(tx: Tx, code: str) -> None:
    t = schema.seats
    if not tx.conn.execute(update(t).where(t.c.code == code).values(revoked=True)).rowcount:
        raise NotFound(f"没有座席 {code}", f"no seat {code}")
    s = schema.sessions
    tx.conn.execute(update(s).where(s.c.seat == code).values(revoked=True))


def seat_by_token(conn: Connection, token: str | None) -> Any:
    """The seat row for a seat token, or AuthError when unknown or revoked."""
    if not token:
        raise AuthError("缺少座席令牌", "the seat token is missing")
    t = schema.seats
    row = conn.execute(select(t).where(t.c.token_hash == token_digest(token))).first()
    if row is None or row.revoked:
        raise AuthError("座席令牌无效或已吊销", "unknown or revoked seat token")
    return row


def next_order_counter(conn: Connection, prefix: str) -> int:
    """1 + the highest seat-local counter among the orders numbered under ``prefix``.

    Order numbers are ``{prefix}-{YYMM}-{counter}`` (``offline_cache.ids.order_number``);
    a seat re-installed from scratch starts its counter here and never reissues a number.
    """
    import re

    o = schema.orders
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = re.compile(re.escape(prefix) + r"-\d{4}-(\d+)$")
    top = 0
    rows = conn.execute(
        select(o.c.order_id).where(o.c.order_id.like(f"{escaped}-%", escape="\\"))
    ).scalars()
    for order_id in rows:
        match = pattern.match(order_id)
        if match:
            top = max(top, int(match.group(1)))
    return top + 1


def login_candidate(conn: Connection, seat_token: str | None, name: str) -> tuple[Any, Any]:
    """The seat (AuthError when its token is bad) and the user row to check the password
    against: None for an unknown or disabled user (verified against a dummy hash)."""
    seat = seat_by_token(conn, seat_token)
    row = conn.execute(select(schema.users).where(schema.users.c.name == name)).first()
    return seat, (None if row is None or row.disabled else row)


def open_session(
    tx: Tx, seat_code: str, row: Any, key_days: float = COMMAND_KEY_DAYS
) -> tuple[str, Session]:
    """Open a session bound to user and seat (the password was checked), record the login.

    The session also gets a command key (``issued_key``): the seat signs this user's
    commands with it, so the server knows who made each one (docs/sync-protocol.md).
    """
    import secrets

    name = row.name
    token = new_token()
    expires = tx.now + timedelta(hours=SESSION_HOURS)
    key = CommandKey(
        secrets.token_hex(16), secrets.token_hex(32), tx.now + timedelta(days=key_days)
    )
    tx.conn.execute(
        schema.sessions.insert().values(
            token_hash=token_digest(token),
            user=name,
            seat=seat_code,
            created_at=tx.now,
            expires_at=expires,
            revoked=False,
            session_id=key.session_id,
            command_key=key.key,
            key_expires_at=key.expires_at,
        )
    )
    sl = schema.seat_logins
    if not tx.db.insert_ignore(
        tx.conn, sl, {"user": name, "seat": seat_code, "first_at": tx.now, "last_at": tx.now}
    ):
        tx.conn.execute(
            update(sl).where(sl.c.user == name, sl.c.seat == seat_code).values(last_at=tx.now)
        )
    return token, Session(_user(row), seat_code, expires, key)


def login(tx: Tx, seat_token: str | None, name: str, password: str) -> tuple[str, Session]:
    """Check the password and open a session, in one go (no throttling: scripts and tests;
    the HTTP route is ``central.auth.login_route``)."""
    seat, row = login_candidate(tx.conn, seat_token, name)
    if not check_password(None if row is None else row.password_hash, password):
        raise AuthError("用户名或密码错误", "wrong user name or password")
    return open_session(tx, seat.code, row)


def session_for(db: Database, token: str, now: datetime) -> Session:
    """The live session for a bearer token, or AuthError (expired, revoked, disabled)."""
    s, u, st = schema.sessions, schema.users, schema.seats
    stmt = (
        select(s.c.seat, s.c.expires_at, s.c.revoked, st.c.revoked.label("seat_revoked"), u)
        .join(u, u.c.name == s.c.user)
        .join(st, st.c.code == s.c.seat)
        .where(s.c.token_hash == token_digest(token))
    )
    with db.read() as conn:
        row = conn.execute(stmt).first()
    if row is None or row.revoked or row.seat_revoked or row.disabled or row.expires_at <= now:
        raise AuthError("登录已失效，请重新登录", "the session is not valid; log in again")
    return Session(_user(row), row.seat, row.expires_at)


def user_on_seat(conn: Connection, name: str, seat: str) -> UserRecord | None:
    """The user as on record if they have logged in on ``seat`` and are not disabled."""
    u, sl = schema.users, schema.seat_logins
    row = conn.execute(
        select(u)
        .join(sl, sl.c.user == u.c.name)
        .where(u.c.name == name, sl.c.seat == seat, u.c.disabled.is_(False))
    ).first()
    return None if row is None else _user(row)


@dataclass(frozen=True)
class Signer:
    """The user a command key belongs to, as on record now (``signer``)."""

    user: UserRecord
    seat: str
    key: str


def signer(conn: Connection, session_id: str, now: datetime) -> Signer | None:
    """The live command key ``session_id`` names: None when unknown, revoked, expired, or
    its user is disabled or its seat revoked (all answer alike: the proof does not hold)."""
    s, u, st = schema.sessions, schema.users, schema.seats
    row = conn.execute(
        select(
            s.c.seat,
            s.c.command_key,
            s.c.key_expires_at,
            s.c.revoked,
            st.c.revoked.label("seat_revoked"),
            u,
        )
        .join(u, u.c.name == s.c.user)
        .join(st, st.c.code == s.c.seat)
        .where(s.c.session_id == session_id)
    ).first()
    if (
        row is None
        or not row.command_key
        or row.revoked
        or row.seat_revoked
        or row.disabled
        or row.key_expires_at is None
        or row.key_expires_at <= now
    ):
        return None
    return Signer(_user(row), row.seat, row.command_key)


def revoke_sessions(tx: Tx, name: str) -> int:
    """End every session and command key of a user without disabling the account (a seat
    was lost): commands signed with those keys and not yet pushed are refused."""
    s = schema.sessions
    return int(
        tx.conn.execute(
            update(s).where(s.c.user == name, s.c.revoked.is_(False)).values(revoked=True)
        ).rowcount
    )
