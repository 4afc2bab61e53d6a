"""Issue 13, items 1-5: who a command is from, who reads its answer, and what it may name.

Each finding is replayed as it was reported, through the real app (in process, on SQLite
and PostgreSQL), plus the variations around it. ``Api.sign`` signs a command exactly as a
seat does (``offline_cache.order_view.sign_row``): HMAC-SHA256 with the command key of the
user's login on the command's seat.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.central.conftest import Api

CALLER: dict[str, Any] = {"caller_name": "张三丰", "caller_phone": "13912346025"}


def push_one(api: Api, pusher: str, command: dict[str, Any]) -> dict[str, Any]:
    r = api.push(pusher, [command])
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()["results"][0]
    return result


def order_row(api: Api, order_id: str) -> dict[str, Any] | None:
    from central.order_tables import get_snapshot

    with api.store.db.read() as conn:
        return get_snapshot(conn, order_id)


def unsigned(command: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in command.items() if k not in ("session_id", "proof")}


def take_back(api: Api, client_id: str = "client-S01") -> None:
    """Give back the mutation id ``api.command`` took for a command that is not pushed."""
    api.next_mutation[client_id] -= 1


def next_id(api: Api, client_id: str = "client-S01") -> int:
    n = api.next_mutation[client_id]
    api.next_mutation[client_id] = n + 1
    return n


# -- 1. the actor comes from a credential -------------------------------------------------


def test_a_unit_user_cannot_reassign_as_the_supervisor(api: Api) -> None:
    """Finding 1: unit1 (U001) pushed ``reassign`` of a U002 order naming the supervisor."""
    api.dispatch("QD-S01-0001", unit="U002", confidential=True, **CALLER)
    api.login("super1", "S01")  # the supervisor has logged in on this seat before
    api.login("unit1", "S01")
    base = api.command("unit1", "reassign", "QD-S01-0001", unit="U001", reason="x")
    take_back(api)
    super_session = api.keys[("super1", "S01")][0]
    attempts = {
        "no proof": lambda f: f,
        "unit1's own key": lambda f: api.sign(f, user="unit1"),
        "super1's session id, unit1's key": lambda f: {
            **api.sign(f, user="unit1"),
            "session_id": super_session,
        },
        "a made-up proof": lambda f: {**f, "session_id": super_session, "proof": "0" * 64},
    }
    for name, forge in attempts.items():
        forged = {**unsigned(base), "user": "super1", "mutation_id": next_id(api)}
        result = push_one(api, "unit1", forge(forged))
        assert result["status"] == "rejected", name
        assert result["reason"]["code"] == "bad_proof" and result["reason"]["en"], name
        assert result["order"] is None, name
    snap = order_row(api, "QD-S01-0001")
    assert snap is not None and snap["unit"] == "U002" and snap["version"] == 1
    pulled = json.dumps(api.pull_all("unit1"), ensure_ascii=False)
    assert "QD-S01-0001" not in pulled and "张三丰" not in pulled


def test_after_the_supervisor_logs_out_nobody_recalls_or_dispatches_as_them(api: Api) -> None:
    """Finding 1: after the supervisor logged out, the unit user pushed recall and dispatch
    as the supervisor (``created_by`` forged)."""
    api.dispatch("QD-S01-0001", unit="U001")
    api.login("super1", "S01")
    out = api.client.post("/api/v1/auth/logout", headers=api.auth("super1"))
    assert out.status_code == 204
    api.login("unit1", "S01")
    recall = api.command("unit1", "recall", "QD-S01-0001", reason="x")
    take_back(api)
    dispatch = api.command(
        "unit1", "dispatch", "QD-S01-0002", type="complaint", content="伪造", unit="U001"
    )
    take_back(api)
    for command, key in ((recall, None), (dispatch, None), (recall, "unit1"), (dispatch, "unit1")):
        forged = {**unsigned(command), "user": "super1", "mutation_id": next_id(api)}
        result = push_one(api, "unit1", api.sign(forged, user=key) if key else forged)
        assert (result["status"], result["reason"]["code"]) == ("rejected", "bad_proof")
    assert order_row(api, "QD-S01-0002") is None
    snap = order_row(api, "QD-S01-0001")
    assert snap is not None and snap["state"] == "dispatched"


def test_a_logged_out_users_signed_commands_still_apply_as_theirs(api: Api) -> None:
    """Logout ends the bearer token, not the command key: what the user queued syncs."""
    api.dispatch("QD-S01-0001", unit="U001")
    api.login("super1", "S01")
    queued = api.command("super1", "recall", "QD-S01-0001", reason="重复工单")
    api.client.post("/api/v1/auth/logout", headers=api.auth("super1"))
    api.tokens.pop("super1")
    result = push_one(api, "agent1", queued)  # pushed later, under another user's login
    assert result["status"] == "applied"
    snap = order_row(api, "QD-S01-0001")
    assert snap is not None and snap["state"] == "recalled"
    assert snap["events"][-1]["actor"] == "super1"


def test_revoked_disabled_or_expired_keys_sign_nothing(api: Api) -> None:
    from central.accounts import revoke_sessions, revoke_user

    api.dispatch("QD-S01-0001", unit="U001")
    first = api.command("super1", "add_co_handler", "QD-S01-0001", unit="U002", reason="a")
    with api.store.transaction() as tx:
        revoke_sessions(tx, "super1")
    result = push_one(api, "agent1", first)
    assert (result["status"], result["reason"]["code"]) == ("rejected", "bad_proof")
    api.login("super1", "S01")  # a new login: a new key
    second = api.command("super1", "add_co_handler", "QD-S01-0001", unit="U002", reason="b")
    api.clock.advance(days=7, minutes=1)  # [security] command_key_days = 7
    result = push_one(api, "agent1", second)
    assert (result["status"], result["reason"]["code"]) == ("rejected", "bad_proof")
    api.login("super1", "S01")
    third = api.command("super1", "add_co_handler", "QD-S01-0001", unit="U002", reason="c")
    with api.store.transaction() as tx:
        revoke_user(tx, "super1")
    result = push_one(api, "agent1", third)
    assert (result["status"], result["reason"]["code"]) == ("rejected", "bad_proof")
    snap = order_row(api, "QD-S01-0001")
    assert snap is not None and snap["co_units"] == []


def test_a_key_works_only_on_the_seat_it_was_issued_on(api: Api) -> None:
    api.login("agent1", "S02")
    api.login("agent1", "S01")  # pushing through S01
    command = api.command(
        "agent1", "answer_contact", None, contact_id="C-1", content="q", explanation="a"
    )
    session_id, key = api.keys[("agent1", "S02")]
    from workstation.wire.commands import command_proof

    moved = {**command, "session_id": session_id}
    moved["proof"] = command_proof(key, moved)  # signed right, but with S02's key on S01
    result = push_one(api, "agent1", moved)
    assert (result["status"], result["reason"]["code"]) == ("rejected", "bad_proof")


def test_every_signed_field_is_covered_by_the_proof(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001")
    api.login("unit1", "S01")
    good = api.command("unit1", "sign", "QD-S01-0001")
    take_back(api)
    tampered = {
        "order_id": "QD-S01-0002",
        "command": "reply",
        "args": {"result": "已修复"},
        "base_version": 7,
        "client_time": "2026-03-03T09:00:00+08:00",
        "op_id": "another-op",
    }
    for name, value in tampered.items():
        command = {**good, name: value, "mutation_id": next_id(api)}
        result = push_one(api, "unit1", command)
        assert (result["status"], result["reason"]["code"]) == ("rejected", "bad_proof"), name
    signed = api.sign({**good, "mutation_id": next_id(api)})
    assert push_one(api, "unit1", signed)["status"] == "applied"


# -- 2. a stored result is for its own user ------------------------------------------------


def test_a_replay_by_another_user_never_returns_the_first_users_view(api: Api) -> None:
    """Finding 2: a U002 user replayed U001's client id and mutation id on the same seat
    and read U001's confidential order with the caller unmasked."""
    first = api.command(
        "agent1",
        "dispatch",
        "QD-S01-0001",
        type="complaint",
        content="甲单位机密内容",
        unit="U001",
        contact_id="C-1",
        confidential=True,
        **CALLER,
    )
    applied = push_one(api, "agent1", first)
    assert applied["status"] == "applied" and applied["order"]["caller_name"] == "张三丰"
    api.login("unit2", "S01")
    api.login("unit1", "S01")
    own = api.command(
        "unit2", "sign", "QD-S01-0001", seat="S01", client_id="client-S01", mutation_id=1
    )
    replays = {
        "unit2's own command at that id": own,
        "the same command, copied": first,
    }
    for name, command in replays.items():
        r = api.push("unit2", [command])
        assert r.status_code == 200, name
        assert "甲单位机密" not in r.text and "张三丰" not in r.text, name
        assert "13912346025" not in r.text, name
        (result,) = r.json()["results"]
        assert result.get("order") is None and result.get("record") is None, name
    mismatch = api.push("unit2", [own]).json()["results"][0]
    assert (mismatch["status"], mismatch["reason"]["code"]) == ("rejected", "replay_mismatch")
    # a unit that may see the order gets it as a pull would show it: masked
    r = api.push("unit1", [first])
    assert "张三丰" not in r.text and "13912346025" not in r.text
    (seen,) = r.json()["results"]
    assert seen["order"]["content"] == "甲单位机密内容" and seen["order"]["caller_name"] != ""
    assert seen["record"] is None
    # the user who made it gets the stored result back unchanged
    assert api.push("agent1", [first]).json()["results"][0] == applied


# -- 3. hidden answers exactly as unknown --------------------------------------------------


def _without_ids(result: dict[str, Any], *ids: str) -> str:
    text = json.dumps(
        {k: v for k, v in result.items() if k not in ("op_id", "mutation_id")},
        ensure_ascii=False,
        sort_keys=True,
    )
    for order_id in ids:
        text = text.replace(order_id, "ORDER")
    return text


UNIT_COMMANDS: dict[str, dict[str, Any]] = {
    "sign": {},
    "return_order": {"reason": "x", "basis": "y"},
    "request_extension": {"new_deadline": "2026-03-20", "reason": "x"},
    "reply": {"result": "x"},
    "reply with a malformed result": {"result": 5},
    "sign with an unknown arg": {"x": 1},
    "reassign (not a unit's command)": {"unit": "U001"},
    "urge (not a unit's command)": {"reason": "x"},
}


@pytest.mark.parametrize("case", list(UNIT_COMMANDS))
def test_another_units_order_answers_exactly_like_an_unknown_one(api: Api, case: str) -> None:
    """Finding 3: ``sign`` on another unit's order said "belongs to unit U002" while an
    unknown order said ``unknown_order``. Refusals for other reasons (args, role) come
    first and alike for both."""
    api.dispatch("QD-S01-0001", unit="U002")
    command, args = case.split()[0], UNIT_COMMANDS[case]
    hidden = api.do("unit1", command, "QD-S01-0001", **args)
    unknown = api.do("unit1", command, "QD-S01-0404", **args)
    assert hidden["status"] == "rejected" and hidden["reason"]["code"] in (
        "unknown_order",
        "invalid",
        "not_permitted",
    )
    assert _without_ids(hidden, "QD-S01-0001") == _without_ids(unknown, "QD-S01-0404")
    got = api.client.get("/api/v1/orders/QD-S01-0001", headers=api.auth("unit1"))
    missing = api.client.get("/api/v1/orders/QD-S01-0404", headers=api.auth("unit1"))
    assert got.status_code == missing.status_code == 404
    assert got.text.replace("QD-S01-0001", "X") == missing.text.replace("QD-S01-0404", "X")


# -- 4. order numbers belong to the seat ---------------------------------------------------


def test_a_seat_dispatches_only_under_its_own_prefix_and_window(api: Api) -> None:
    """Finding 4: S01 dispatched QD-S03-2612-0001 and QD-S03-2612-999999999999."""
    args = {"type": "complaint", "content": "路灯坏了", "unit": "U001"}
    for n, order_id in enumerate(
        ["QD-S02-2612-0001", "QD-S03-2612-0001", "QD-S01-2612-999999999999", "QD-S01X-2612-1"]
    ):
        result = api.do("agent1", "dispatch", order_id, contact_id=f"C-{n}", **args)
        assert result["status"] == "rejected", order_id
        assert result["reason"]["code"] == "invalid" and result["reason"]["field"] == "order_id"
        assert order_row(api, order_id) is None
    api.dispatch("QD-S02-2612-0001", seat="S02")  # S02's own number is still free
    api.dispatch("QD-S01-2612-0001")
    api.dispatch("QD-S01-2612-10001")  # within 10,000 of the highest seen
    far = api.do("agent1", "dispatch", "QD-S01-2612-20002", contact_id="C-far", **args)
    assert far["status"] == "rejected"
    verify = api.client.post(
        "/api/v1/seats/verify", headers={"X-Seat-Token": api.seeded.seat_tokens["S01"]}
    )
    assert verify.json()["next_counter"] == 10002


# -- 5. op ids and cursors ----------------------------------------------------------------


def test_the_same_op_id_at_two_mutation_ids_applies_once(api: Api) -> None:
    first = api.command(
        "agent1",
        "answer_contact",
        None,
        contact_id="C-1",
        content="q",
        explanation="a",
        type="consultation",
    )
    assert push_one(api, "agent1", first)["status"] == "applied"
    again = api.sign(
        {
            **unsigned(first),
            "mutation_id": next_id(api),
            "args": {**first["args"], "contact_id": "C-2"},
        }
    )
    result = push_one(api, "agent1", again)
    assert (result["status"], result["reason"]["code"]) == ("rejected", "duplicate_op")
    # inside one batch, and from another client of another seat, alike
    twice = [
        api.command(
            "agent1",
            "answer_contact",
            None,
            contact_id="C-3",
            content="q",
            explanation="a",
            type="consultation",
        )
    ]
    twice.append(api.sign({**unsigned(twice[0]), "mutation_id": twice[0]["mutation_id"] + 1}))
    api.next_mutation["client-S01"] += 1
    results = api.push("agent1", twice).json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    other = api.command("unit2", "sign", "QD-S01-0404")
    other = api.sign({**unsigned(other), "op_id": first["op_id"]})
    assert push_one(api, "unit2", other)["reason"]["code"] == "duplicate_op"
    from central import schema

    with api.store.db.read() as conn:
        from sqlalchemy import func, select

        contacts = conn.execute(select(func.count()).select_from(schema.contacts)).scalar()
    assert contacts == 2
    # the refused mutation id was consumed: the next one follows on
    assert (
        api.do(
            "agent1",
            "answer_contact",
            None,
            contact_id="C-9",
            content="q",
            explanation="a",
            type="consultation",
        )["status"]
        == "applied"
    )


def test_a_cursor_ahead_of_the_server_is_a_409_with_the_head(api: Api) -> None:
    api.dispatch("QD-S01-0001")
    head = api.client.get("/api/v1/sync/pull", params={"cursor": 0}, headers=api.auth("agent1"))
    top = head.json()["cursor"]
    at_head = api.client.get(
        "/api/v1/sync/pull", params={"cursor": top}, headers=api.auth("agent1")
    )
    assert at_head.status_code == 200 and at_head.json()["changes"] == []
    for cursor in (top + 1, 10**12):
        r = api.client.get(
            "/api/v1/sync/pull", params={"cursor": cursor}, headers=api.auth("unit1")
        )
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["error"] == "cursor_ahead" and body["head"] == top and body["en"]
