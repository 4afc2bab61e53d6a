"""Proof on PostgreSQL: concurrent writer processes never make a pulling reader skip a change.

Writers in separate processes commit transactions that emit changes (holding the
transaction open a little after the seq is taken, to widen any race window); meanwhile a
reader pages through ``pull`` with its cursor. At the end the reader must have seen every
change exactly once, in seq order. Also: two pushes of the same client at once apply once.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
import uuid

import pytest

WRITERS = 3
TX_PER_WRITER = 25


def _writer(db_url: str, writer: int, count: int) -> None:
    from datetime import UTC, datetime

    from central.changes import Change, transaction
    from central.db import Database

    db = Database(db_url, pool_size=1)
    rng = random.Random(writer)
    for i in range(count):
        with transaction(db, datetime.now(UTC)) as tx:
            for j in range(rng.randint(1, 3)):
                tx.emit(
                    Change(
                        "order",
                        f"W{writer}-{i}-{j}",
                        {"w": writer, "i": i, "j": j},
                        units=("U001",),
                    )
                )
            tx.flush()  # take the seqs now, commit a little later
            time.sleep(rng.random() * 0.004)
    db.dispose()


@pytest.mark.postgres
def test_reader_sees_every_change_exactly_once_under_concurrent_writers(pg_url: str) -> None:
    from central.changes import pull
    from central.db import Database

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(pg_url, w, TX_PER_WRITER)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    db = Database(pg_url)
    seen: list[int] = []
    keys: list[str] = []
    cursor = 0
    pages = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        writing = any(p.is_alive() for p in procs)
        changes, cursor, has_more = pull(db, cursor, 7, unit="U001" if pages % 2 else None)
        pages += 1
        seen.extend(c["seq"] for c in changes)
        keys.extend(c["key"] for c in changes)
        if not writing and not has_more:
            break
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    with db.read() as conn:
        total = conn.exec_driver_sql(
            "SELECT count(*) FROM changes WHERE entity = 'order'"
        ).scalar_one()
    db.dispose()
    assert pages > 5  # the reader really read while the writers wrote
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert len(keys) == total == len(set(keys))
    assert total >= WRITERS * TX_PER_WRITER


@pytest.mark.postgres
def test_two_pushes_of_one_client_at_once_apply_once(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from central.accounts import Session, UserRecord
    from central.api_models import PushRequest
    from central.sync_server import push
    from central.testing import seed
    from tests.central.conftest import FakeClock, make_store
    from workstation.models import Role

    store = make_store(pg_url, FakeClock(), tmp_path)
    seeded = seed(store)
    with store.transaction() as tx:
        from central.accounts import login

        _token, opened = login(tx, seeded.seat_tokens["S01"], "agent1", "pw-agent1")
    key = opened.issued_key
    assert key is not None
    session = Session(UserRecord("agent1", Role.AGENT, None, "A", False), "S01", FakeClock().now)
    cmds = [
        _signed(
            key.session_id,
            key.key,
            {
                "op_id": str(uuid.uuid4()),
                "client_id": "c1",
                "mutation_id": i + 1,
                "order_id": None,
                "command": "answer_contact",
                "args": {
                    "contact_id": f"C{i}",
                    "content": "q",
                    "explanation": "a",
                    "type": "consultation",
                },
                "user": "agent1",
                "seat": "S01",
            },
        )
        for i in range(20)
    ]
    body = PushRequest.model_validate({"client_id": "c1", "commands": cmds})
    out: list[object] = []

    def go() -> None:
        out.append(push(store, session, body))

    threads = [threading.Thread(target=go) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(out) == 3
    first = out[0]
    assert all(o == first for o in out)  # the same stored results for everyone
    with store.db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM contacts").scalar_one() == 20
        assert conn.exec_driver_sql("SELECT last_mutation_id FROM clients").scalar_one() == 20
    store.db.dispose()


def _signed(session_id: str, key: str, command: dict[str, object]) -> dict[str, object]:
    from workstation.wire.commands import command_proof

    signed = {**command, "session_id": session_id}
    signed["proof"] = command_proof(key, signed)
    return signed
