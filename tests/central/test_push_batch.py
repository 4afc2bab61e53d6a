"""A push batch is one transaction with a savepoint per command (docs/sync-protocol.md)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from tests.central.conftest import Api


def _dispatch_args(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "complaint",
        "content": f"第{n}号 夜间施工噪音扰民",
        "unit": "U001",
        "contact_id": f"C-B{n}",
        "caller_phone": "13912346025",
        **extra,
    }


def _seqs(api: Api, user: str = "agent1") -> list[int]:
    return [c["seq"] for c in api.pull_all(user)]


def test_a_rejection_inside_a_batch_rolls_back_only_its_own_command(api: Api) -> None:
    api.dispatch("QD-S01-2603-0001")
    before = _seqs(api)
    cmds = [
        api.command("agent1", "dispatch", "QD-S01-2603-0002", **_dispatch_args(2)),
        # reuses the contact id of the command before it: refused after its order was
        # written, so only the savepoint makes the refusal leave nothing behind
        api.command("agent1", "dispatch", "QD-S01-2603-0003", **_dispatch_args(2)),
        api.command("agent1", "dispatch", "QD-S01-2603-0004", **_dispatch_args(4)),
        api.command("agent1", "sign", "QD-S01-2603-0001"),  # an agent may not sign
    ]
    r = api.push("agent1", cmds)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["status"] for x in body["results"]] == ["applied", "rejected", "applied", "rejected"]
    assert body["results"][1]["reason"]["code"] == "already_exists"
    assert body["results"][1]["order"] is None  # the half-written order was rolled back
    assert body["results"][3]["order"]["version"] == 1  # current state of the order
    assert body["last_mutation_id"] == 5
    orders = api.client.get("/api/v1/orders", headers=api.auth("agent1")).json()
    assert sorted(o["order_id"] for o in orders["orders"]) == [
        "QD-S01-2603-0001",
        "QD-S01-2603-0002",
        "QD-S01-2603-0004",
    ]
    seqs = _seqs(api)
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free, nothing from the rejections
    keys = [c["key"] for c in api.pull_all("agent1", cursor=before[-1])]
    assert keys.count("QD-S01-2603-0003") == 0 and keys.count("QD-S01-2603-0002") == 1
    # a replay of the whole batch returns the stored results (a rejection without the
    # order's state: the pull brings that)
    again = api.push("agent1", cmds)
    stored = [r if r["status"] == "applied" else {**r, "order": None} for r in body["results"]]
    assert again.status_code == 200 and again.json() == {**body, "results": stored}


def test_a_database_failure_rolls_back_the_whole_batch_and_the_retry_applies_it(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import exc as sa_exc

    import central.commands as commands

    cmds = [
        api.command("agent1", "dispatch", f"QD-S01-2603-{n:04d}", **_dispatch_args(n))
        for n in range(1, 4)
    ]
    real = commands.save_order
    calls = {"n": 0}

    def flaky(tx: Any, before: Any, after: Any, events: Any) -> None:
        calls["n"] += 1
        if calls["n"] % 3 == 0:  # the third command of every attempt fails
            raise sa_exc.OperationalError("INSERT", {}, Exception("could not serialize"))
        real(tx, before, after, events)

    monkeypatch.setattr(commands, "save_order", flaky)
    r = api.push("agent1", cmds)
    assert r.status_code == 503 and r.headers.get("Retry-After")
    assert not [c for c in api.pull_all("agent1") if c["entity"] in ("order", "contact")]
    orders = api.client.get("/api/v1/orders", headers=api.auth("agent1")).json()
    assert orders["total"] == 0  # nothing of the batch was committed
    monkeypatch.setattr(commands, "save_order", real)
    r = api.push("agent1", cmds)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["applied"] * 3
    assert r.json()["last_mutation_id"] == 3


def test_a_gap_inside_a_batch_commits_what_came_before(api: Api) -> None:
    cmds = [
        api.command("agent1", "dispatch", "QD-S01-2603-0001", **_dispatch_args(1)),
        api.command("agent1", "dispatch", "QD-S01-2603-0002", mutation_id=3, **_dispatch_args(2)),
    ]
    r = api.push("agent1", cmds)
    assert r.status_code == 409 and r.json()["last_mutation_id"] == 1
    replay = api.push("agent1", cmds[:1])
    assert replay.json()["results"][0]["status"] == "applied"


def test_many_commands_on_one_order_in_one_batch(api: Api) -> None:
    number = "QD-S01-2603-0001"
    api.dispatch(number)
    cmds = [api.command("unit1", "sign", number, seat="S01", client_id="unit-client")]
    cmds.append(
        api.command(
            "unit1", "reply", number, seat="S01", client_id="unit-client", result="已修复路灯。"
        )
    )
    r = api.push("unit1", cmds)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["applied", "applied"], results
    assert [x["order"]["version"] for x in results] == [2, 3]
    assert results[1]["order"]["state"] == "replied"


def test_responses_are_gzip_compressed_when_accepted(api: Api) -> None:
    cmds = [
        api.command("agent1", "dispatch", f"QD-S01-2603-{n:04d}", **_dispatch_args(n))
        for n in range(1, 6)
    ]
    r = api.push("agent1", cmds)
    assert r.headers.get("content-encoding") == "gzip"  # httpx asks for it and inflates
    assert r.json()["last_mutation_id"] == 5
    raw = api.client.get(
        "/api/v1/sync/pull",
        params={"cursor": 0},
        headers={**api.auth("agent1"), "Accept-Encoding": "gzip"},
    )
    assert raw.headers.get("content-encoding") == "gzip" and raw.json()["changes"]
    plain = api.client.get(
        "/api/v1/sync/pull",
        params={"cursor": 0},
        headers={**api.auth("agent1"), "Accept-Encoding": "identity"},
    )
    assert "content-encoding" not in plain.headers
    assert plain.json() == raw.json()
    assert len(gzip.compress(plain.content)) < len(plain.content) / 3


def test_seat_verify_returns_the_next_order_counter(api: Api) -> None:
    for n in (7, 12):
        api.dispatch(f"QD-S01-2603-{n:04d}")
    api.dispatch("QD-S02-2603-0044", seat="S02")  # another seat's numbers do not count
    token = api.seeded.seat_tokens["S01"]
    r = api.client.post("/api/v1/seats/verify", headers={"X-Seat-Token": token})
    assert r.json()["next_counter"] == 13
    token = api.seeded.seat_tokens["S02"]
    r = api.client.post("/api/v1/seats/verify", headers={"X-Seat-Token": token})
    assert r.json()["next_counter"] == 45


def test_slim_results_drop_the_order_of_applied_commands_only(api: Api) -> None:
    api.dispatch("QD-S01-2603-0001")
    cmds = [
        api.command("agent1", "dispatch", "QD-S01-2603-0002", **_dispatch_args(2)),
        api.command("agent1", "sign", "QD-S01-2603-0001"),  # an agent may not sign
    ]
    body = {"client_id": cmds[0]["client_id"], "commands": cmds}
    url = "/api/v1/sync/push?results=slim"
    r = api.client.post(url, json=body, headers=api.auth("agent1"))
    assert r.status_code == 200, r.text
    applied, rejected = r.json()["results"]
    assert applied == {
        "op_id": cmds[0]["op_id"],
        "mutation_id": cmds[0]["mutation_id"],
        "status": "applied",
        "version": 1,
    }
    assert rejected["status"] == "rejected" and rejected["order"]["version"] == 1
    assert rejected["reason"]["code"]
    # a replay asked for slim is slim; asked in full it is the stored full result
    # (a rejection is stored without the order's state)
    again = api.client.post(url, json=body, headers=api.auth("agent1"))
    stored_rejection = {**rejected, "order": None}
    assert again.json() == {**r.json(), "results": [applied, stored_rejection]}
    full = api.push("agent1", cmds).json()["results"]
    assert full[0]["order"]["order_id"] == "QD-S01-2603-0002" and full[1] == stored_rejection
    bad = api.client.post("/api/v1/sync/push?results=tiny", json=body, headers=api.auth("agent1"))
    assert bad.status_code == 422
