"""Authentication routes and the dependencies every other route uses.

A seat proves itself with ``X-Seat-Token``; a user logs in through a seat and gets a
bearer session bound to both. ``current_session`` re-checks the session, the user and
the seat on every request, so revoking either takes effect at once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from central.accounts import Session, login, next_order_counter, seat_by_token, session_for
from central.api_models import LoginRequest, LoginResponse, SeatInfo, error_responses
from central.errors import AuthError, Forbidden
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


@router.post("/auth/login", response_model=LoginResponse, responses=error_responses(401, 413, 422))
def login_route(
    body: LoginRequest, store: StoreDep, x_seat_token: SeatToken = None
) -> LoginResponse:
    """Log a user in on a seat: a session token bound to user and seat."""
    with store.transaction() as tx:
        token, session = login(tx, x_seat_token, body.user, body.password)
    user = session.user
    return LoginResponse(
        token=token,
        user=user.name,
        role=user.role.value,
        unit=user.unit,
        display_name=user.display_name,
        expires_at=session.expires_at.isoformat(),
    )


@router.post("/auth/logout", status_code=204, responses=error_responses(401))
def logout_route(
    store: StoreDep, session: SessionDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """End this session (the seat keeps its outbox; the next push needs a new login)."""
    from sqlalchemy import update

    from central import schema
    from central.security import token_digest

    token = (authorization or "")[7:].strip()
    s = schema.sessions
    with store.transaction() as tx:
        tx.conn.execute(update(s).where(s.c.token_hash == token_digest(token)).values(revoked=True))
