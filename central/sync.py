"""Push and pull (docs/sync-protocol.md): idempotent commands in, scoped changes out.

Each pushed command runs in its own transaction that locks the client row, checks the
mutation id, applies the command inside a savepoint, and stores the result together with
the client's new ``last_mutation_id``. A domain refusal rolls back the savepoint only: the
rejection is stored and the mutation id consumed. A database failure rolls back all of
it and answers 503, so the client retries and nothing is half-applied.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update

from central import schema
from central.accounts import Session, user_on_seat
from central.api_models import PullResponse, PushRequest, PushResponse, error_responses
from central.auth import SessionDep, StoreDep
from central.changes import Tx, dumps, mask_for_unit, pull
from central.commands import execute_command
from central.errors import BadBody, Forbidden, MutationGap, Unavailable
from central.order_store import order_units
from central.store import Store
from workstation.errors import NotPermitted, UserFacingError, ValidationError
from workstation.models import Actor, Role
from workstation.orders import WorkOrder

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
RETRIES = 4


@router.post(
    "/push",
    response_model=PushResponse,
    responses=error_responses(401, 403, 409, 413, 415, 422, 503),
)
def push_route(body: PushRequest, store: StoreDep, session: SessionDep) -> Any:
    """Apply a batch of outbox commands in mutation-id order; replays return stored results."""
    return JSONResponse(push(store, session, body))


@router.get("/pull", response_model=PullResponse, responses=error_responses(401, 422, 503))
def pull_route(
    store: StoreDep,
    session: SessionDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Any:
    """Changes after ``cursor`` in the caller's scope, in seq order."""
    changes, new_cursor, has_more = pull(store.db, cursor, limit, session.scope_unit)
    return JSONResponse({"changes": changes, "cursor": new_cursor, "has_more": has_more})


def push(store: Store, session: Session, body: PushRequest) -> dict[str, Any]:
    ids = [c.mutation_id for c in body.commands]
    if any(b <= a for a, b in zip(ids, ids[1:], strict=False)):
        raise BadBody(
            "命令须按变更编号递增排列", "commands must be sorted by increasing mutation id"
        )
    if any(c.client_id != body.client_id for c in body.commands):
        raise BadBody(
            "命令的 client_id 与批次不一致", "a command's client_id differs from the batch"
        )
    results: list[dict[str, Any]] = []
    last = _last_mutation_id(store, body.client_id, session.seat)
    for cmd in body.commands:
        result, last = _push_one(store, session, body.client_id, cmd)
        results.append(result)
    return {"last_mutation_id": last, "results": results}


def _last_mutation_id(store: Store, client_id: str, seat: str) -> int:
    c = schema.clients
    with store.db.read() as conn:
        row = conn.execute(
            select(c.c.seat, c.c.last_mutation_id).where(c.c.client_id == client_id)
        ).first()
    if row is None:
        return 0
    _check_binding(row.seat, seat, client_id)
    return int(row.last_mutation_id)


def _check_binding(bound: str, seat: str, client_id: str) -> None:
    if bound != seat:
        raise Forbidden(
            f"客户端 {client_id} 属于座席 {bound}", f"client {client_id} belongs to seat {bound}"
        )


def _push_one(
    store: Store, session: Session, client_id: str, cmd: Any
) -> tuple[dict[str, Any], int]:
    """One command in one transaction; retried on lock conflicts and unique races."""
    for attempt in range(RETRIES):
        try:
            with store.transaction() as tx:
                return _in_transaction(store, tx, session, client_id, cmd)
        except (sa_exc.IntegrityError, sa_exc.OperationalError) as exc:
            if attempt == RETRIES - 1:
                raise Unavailable("服务器繁忙，请稍后重试", "the server is busy; retry") from exc
    raise AssertionError("unreachable")


def _in_transaction(
    store: Store, tx: Tx, session: Session, client_id: str, cmd: Any
) -> tuple[dict[str, Any], int]:
    c = schema.clients
    locked = tx.db.for_update(
        select(c.c.seat, c.c.last_mutation_id).where(c.c.client_id == client_id)
    )
    client = tx.conn.execute(locked).first()
    if client is None:  # first push of this client: bind it to the seat
        tx.db.insert_ignore(
            tx.conn,
            c,
            {
                "client_id": client_id,
                "seat": session.seat,
                "last_mutation_id": 0,
                "created_at": tx.now,
            },
        )
        client = tx.conn.execute(locked).one()
    _check_binding(client.seat, session.seat, client_id)
    last = int(client.last_mutation_id)
    if cmd.mutation_id <= last:
        m = schema.mutations
        stored = tx.conn.execute(
            select(m.c.result).where(m.c.client_id == client_id, m.c.mutation_id == cmd.mutation_id)
        ).scalar()
        if stored is None:  # below the watermark but never stored: cannot happen via push
            return _result(
                cmd,
                "rejected",
                {
                    "code": "unknown_mutation",
                    "zh": "无此变更记录",
                    "en": "no stored result for this mutation",
                },
            ), last
        return json.loads(stored), last
    if cmd.mutation_id != last + 1:
        raise MutationGap(
            f"变更编号不连续：已收到 {last}，应发送 {last + 1}",
            f"mutation gap: last applied {last}, send {last + 1} next",
            last_mutation_id=last,
            expected=last + 1,
        )
    result = _apply(store, tx, session, cmd)
    tx.conn.execute(
        schema.mutations.insert().values(
            client_id=client_id,
            mutation_id=cmd.mutation_id,
            op_id=cmd.op_id,
            user=cmd.user,
            command=cmd.command,
            status=result["status"],
            result=dumps(result),
            applied_at=tx.now,
        )
    )
    tx.conn.execute(
        update(c).where(c.c.client_id == client_id).values(last_mutation_id=cmd.mutation_id)
    )
    return result, cmd.mutation_id


def _result(
    cmd: Any, status: str, reason: dict[str, Any] | None, order: Any = None, record: Any = None
) -> dict[str, Any]:
    return {
        "op_id": cmd.op_id,
        "mutation_id": cmd.mutation_id,
        "status": status,
        "reason": reason,
        "order": order,
        "record": record,
    }


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _apply(store: Store, tx: Tx, session: Session, cmd: Any) -> dict[str, Any]:
    mark = len(tx.pending)
    actor: Actor | None = None
    savepoint = tx.conn.begin_nested()
    try:
        if cmd.seat != session.seat:
            raise NotPermitted(
                f"命令来自座席 {cmd.seat}，与本座席 {session.seat} 不符",
                f"the command names seat {cmd.seat}, not this seat {session.seat}",
            )
        user = user_on_seat(tx.conn, cmd.user, session.seat)
        if user is None:
            raise NotPermitted(
                f"用户 {cmd.user} 未在座席 {session.seat} 登录过或已停用",
                f"user {cmd.user} has not logged in on seat {session.seat} or is disabled",
            )
        actor = Actor(user.name, user.role, user.unit, session.seat)
        if _has_nul(cmd.args):
            raise ValidationError("args", "参数含有空字符", "the arguments contain a NUL character")
        order, record = execute_command(store, tx, cmd.command, cmd.order_id, cmd.args, actor)
        savepoint.commit()
        return _result(cmd, "applied", None, _visible(order, actor), record)
    except (UserFacingError, sa_exc.DataError) as exc:
        savepoint.rollback()
        del tx.pending[mark:]
        if isinstance(exc, UserFacingError):
            reason = {"code": exc.code, **exc.to_dict()}
        else:
            reason = {"code": "invalid", "zh": "数据无法保存", "en": "the data cannot be stored"}
        current = None
        if isinstance(cmd.order_id, str) and cmd.order_id:
            from central.order_store import load_order

            current = load_order(tx, cmd.order_id)
        return _result(cmd, "rejected", reason, _visible(current, actor))


def _visible(order: WorkOrder | None, actor: Actor | None) -> dict[str, Any] | None:
    """The order snapshot as this actor may see it (unit users: own orders, masked)."""
    if order is None or actor is None:
        return None
    from workstation.orders import snapshot

    snap = snapshot(order)
    if actor.role is Role.UNIT:
        if actor.unit not in order_units(order):
            return None
        return mask_for_unit("order", snap)
    return snap
