"""Authentication routes and the dependencies every other route uses.

A seat proves itself with ``X-Seat-Token``; a user logs in through a seat and gets a
bearer session bound to both. ``current_session`` re-checks the session, the user and
the seat on every request, so revoking either takes effect at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from central.accounts import (
    Session,
    login_candidate,
    next_order_counter,
    open_session,
    seat_by_token,
    session_for,
)
from central.api_models import LoginRequest, LoginResponse, SeatInfo, error_responses
from central.errors import AuthError, Forbidden, Unavailable
from central.login_guard import (
    Attempt,
    Limits,
    LockedOut,
    LoginThrottled,
    check,
    recent_events,
    record_failure,
    record_login,
)
from central.security import HashPool, HashPoolBusy, check_password
from central.store import Store
from workstation.models import Role

router = APIRouter(prefix="/api/v1", tags=["auth"])


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def current_session(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> Session:
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthError("请先登录", "log in first")
    store = get_store(request)
    return session_for(store.db, authorization[7:].strip(), store.now())


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that admits only the given roles."""

    def check(session: Annotated[Session, Depends(current_session)]) -> Session:
        if session.user.role not in roles:
            raise Forbidden(
                "当前用户无权访问此功能", f"a {session.user.role.value} user may not do this"
            )
        return session

    return check


SessionDep = Annotated[Session, Depends(current_session)]
StoreDep = Annotated[Store, Depends(get_store)]
SeatToken = Annotated[str | None, Header(alias="X-Seat-Token")]


class SeatVerified(SeatInfo):
    next_counter: int = 1
    """1 + the highest order counter the server has seen under this seat's prefix."""


@router.post("/seats/verify", response_model=SeatVerified, responses=error_responses(401, 422))
def verify_seat(store: StoreDep, x_seat_token: SeatToken = None) -> SeatVerified:
    """Check a seat token; the seat's code, order-number prefix and next order counter."""
    with store.db.read() as conn:
        seat = seat_by_token(conn, x_seat_token)
        counter = next_order_counter(conn, seat.prefix)
    return SeatVerified(
        seat=seat.code, prefix=seat.prefix, city=store.settings.city, next_counter=counter
    )


def request_address(request: Request) -> str:
    """The client's address (``X-Forwarded-For`` only from ``[security] trusted_proxies``)."""
    from central.security import client_address

    trusted = get_store(request).settings.security.trusted_proxies
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted)


def hash_pool(request: Request) -> HashPool:
    """This app's password-hashing pool (``[security] hash_workers``, ``hash_queue``)."""
    pool: HashPool | None = getattr(request.app.state, "hash_pool", None)
    if pool is None:
        security = get_store(request).settings.security
        pool = request.app.state.hash_pool = HashPool(security.hash_workers, security.hash_queue)
    return pool


def _refused(exc: LoginThrottled | Unavailable, retry_after: int) -> JSONResponse:
    data = exc.to_dict()
    data["error"] = data.pop("code")
    return JSONResponse(data, status_code=exc.status, headers={"Retry-After": str(retry_after)})


@router.post(
    "/auth/login", response_model=LoginResponse, responses=error_responses(401, 413, 422, 429, 503)
)
async def login_route(
    body: LoginRequest, request: Request, store: StoreDep, x_seat_token: SeatToken = None
) -> Any:
    """Log a user in on a seat: a session token bound to user and seat.

    Throttled per user name and per address (429 with Retry-After, see
    ``central.login_guard``); the password is checked in the bounded hashing pool (503
    with Retry-After when it is full), against a dummy hash for an unknown user.
    """
    limits = Limits.from_settings(store.settings.security)
    address = request_address(request)

    def prepare() -> tuple[Any, Any]:
        with store.db.read() as conn:
            seat, row = login_candidate(conn, x_seat_token, body.user)
            check(conn, Attempt(body.user, address, seat.code), limits, store.now())
        return seat, row

    try:
        seat, row = await run_in_threadpool(prepare)
        attempt = Attempt(body.user, address, seat.code)
        stored = None if row is None else row.password_hash
        ok = await hash_pool(request).run(check_password, stored, body.password)
    except LoginThrottled as exc:
        return _refused(exc, exc.retry_after)
    except HashPoolBusy:
        busy = Unavailable("登录请求过多，请稍后重试", "too many logins at once; retry shortly")
        return _refused(busy, 1)

    def finish() -> tuple[str, Session] | LockedOut | None:
        with store.transaction() as tx:
            if ok:
                record_login(tx.conn, attempt, tx.now)
                days = store.settings.security.command_key_days
                return open_session(tx, seat.code, row, days)
            reason = "unknown or disabled user" if row is None else "wrong password"
            return record_failure(tx.conn, attempt, limits, tx.now, reason)

    outcome = await run_in_threadpool(finish)
    if isinstance(outcome, LockedOut):
        return _refused(outcome, outcome.retry_after)
    if outcome is None:
        raise AuthError("用户名或密码错误", "wrong user name or password")
    token, session = outcome
    user, key = session.user, session.issued_key
    return LoginResponse(
        token=token,
        user=user.name,
        role=user.role.value,
        unit=user.unit,
        display_name=user.display_name,
        expires_at=session.expires_at.isoformat(),
        session_id=key.session_id if key else None,
        command_key=key.key if key else None,
        key_expires_at=key.expires_at.isoformat() if key else None,
    )


class AuthEvent(BaseModel):
    id: int
    at: str
    kind: str
    user: str
    address: str
    seat: str | None
    until: str | None
    detail: str


@router.get("/auth/events", response_model=list[AuthEvent], responses=error_responses(401, 403))
def auth_events(
    store: StoreDep,
    session: Annotated[Session, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))],
    user: Annotated[str | None, Query(max_length=64)] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuthEvent]:
    """The login audit, newest first: logins, failures (with address) and lockouts."""
    with store.db.read() as conn:
        rows = recent_events(conn, limit, user, before_id)
    return [AuthEvent(**r) for r in rows]


@router.post("/auth/logout", status_code=204, responses=error_responses(401))
def logout_route(
    store: StoreDep, session: SessionDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """End this session's bearer token (the seat keeps its outbox; the next push needs a new
    login). Its command key stays valid until it expires, so the commands this user queued
    still sync; an administrator revokes keys (``revoke-user``, ``revoke-seat``)."""
    from sqlalchemy import update

    from central import schema
    from central.security import token_digest

    token = (authorization or "")[7:].strip()
    s = schema.sessions
    with store.transaction() as tx:
        tx.conn.execute(
            update(s).where(s.c.token_hash == token_digest(token)).values(expires_at=tx.now)
        )
