"""Seat enrolment and user login, online when the server answers, offline otherwise.

Offline login checks an argon2 hash cached at the user's last successful online login on
this seat; the plain password is never stored. A 401 from the server is a refusal, never
a reason to fall back to the cached hash.
"""

from __future__ import annotations

import json
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
        with db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO users(user, password_hash, role, unit, display_name,"
                " token, expires_at, last_online_login) VALUES (?,?,?,?,?,?,?,?)",
                (
                    session.user,
                    _hash(password),
                    session.role.value,
                    session.unit,
                    session.display_name,
                    body.get("token"),
                    body.get("expires_at"),
                    now.isoformat(),
                ),
            )
            _store_session(conn, session)
            set_meta(conn, "needs_login", 0)
        return session
    return _offline_login(db, user, password)


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
        "SELECT password_hash, role, unit, display_name FROM users WHERE user=?", (user,)
    )
    if not rows or not rows[0]["password_hash"]:
        raise LoginFailed(
            f"无法连接服务器，且用户 {user} 从未在本座席联网登录过",
            f"the server is unreachable and {user} has never logged in online on this seat",
        )
    row = rows[0]
    if not _verify(row["password_hash"], password):
        raise LoginFailed("用户名或密码错误", "wrong user name or password")
    session = Session(
        user=user,
        display_name=row["display_name"] or user,
        role=Role(row["role"]),
        unit=row["unit"],
        online=False,
    )
    with db.transaction() as conn:
        _store_session(conn, session)
    return session


def _store_session(conn: Any, session: Session) -> None:
    set_meta(
        conn,
        "session",
        json.dumps(
            {
                "user": session.user,
                "display_name": session.display_name,
                "role": session.role.value,
                "unit": session.unit,
                "online": session.online,
            },
            ensure_ascii=False,
        ),
    )


def load_session(db: SeatDB) -> Session | None:
    raw = db.get_meta("session")
    if not raw:
        return None
    d = json.loads(raw)
    return Session(d["user"], d["display_name"], Role(d["role"]), d.get("unit"), d["online"])


def logout(db: SeatDB) -> None:
    with db.transaction() as conn:
        conn.execute("DELETE FROM meta WHERE key='session'")


def session_token(db: SeatDB) -> str | None:
    """The bearer token of the logged-in user (pushes carry commands of earlier users too)."""
    session = load_session(db)
    if session is None:
        return None
    return db.scalar("SELECT token FROM users WHERE user=?", (session.user,))
