"""A push batch writes the order tables once, at its end (central/batch_writes.py): what a
batch leaves in the database is what the commands one by one would have left."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from central import schema
from tests.central.conftest import Api


def _args(n: int, unit: str = "U001", contact: str | None = None) -> dict[str, Any]:
    return {
        "type": "complaint",
        "content": f"第{n}号 夜间施工噪音扰民",
        "unit": unit,
        "contact_id": contact or f"C-D{n}",
        "caller_phone": "13912346025",
    }


def _rows(api: Api, table: Any, *columns: str) -> list[tuple[Any, ...]]:
    cols = [table.c[c] for c in columns]
    with api.store.db.read() as conn:
        return sorted(tuple(r) for r in conn.execute(select(*cols)).all())


def test_one_batch_dispatching_reassigning_and_refusing_leaves_the_rows_of_its_applied_commands(
    api: Api,
) -> None:
    a, b, c = (f"QD-S01-2603-{n:04d}" for n in (1, 2, 3))
    cmds = [
        api.command("agent1", "dispatch", a, **_args(1)),
        api.command("agent1", "sign", a),  # an agent may not sign: refused
        api.command("super1", "reassign", a, unit="U003", reason="不属本单位"),
        api.command("agent1", "dispatch", b, **_args(2, contact="C-D1")),  # contact reused
        api.command("agent1", "dispatch", c, **_args(3, unit="U002")),
        api.command("super1", "reassign", c, unit="U001", reason="改派"),
    ]
    r = api.push("agent1", cmds)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    statuses = [x["status"] for x in results]
    assert statuses == ["applied", "rejected", "applied", "rejected", "applied", "applied"]
    assert results[1]["order"]["version"] == 1  # the order as the batch had it then
    assert results[3]["reason"]["code"] == "already_exists"
    assert _rows(api, schema.orders, "order_id", "unit", "version") == [
        (a, "U003", 2),
        (c, "U001", 2),
    ]
    assert _rows(api, schema.order_units, "order_id", "unit") == [(a, "U003"), (c, "U001")]
    assert _rows(api, schema.order_events, "order_id", "seq") == [(a, 1), (a, 2), (c, 1), (c, 2)]
    assert _rows(api, schema.contacts, "contact_id", "order_id") == [("C-D1", a), ("C-D3", c)]
    seqs = [x["seq"] for x in api.pull_all("super1")]
    assert seqs == list(range(1, len(seqs) + 1))
    # the stored results come back on a replay (a rejection as stored: its reason without
    # the order's state, issue 13's amplification fix), and the orders read back whole
    stored = [r if r["status"] == "applied" else {**r, "order": None} for r in results]
    assert api.push("agent1", cmds).json()["results"] == stored
    detail = api.client.get(f"/api/v1/orders/{a}", headers=api.auth("super1")).json()
    assert detail["order"]["version"] == 2 and detail["order"]["unit"] == "U003"
    assert [c["contact_id"] for c in detail["contacts"]] == ["C-D1"]


def test_a_refused_command_that_wrote_runs_the_batch_again_with_savepoints(api: Api) -> None:
    """An urge takes its notice number before the domain refuses it: that write cannot be
    undone in memory, so the batch is run again with a savepoint per command, and the
    number is given back; the commands around it are applied once."""
    a, b = "QD-S01-2603-0001", "QD-S01-2603-0002"
    cmds = [
        api.command("agent1", "dispatch", a, **{**_args(1), "type": "consultation"}),
        api.command("super1", "urge", a, number="MADE-UP"),  # not overdue: refused
        api.command("agent1", "dispatch", b, **_args(2)),
    ]
    r = api.push("agent1", cmds)
    assert [x["status"] for x in r.json()["results"]] == ["applied", "rejected", "applied"]
    assert _rows(api, schema.orders, "order_id", "version") == [(a, 1), (b, 1)]
    api.clock.advance(days=5)
    urged = api.do("super1", "urge", a, number="MADE-UP")
    assert urged["status"] == "applied"
    assert urged["order"]["events"][-1]["data"]["number"] == "催办〔2026〕0001号"


def test_an_op_id_used_twice_in_one_batch_is_applied_once(api: Api) -> None:
    first = api.command("agent1", "dispatch", "QD-S01-2603-0001", **_args(1))
    again = api.command("agent1", "dispatch", "QD-S01-2603-0002", **_args(2))
    again = api.sign({**again, "op_id": first["op_id"]})
    r = api.push("agent1", [first, again])
    assert [x["status"] for x in r.json()["results"]] == ["applied", "rejected"]
    assert r.json()["results"][1]["reason"]["code"] == "duplicate_op"
    assert _rows(api, schema.mutations, "mutation_id") == [(1,)]
    assert _rows(api, schema.orders, "order_id") == [("QD-S01-2603-0001",)]
