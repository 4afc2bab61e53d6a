"""Seat enrolment and user login, online when the server answers, offline otherwise.

Offline login checks an argon2 hash cached at the user's last successful online login on
this seat; the plain password is never stored. A 401 from the server is a refusal, never
a reason to fall back to the cached hash.

Each online login also brings a command key (docs/sync-protocol.md): the seat signs every
command of that user with it. The key is kept sealed under the user's password (scrypt),
so it is usable only while that user is logged in: in the ``session`` meta row, which
logout deletes. An offline login unseals the key of the user's last online login.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from offline_cache.db import SeatDB, set_meta
from offline_cache.ids import uuid7
from offline_cache.records import SeatInfo, Session
from workstation.errors import UserFacingError
from workstation.models import Role

API = "/api/v1"
LOGIN_TIMEOUT = 10.0


class LoginFailed(UserFacingError):
    code = "login_failed"


class NotEnrolled(UserFacingError):
    code = "not_enrolled"


class LoginRequired(UserFacingError):
    code = "login_required"


class ServerUnreachable(UserFacingError):
    code = "server_unreachable"


def seat_info(db: SeatDB) -> SeatInfo | None:
    seat = db.get_meta("seat")
    if not seat:
        return None
    return SeatInfo(
        seat=seat,
        prefix=db.get_meta("prefix") or "",
        server_url=db.get_meta("server_url") or "",
        client_id=db.get_meta("client_id") or "",
        city=db.get_meta("city") or "",
    )


def enroll(db: SeatDB, server_url: str, seat: str, token: str) -> SeatInfo:
    """Verify the seat token online and store seat, prefix and a client id (kept if set)."""
    import httpx

    server_url = server_url.rstrip("/")
    try:
        response = httpx.post(
            f"{server_url}{API}/seats/verify",
            headers={"X-Seat-Token": token},
            timeout=LOGIN_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise ServerUnreachable(
            f"无法连接服务器 {server_url}：{exc}", f"cannot reach the server {server_url}: {exc}"
        ) from exc
    if response.status_code in (401, 403):
        raise LoginFailed("座席令牌无效或已吊销", "unknown or revoked seat token")
    if response.status_code != 200:
        raise ServerUnreachable(
            f"服务器返回 {response.status_code}", f"the server answered {response.status_code}"
        )
    body = response.json()
    if body.get("seat") and body["seat"] != seat:
        raise LoginFailed(
            f"令牌属于座席 {body['seat']}，不是 {seat}",
            f"the token belongs to seat {body['seat']}, not {seat}",
        )
    with db.transaction() as conn:
        from offline_cache.db import get_meta

        old_seat = get_meta(conn, "seat")
        if not get_meta(conn, "client_id") or (old_seat and old_seat != seat):
            set_meta(conn, "client_id", uuid7())
        set_meta(conn, "seat", seat)
        set_meta(conn, "prefix", body.get("prefix") or f"QD-{seat}")
        set_meta(conn, "city", body.get("city") or "")
        set_meta(conn, "server_url", server_url)
        counter = int(get_meta(conn, "order_counter") or 0)
        set_meta(conn, "order_counter", max(counter, int(body.get("next_counter") or 1) - 1))
        set_meta(conn, "seat_token", token)
    info = seat_info(db)
    assert info is not None
    return info


def _hash(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def _verify(stored: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def login(db: SeatDB, user: str, password: str, now: datetime) -> Session:
    import httpx

    info = seat_info(db)
    if info is None:
        raise NotEnrolled("本座席尚未注册", "this seat is not enrolled yet")
    try:
        response = httpx.post(
            f"{info.server_url}{API}/auth/login",
            headers={"X-Seat-Token": db.get_meta("seat_token") or ""},
            json={"user": user, "password": password},
            timeout=LOGIN_TIMEOUT,
        )
    except httpx.HTTPError:
        response = None
    if response is not None and response.status_code in (401, 403):
        raise LoginFailed("用户名或密码错误", "wrong user name or password")
    if response is not None and response.status_code == 429:
        raise _throttled(response)  # never fall back to the cached hash (docs/security.md)
    if response is not None and response.status_code == 200:
        body = response.json()
        session = Session(
            user=body.get("user") or user,
            display_name=body.get("display_name") or user,
            role=Role(body["role"]),
            unit=body.get("unit"),
            online=True,
        )
        key = CommandKey.from_login(body)
        salt, sealed = _seal(key.key, password) if key else (None, None)
        with db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO users(user, password_hash, role, unit, display_name,"
                " token, expires_at, last_online_login, session_id, key_sealed, key_salt,"
                " key_expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    session.user,
                    _hash(password),
                    session.role.value,
                    session.unit,
                    session.display_name,
                    body.get("token"),
                    body.get("expires_at"),
                    now.isoformat(),
                    key.session_id if key else None,
                    sealed,
                    salt,
                    key.expires_at if key else None,
                ),
            )
            _store_session(conn, session, key)
            set_meta(conn, "needs_login", 0)
        return session
    return _offline_login(db, user, password)


@dataclass(frozen=True)
class CommandKey:
    """The key a login issued for signing this user's commands (hex), and its id."""

    session_id: str
    key: str
    expires_at: str | None = None

    @classmethod
    def from_login(cls, body: dict[str, Any]) -> CommandKey | None:
        sid, key = body.get("session_id"), body.get("command_key")
        if not isinstance(sid, str) or not isinstance(key, str):
            return None
        return cls(sid, key, body.get("key_expires_at"))


def _pad(password: str, salt: bytes) -> bytes:
    """32 bytes from the password and a per-login salt (scrypt): seals the command key."""
    import hashlib

    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)


def _seal(key: str, password: str) -> tuple[str, str]:
    """(salt, sealed key), hex: the key XOR a pad that only the password re-creates."""
    import os

    salt = os.urandom(16)
    raw = bytes.fromhex(key)
    sealed = bytes(a ^ b for a, b in zip(raw, _pad(password, salt), strict=True))
    return salt.hex(), sealed.hex()


def _unseal(sealed: str, salt: str, password: str) -> str:
    raw = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(raw, _pad(password, bytes.fromhex(salt)), strict=True)).hex()


def _throttled(response: Any) -> LoginFailed:
    """The server refused the login for now (too many failures, or locked out)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    wait = response.headers.get("retry-after", "?")
    return LoginFailed(
        str(body.get("zh") or f"登录尝试过多，请 {wait} 秒后再试"),
        str(body.get("en") or f"too many login attempts; retry in {wait} s"),
    )


def _offline_login(db: SeatDB, user: str, password: str) -> Session:
    rows = db.query(
        "SELECT password_hash, role, unit, display_name, session_id, key_sealed, key_salt,"
        " key_expires_at FROM users WHERE user=?",
        (user,),
    )
    if not rows or not rows[0]["password_hash"]:
        raise LoginFailed(
            f"无法连接服务器，且用户 {user} 从未在本座席联网登录过",
            f"the server is unreachable and {user} has never logged in online on this seat",
        )
    row = rows[0]
    if not _verify(row["password_hash"], password):
        raise LoginFailed("用户名或密码错误", "wrong user name or password")
    # The key's expiry is the server's to judge (device clocks are for display): commands
    # signed with an expired key come back as sync problems with the reason.
    expires = row["key_expires_at"]
    key = None
    if row["session_id"] and row["key_sealed"] and row["key_salt"]:
        unsealed = _unseal(row["key_sealed"], row["key_salt"], password)
        key = CommandKey(row["session_id"], unsealed, expires)
    session = Session(
        user=user,
        display_name=row["display_name"] or user,
        role=Role(row["role"]),
        unit=row["unit"],
        online=False,
    )
    with db.transaction() as conn:
        _store_session(conn, session, key)
    return session


def _store_session(conn: Any, session: Session, key: CommandKey | None) -> None:
    data: dict[str, Any] = {
        "user": session.user,
        "display_name": session.display_name,
        "role": session.role.value,
        "unit": session.unit,
        "online": session.online,
    }
    if key is not None:
        data["session_id"], data["command_key"] = key.session_id, key.key
    set_meta(conn, "session", json.dumps(data, ensure_ascii=False))


def signing_key(conn: Any, user: str) -> CommandKey | None:
    """The command key of ``user`` if they are the one logged in now (inside a write)."""
    from offline_cache.db import get_meta

    raw = get_meta(conn, "session")
    if not raw:
        return None
    data = json.loads(raw)
    if data.get("user") != user or not data.get("command_key") or not data.get("session_id"):
        return None
    return CommandKey(data["session_id"], data["command_key"])


def load_session(db: SeatDB) -> Session | None:
    raw = db.get_meta("session")
    if not raw:
        return None
    d = json.loads(raw)
    return Session(d["user"], d["display_name"], Role(d["role"]), d.get("unit"), d["online"])


def logout(db: SeatDB) -> None:
    """End the user's session on this seat: the unsealed command key goes with it. The
    commands they made are already signed and sync as theirs; the sealed key stays for
    their next offline login."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM meta WHERE key='session'")


def session_token(db: SeatDB) -> str | None:
    """The bearer token of the logged-in user (pushes carry commands of earlier users too)."""
    session = load_session(db)
    if session is None:
        return None
    return db.scalar("SELECT token FROM users WHERE user=?", (session.user,))
