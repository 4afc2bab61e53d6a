"""Push and pull (docs/sync-protocol.md): idempotent commands in, scoped changes out.

A push batch is applied in ONE database transaction. It locks the client row once, then
runs each new command inside its own SAVEPOINT: a domain refusal (or data the database
cannot store) rolls back that savepoint only, and the rejection is stored as the
command's result, consuming its mutation id. The stored results and the client's new
``last_mutation_id`` are written at the end of the same transaction, and the change
counter is bumped once, last, just before COMMIT (so commit order stays seq order, and
the counter lock and the fsync are paid once per batch, not once per command).

Any database failure (lock conflict, deadlock, a unique race) rolls back the whole batch;
it is retried a few times and then answered 503, so the client resends it: every command
is either applied with its stored result and watermark or not at all, and replays stay
idempotent. A mutation gap inside a batch commits the commands before it and answers 409.

Results travel as JSON text: each is serialised once through its model
(``workstation.wire.sync.CommandResult`` / ``SlimResult``), stored and sent as the same
text, and a replay sends the stored text as it is. A seat on a weak link asks for slim
results (``?results=slim``): an applied command then comes back as a ``SlimResult`` (its
order reaches the seat by pull anyway), a rejection still in full.
"""

from __future__ import annotations

import json
import time
import weakref
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import Engine, bindparam, event, select, update
from sqlalchemy import exc as sa_exc

from central import schema
from central.accounts import Session, Signer, signer
from central.api_models import error_responses
from central.auth import SessionDep, StoreDep
from central.batch_writes import BatchWrites, insert_rows
from central.changes import Tx, mask_for_unit, max_seq, pull_page, reader_of
from central.commands import execute_command
from central.errors import BadBody, CursorAhead, Forbidden, MutationGap, Unavailable
from central.order_tables import forget_order, load_order, order_units
from central.store import Store
from workstation.errors import NotPermitted, UserFacingError, ValidationError
from workstation.models import Actor, Role
from workstation.orders import WorkOrder, from_snapshot
from workstation.wire.commands import Command, proof_matches
from workstation.wire.sync import (
    CommandResult,
    PullPage,
    PushRequest,
    PushResponse,
    SlimResult,
    dump,
    push_response_json,
)

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
RETRIES = 4


@router.post(
    "/push",
    response_model=PushResponse,
    responses=error_responses(401, 403, 409, 413, 415, 422, 503),
)
def push_route(
    body: PushRequest,
    store: StoreDep,
    session: SessionDep,
    results: Annotated[str, Query(pattern="^(full|slim)$")] = "full",
) -> Any:
    """Apply a batch of outbox commands in mutation-id order; replays return stored results."""
    text = push_text(store, session, body, slim=results == "slim")
    return Response(text, media_type="application/json")


MAX_WAIT_S = 30
"""The longest a pull is held (``wait``); load balancers' idle timeouts must exceed it."""


@router.get("/pull", response_model=PullPage, responses=error_responses(401, 422, 503))
async def pull_route(
    store: StoreDep,
    session: SessionDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    wait: Annotated[int, Query(ge=0, le=MAX_WAIT_S)] = 0,
) -> Any:
    """Changes after ``cursor`` in the caller's scope, in seq order.

    A cursor beyond the newest change (a seat restored against a restored server, or a
    forged one) is a 409 ``cursor_ahead`` naming the head: the seat starts over from 0.
    ``wait`` > 0 (long-poll): when nothing is new in the reader's scope the request is held
    (on the event loop, no thread) until a commit touches that scope or ``wait`` seconds
    pass; the answer's ``Pull-Wait`` header says the server held it (older servers lack it).
    """
    from starlette.concurrency import run_in_threadpool

    from central.notify import notifier_for

    head = await run_in_threadpool(max_seq, store.db)
    if cursor > head:
        raise CursorAhead(
            f"同步位置 {cursor} 超过服务器最新位置 {head}，请重新同步",
            f"cursor {cursor} is ahead of the server's head {head}; pull again from 0",
            cursor=cursor,
            head=head,
        )
    user = session.user
    reader = reader_of(user.role.value, user.name, session.seat, user.unit)
    if wait == 0:
        text, _ = await run_in_threadpool(pull_page, store.db, cursor, limit, reader)
        return Response(text, media_type="application/json")
    deadline = time.monotonic() + wait
    notifier = notifier_for(store.db)

    def query() -> Any:
        return run_in_threadpool(pull_page, store.db, cursor, limit, reader)

    async with notifier.waiter(reader.keys) as waiter:
        while True:
            text, count = await notifier.shared((reader, cursor, limit), query)
            left = deadline - time.monotonic()
            if count or left <= 0 or not await waiter.wait(left):
                break
    return Response(text, media_type="application/json", headers={"Pull-Wait": str(wait)})


def push(store: Store, session: Session, body: PushRequest) -> dict[str, Any]:
    """The push response as a dict (for callers in Python; the route sends the text)."""
    return json.loads(push_text(store, session, body))  # type: ignore[no-any-return]


def push_text(store: Store, session: Session, body: PushRequest, slim: bool = False) -> str:
    """Apply the batch; the response body ``{"last_mutation_id", "results"}`` as JSON.

    ``slim``: applied results without the order snapshot (see the module docstring).
    """
    ids = [c.mutation_id for c in body.commands]
    if any(b <= a for a, b in zip(ids, ids[1:], strict=False)):
        raise BadBody(
            "命令须按变更编号递增排列", "commands must be sorted by increasing mutation id"
        )
    if any(c.client_id != body.client_id for c in body.commands):
        raise BadBody(
            "命令的 client_id 与批次不一致", "a command's client_id differs from the batch"
        )
    deferred = True  # the first attempt defers its rows to the end (central.batch_writes)
    for attempt in range(RETRIES):
        try:
            with store.transaction() as tx:
                last, texts, gap = _batch(store, tx, session, body, slim, deferred)
            break
        except _WriteEachCommand:
            deferred = False
        except (sa_exc.IntegrityError, sa_exc.OperationalError, sa_exc.DataError) as exc:
            deferred = False
            if attempt == RETRIES - 1:
                raise Unavailable("服务器繁忙，请稍后重试", "the server is busy; retry") from exc
    if gap is not None:
        raise gap  # after the commands before the gap were committed
    return push_response_json(last, texts)


def _check_binding(bound: str, seat: str, client_id: str) -> None:
    if bound != seat:
        raise Forbidden(
            f"客户端 {client_id} 属于座席 {bound}", f"client {client_id} belongs to seat {bound}"
        )


class _WriteEachCommand(Exception):  # noqa: N818 (a signal, not an error)
    """A deferring batch met a command it cannot undo alone: run the batch again with each
    command in its own savepoint, writing as it goes."""


@dataclass
class _BatchState:
    """What a push batch learns once and every command of it reuses."""

    used_ops: set[str]  # op ids stored before this batch
    seen_ops: set[str] = field(default_factory=set)  # op ids this batch used or refused
    signers: dict[str, Signer | None] = field(default_factory=dict)
    prefix: str | None = None  # the pushing seat's order-number prefix


@cache
def _statements() -> tuple[Any, Any, Any, Any, Any]:
    """(client row, stored results of a range, watermark update, op ids already used,
    orders of the batch), with bound parameters."""
    c, m, o = schema.clients, schema.mutations, schema.orders
    client = select(c.c.seat, c.c.last_mutation_id).where(c.c.client_id == bindparam("b_cid"))
    stored = select(m.c.mutation_id, m.c.result, m.c.op_id, m.c.user, m.c.proof).where(
        m.c.client_id == bindparam("b_cid"),
        m.c.mutation_id >= bindparam("b_low"),
        m.c.mutation_id <= bindparam("b_high"),
    )
    watermark = update(c).where(c.c.client_id == bindparam("b_cid"))
    used = select(m.c.op_id).where(m.c.op_id.in_(bindparam("b_ops", expanding=True)))
    orders = (
        select(o.c.order_id, o.c.snapshot)
        .where(o.c.order_id.in_(bindparam("b_orders", expanding=True)))
        .order_by(o.c.order_id)
    )
    return client, stored, watermark, used, orders


def _batch(
    store: Store,
    tx: Tx,
    session: Session,
    body: PushRequest,
    slim: bool = False,
    deferred: bool = False,
) -> tuple[int, list[str], MutationGap | None]:
    """Inside the batch transaction: (new last_mutation_id, result texts, gap or None).

    ``deferred``: the rows of the order tables are collected and written at the end
    (``central.batch_writes``), and a refused command is undone in memory instead of by a
    savepoint; a command that wrote something that cannot be undone that way raises
    ``_WriteEachCommand`` and the caller runs the batch again without deferring.
    """
    client_stmt, stored_stmt, watermark, used_stmt, orders_stmt = _statements()
    client_id = body.client_id
    locked = tx.db.for_update(client_stmt)
    client = tx.conn.execute(locked, {"b_cid": client_id}).first()
    if client is None:  # first push of this client: bind it to the seat
        row = {"client_id": client_id, "seat": session.seat, "last_mutation_id": 0}
        tx.db.insert_ignore(tx.conn, schema.clients, {**row, "created_at": tx.now})
        client = tx.conn.execute(locked, {"b_cid": client_id}).one()
    _check_binding(client.seat, session.seat, client_id)
    start = last = int(client.last_mutation_id)
    replays = [cmd.mutation_id for cmd in body.commands if cmd.mutation_id <= start]
    stored: dict[int, Any] = {}
    if replays:
        params = {"b_cid": client_id, "b_low": replays[0], "b_high": replays[-1]}
        stored = {int(r.mutation_id): r for r in tx.conn.execute(stored_stmt, params)}
    new = [cmd for cmd in body.commands if cmd.mutation_id > start]
    state = _BatchState(used_ops=set())
    if new:
        # what every command checks, read once: op ids used before, and the orders named
        # (locked in one order, so two batches cannot deadlock on them)
        ops = [cmd.op_id for cmd in new]
        state.used_ops = set(tx.conn.execute(used_stmt, {"b_ops": ops}).scalars())
        names = sorted({c.order_id for c in new if isinstance(c.order_id, str) and c.order_id})
        if names:
            found = {
                r.order_id: r.snapshot
                for r in tx.conn.execute(tx.db.for_update(orders_stmt), {"b_orders": names})
            }
            for name in names:
                if name not in tx.orders:
                    text = found.get(name)
                    tx.orders[name] = None if text is None else from_snapshot(json.loads(text))
        if deferred:
            tx.writes = _deferred_writes(tx, new)
    texts: list[str] = []
    rows: list[dict[str, Any]] = []
    gap: MutationGap | None = None
    for cmd in body.commands:
        if cmd.mutation_id <= start:
            text = _replay(cmd, stored.get(cmd.mutation_id), session)
            texts.append(_slim_stored(text) if slim else text)
            continue
        if cmd.mutation_id != last + 1:
            gap = MutationGap(
                f"变更编号不连续：已收到 {last}，应发送 {last + 1}",
                f"mutation gap: last applied {last}, send {last + 1} next",
                last_mutation_id=last,
                expected=last + 1,
            )
            break
        tx.now = store.now()
        last = cmd.mutation_id
        status, text, short = _apply(store, tx, session, cmd, state, slim)
        out = short if slim and short is not None else text
        texts.append(out if cmd.user == session.user.name else _for_reader(out, session))
        if cmd.op_id in state.seen_ops:  # not proven, or a used op id: nothing stored
            continue
        state.seen_ops.add(cmd.op_id)
        rows.append(
            {
                "client_id": client_id,
                "mutation_id": cmd.mutation_id,
                "op_id": cmd.op_id,
                "user": cmd.user,
                "command": cmd.command,
                "status": status,
                "result": text if status == "applied" else _stored_rejection(text),
                "applied_at": tx.now,
                "proof": cmd.proof,
            }
        )
    if rows:
        insert_rows(tx.conn, schema.mutations, rows, tx.db.is_postgres)
    if last != start:
        tx.conn.execute(watermark, {"b_cid": client_id, "last_mutation_id": last})
    return last, texts, gap


def _deferred_writes(tx: Tx, commands: list[Command]) -> BatchWrites:
    """The batch's write buffer, knowing which of the contact ids it names are free."""
    ids = [
        str(c.args["contact_id"])
        for c in commands
        if isinstance(c.args, dict) and isinstance(c.args.get("contact_id"), str)
    ]
    writes = BatchWrites()
    if ids:
        ct = schema.contacts
        taken = set(
            tx.conn.execute(select(ct.c.contact_id).where(ct.c.contact_id.in_(ids))).scalars()
        )
        writes.free_contacts = set(ids) - taken
    _watch_writes(tx.db.engine)
    return writes


_WATCHED: weakref.WeakSet[Engine] = weakref.WeakSet()


def _watch_writes(engine: Engine) -> None:
    """Count the statements other than SELECT on each connection (``conn.info["writes"]``):
    a refused command of a deferring batch must not have written anything itself."""
    if engine in _WATCHED:
        return
    _WATCHED.add(engine)

    def count(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip()[:6].upper() == "SELECT":
            conn.info["writes"] = conn.info.get("writes", 0) + 1

    event.listen(engine, "before_cursor_execute", count)


_UNKNOWN = {
    "code": "unknown_mutation",
    "zh": "无此变更记录",
    "en": "no stored result for this mutation",
}
_REPLAY_MISMATCH = {
    "code": "replay_mismatch",
    "zh": "该变更编号已用于另一条命令",
    "en": "this mutation id was used by another command",
}


class DuplicateOp(UserFacingError):
    """The op id was applied (or refused) before, at another mutation id."""

    code = "duplicate_op"


def _stored_rejection(text: str) -> str:
    """A rejection as stored: its reason without the order's current state (the answer
    carries that, a pull brings it later), so refused commands, as many as a push holds,
    cannot each store a copy of an order (issue 13, amplification)."""
    result = CommandResult.model_validate_json(text)
    return text if result.order is None else dump(result.model_copy(update={"order": None}))


def _replay(cmd: Command, row: Any, reader: Session) -> str:
    """The stored result of a replayed mutation, for this reader only.

    The replay must be the same command (same op id and, when stored, the same proof:
    only the seat's own outbox row has it); the result is then filtered through the
    reader's scope and masking, as if the reader had pulled it. Anything else is refused
    without content.
    """
    if row is None:  # below the watermark but never stored (a refused duplicate op id)
        return _result_text(cmd, "rejected", _UNKNOWN)
    import hmac

    same = row.op_id == cmd.op_id and (
        row.proof is None or hmac.compare_digest(row.proof, cmd.proof or "")
    )
    if not same:
        return _result_text(cmd, "rejected", _REPLAY_MISMATCH)
    text: str = row.result
    return text if row.user == reader.user.name else _for_reader(text, reader)


def _for_reader(text: str, reader: Session) -> str:
    """A result made by another user, as the reader may see it: a unit user gets the order
    only if it is its unit's (masked), and never another user's record."""
    unit = reader.scope_unit
    if unit is None:
        return text
    data = json.loads(text)
    order = data.get("order")
    if isinstance(order, dict):
        units = (order.get("unit"), *(order.get("co_units") or ()))
        data["order"] = mask_for_unit("order", order) if unit in units else None
    if data.get("record") is not None:
        data["record"] = None
    slim = "order" not in data and data.get("status") == "applied"
    model = SlimResult if slim else CommandResult
    return dump(model.model_validate(data), exclude_none=slim)


def _result_text(
    cmd: Command,
    status: str,
    reason: dict[str, Any] | None,
    order: dict[str, Any] | None = None,
    record: dict[str, Any] | None = None,
) -> str:
    """One full result (``CommandResult``) as the JSON text stored and sent."""
    result = CommandResult(
        op_id=cmd.op_id,
        mutation_id=cmd.mutation_id,
        status=status,  # type: ignore[arg-type]
        reason=reason,  # type: ignore[arg-type]
        order=order,
        record=record,
    )
    return dump(result)


def _slim_text(
    op_id: str, mutation_id: int, version: int | None, record: dict[str, Any] | None
) -> str:
    """An applied result without its order (``SlimResult``): what a weak link asks for."""
    slim = SlimResult(
        op_id=op_id, mutation_id=mutation_id, status="applied", version=version, record=record
    )
    return dump(slim, exclude_none=True)


def _slim_stored(text: str) -> str:
    """A stored (full) result made slim for a replay; rejections stay as stored."""
    result = CommandResult.model_validate_json(text)
    if result.status != "applied":
        return text
    version = result.order.get("version") if result.order is not None else None
    return _slim_text(result.op_id, result.mutation_id, version, result.record)


class BadProof(NotPermitted):
    """The command's proof does not show that its user made it."""

    code = "bad_proof"


def _actor(tx: Tx, session: Session, cmd: Command, signers: dict[str, Signer | None]) -> Actor:
    """The user who made ``cmd``, proven by the HMAC of a command key issued at that user's
    login on this seat; never the ``user`` field alone (docs/sync-protocol.md)."""
    if cmd.seat != session.seat:
        raise NotPermitted(
            f"命令来自座席 {cmd.seat}，与本座席 {session.seat} 不符",
            f"the command names seat {cmd.seat}, not this seat {session.seat}",
        )
    if not cmd.session_id or not cmd.proof:
        raise BadProof(
            "命令缺少操作人签名，未执行（请操作人重新登录后重做）",
            "the command carries no proof of its user; not applied",
        )
    if cmd.session_id not in signers:
        signers[cmd.session_id] = signer(tx.conn, cmd.session_id, tx.now)
    key = signers[cmd.session_id]
    fields = cmd.model_dump(exclude={"proof"})
    if (
        key is None
        or key.seat != session.seat
        or key.user.name != cmd.user
        or not proof_matches(key.key, fields, cmd.proof)
    ):
        raise BadProof(
            f"命令的操作人签名无效（用户 {cmd.user} 的登录已过期、被吊销或签名不符），未执行",
            f"the proof does not show that {cmd.user} made this command (a login expired,"
            " revoked or of another user, or a wrong signature); not applied",
        )
    user = key.user
    return Actor(user.name, user.role, user.unit, session.seat)


ORDER_WINDOW = 10_000
"""How far ahead of the highest counter seen under a prefix a new order number may be."""


def _check_order_number(tx: Tx, session: Session, cmd: Command, state: _BatchState) -> None:
    """A new order is numbered under the pushing seat's own prefix, with a counter at most
    ``ORDER_WINDOW`` past the highest seen (``{prefix}-{YYMM}-{counter}``; the month part
    is optional, as in numbers made before it)."""
    if cmd.command != "dispatch" or not isinstance(cmd.order_id, str):
        return
    if load_order(tx, cmd.order_id) is not None:
        return  # a re-dispatch of an existing order; the domain decides
    import re

    if state.prefix is None:
        st = schema.seats
        stmt = select(st.c.prefix).where(st.c.code == session.seat)
        state.prefix = str(tx.conn.execute(stmt).scalar_one())
    prefix = state.prefix
    match = re.fullmatch(re.escape(prefix) + r"-(?:\d{4}-)?(\d{1,12})", cmd.order_id)
    if match is None:
        raise ValidationError(
            "order_id",
            f"工单编号 {cmd.order_id} 不符合本座席的编号规则（{prefix}-年月-序号）",
            f"order number {cmd.order_id} is not of this seat's form {prefix}-YYMM-counter",
        )
    counter = int(match.group(1))
    name = f"order_counter:{prefix}"
    writes = tx.writes
    if writes is not None and name in writes.counter_tops:
        top = writes.counter_tops[name]
    else:
        top = _counter_top(tx, name, prefix)
    if counter > top + ORDER_WINDOW:
        raise ValidationError(
            "order_id",
            f"工单序号 {counter} 超出允许范围（最多 {top + ORDER_WINDOW}）",
            f"order counter {counter} is beyond the allowed window (at most {top + ORDER_WINDOW})",
        )
    if writes is not None:  # a deferring batch: stored once, at its end
        writes.counter_tops[name] = max(top, counter)
        if counter > top:
            writes.counters[name] = counter
    elif counter > top:
        c = schema.counters
        tx.conn.execute(update(c).where(c.c.name == name).values(value=counter))


def _counter_top(tx: Tx, name: str, prefix: str) -> int:
    """The highest order counter seen under ``prefix`` (the row locked; made on first use
    from the orders already stored)."""
    from central.accounts import next_order_counter

    c = schema.counters
    stmt = tx.db.for_update(select(c.c.value).where(c.c.name == name))
    value = tx.conn.execute(stmt).scalar()
    if value is None:
        tx.db.insert_ignore(
            tx.conn, c, {"name": name, "value": next_order_counter(tx.conn, prefix) - 1}
        )
        value = tx.conn.execute(stmt).scalar_one()
    return int(value)


def _apply(
    store: Store,
    tx: Tx,
    session: Session,
    cmd: Command,
    state: _BatchState,
    slim: bool = False,
) -> tuple[str, str, str | None]:
    """One command: (status, result text, slim text of an applied one when ``slim``).

    Its changes are undone if it is refused: by its savepoint, or in a deferring batch
    (``tx.writes``) by dropping what it added to the batch's buffers and order cache.
    A command whose proof fails, or whose op id was used before, is refused without
    storing anything under its op id (``state.seen_ops`` gets it, so the caller stores no
    row): nobody can take a pending command's op id away from it.
    """
    mark = len(tx.pending)
    actor: Actor | None = None
    writes = tx.writes
    if writes is not None:
        undo = writes.mark(), dict(tx.orders), tx.conn.info.get("writes", 0)
    else:
        savepoint = tx.conn.begin_nested()
    try:
        try:
            actor = _actor(tx, session, cmd, state.signers)
            if cmd.op_id in state.seen_ops or cmd.op_id in state.used_ops:
                raise DuplicateOp(
                    "该操作编号（op_id）已使用过，命令未执行",
                    "this op_id was already used; the command was not applied",
                )
        except UserFacingError:
            state.seen_ops.add(cmd.op_id)
            raise
        _check_order_number(tx, session, cmd, state)
        order, record = execute_command(store, tx, cmd.command, cmd.order_id, cmd.args, actor)
        if writes is None:
            savepoint.commit()
        visible = _visible(tx, mark, order, actor)
        version = None if visible is None or order is None else order.version
        short = _slim_text(cmd.op_id, cmd.mutation_id, version, record) if slim else None
        return "applied", _result_text(cmd, "applied", None, visible, record), short
    except (UserFacingError, sa_exc.DataError) as exc:
        if writes is not None:
            if isinstance(exc, sa_exc.DataError) or tx.conn.info.get("writes", 0) != undo[2]:
                raise _WriteEachCommand from exc  # it wrote: only a savepoint undoes that
            writes.undo(undo[0])
            tx.orders = undo[1]
        else:
            savepoint.rollback()
            forget_order(tx, cmd.order_id)
        del tx.pending[mark:]
        if isinstance(exc, UserFacingError):
            reason = {"code": exc.code, **exc.to_dict()}
        else:
            reason = {"code": "invalid", "zh": "数据无法保存", "en": "the data cannot be stored"}
        current = None
        if isinstance(cmd.order_id, str) and cmd.order_id:
            current = load_order(tx, cmd.order_id)
        text = _result_text(cmd, "rejected", reason, _visible(tx, None, current, actor))
        return "rejected", text, None


def _visible(
    tx: Tx, mark: int | None, order: WorkOrder | None, actor: Actor | None
) -> dict[str, Any] | None:
    """The order snapshot as this actor may see it (unit users: own orders, masked).

    After an applied command the snapshot is the one its ``order`` change carries (``mark``:
    where this command's changes start), so it is not rebuilt.
    """
    if order is None or actor is None:
        return None
    change = None
    if mark is not None:
        change = next(
            (
                c
                for c in reversed(tx.pending[mark:])
                if c.entity == "order" and c.key == order.order_id
            ),
            None,
        )
    if change is not None and change.data.get("version") == order.version:
        snap = change.data
    else:
        from workstation.orders import snapshot

        snap = snapshot(order)
    if actor.role is Role.UNIT:
        if actor.unit not in order_units(order):
            return None
        return mask_for_unit("order", snap)
    return snap
