"""Push and pull: apply, idempotent replay, mutation gaps, rejections, body limits, scope."""

from __future__ import annotations

import gzip
import json

from tests.central.conftest import Api


def test_push_applies_and_replay_returns_the_stored_result(api: Api) -> None:
    cmd = api.command(
        "agent1",
        "dispatch",
        "QD-S01-0001",
        type="complaint",
        content="路灯不亮",
        unit="U001",
        contact_id="C1",
        caller_phone="13912346025",
    )
    first = api.push("agent1", [cmd])
    assert first.status_code == 200, first.text
    result = first.json()["results"][0]
    assert result["status"] == "applied" and result["reason"] is None
    order = result["order"]
    assert order["state"] == "dispatched" and order["version"] == 1
    # the server computed the deadline itself: complaint = 7 working days, end of day
    assert order["deadline"].startswith("2026-03-11T23:59:59")
    api.clock.advance(hours=1)
    again = api.push("agent1", [cmd])
    assert again.json() == first.json()
    stored = api.client.get("/api/v1/orders/QD-S01-0001", headers=api.auth("agent1")).json()
    assert stored["order"]["version"] == 1 and len(stored["contacts"]) == 1


def test_mutation_gap_is_409_and_says_what_to_send(api: Api) -> None:
    api.dispatch("QD-S01-0001")
    cmd = api.command(
        "agent1",
        "dispatch",
        "QD-S01-0002",
        mutation_id=5,
        type="help",
        content="x",
        unit="U001",
        contact_id="C2",
    )
    r = api.push("agent1", [cmd])
    assert r.status_code == 409
    assert r.json()["error"] == "mutation_gap"
    assert r.json()["last_mutation_id"] == 1 and r.json()["expected"] == 2


def test_rejection_is_final_consumes_the_id_and_carries_the_current_state(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001")
    wrong = api.do("unit2", "sign", "QD-S01-0001")
    assert wrong["status"] == "rejected"
    # answered as if it did not exist (tests/security/test_authz.py)
    assert wrong["reason"]["code"] == "unknown_order" and wrong["reason"]["zh"]
    assert wrong["order"] is None  # another unit's order is not shown to unit2
    signed = api.do("unit1", "sign", "QD-S01-0001")
    assert signed["status"] == "applied"
    again = api.do("unit1", "sign", "QD-S01-0001")
    assert again["status"] == "rejected" and again["reason"]["code"] == "already_signed"
    assert again["order"]["state"] == "signed"
    # the rejected command consumed its mutation id: the next one follows on
    assert api.next_mutation["client-S01"] == 4


def test_malformed_args_are_rejected_not_500(api: Api) -> None:
    bad = api.do(
        "agent1",
        "dispatch",
        "QD-S01-0009",
        type="complaint",
        content="x",
        unit="U001",
        contact_id="C9",
        co_units=5,
    )
    assert bad["status"] == "rejected" and bad["reason"]["code"] == "invalid"
    unknown = api.do("agent1", "fly_to_moon", "QD-S01-0009")
    assert unknown["status"] == "rejected"
    nul = api.do(
        "agent1", "answer_contact", None, contact_id="C10", content="a\x00b", explanation="y"
    )
    assert nul["status"] == "rejected"


def test_user_must_have_logged_in_on_the_seat_and_role_comes_from_the_server(api: Api) -> None:
    api.login("agent1", "S01")
    # a command naming super1 but signed with agent1's key is refused, though agent1 pushes it
    cmd = api.command("agent1", "recall", "QD-S01-0001", reason="x")
    forged = api.sign({**cmd, "user": "super1"}, user="agent1")
    result = api.push("agent1", [forged]).json()["results"][0]
    assert result["status"] == "rejected" and result["reason"]["code"] == "bad_proof"
    # a command naming another seat is refused
    other = api.command(
        "agent1",
        "answer_contact",
        seat="S02",
        client_id="client-S01",
        contact_id="C1",
        content="q",
        explanation="a",
    )
    result = api.push("agent1", [other]).json()["results"][0]
    assert result["status"] == "rejected"


def test_client_id_is_bound_to_its_seat(api: Api) -> None:
    api.dispatch("QD-S01-0001")
    api.login("unit2", "S02")
    cmd = api.command(
        "unit2", "sign", "QD-S01-0001", seat="S02", client_id="client-S01", mutation_id=2
    )
    assert api.push("unit2", [cmd]).status_code == 403


def test_gzip_push_and_size_caps(api: Api) -> None:
    cmd = api.command(
        "agent1",
        "answer_contact",
        contact_id="C1",
        content="社保卡怎么补办",
        type="consultation",
        explanation="见知识库",
        article_ids=["KB-1"],
    )
    r = api.push("agent1", [cmd], gzip_body=True)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied"
    headers = {**api.auth("agent1"), "Content-Type": "application/json"}
    big = b'{"client_id":"c","commands":[' + b" " * (1024 * 1024 + 10) + b"]}"
    assert api.client.post("/api/v1/sync/push", content=big, headers=headers).status_code == 413
    bomb = gzip.compress(b'{"client_id":"c","commands":[' + b" " * (9 * 1024 * 1024) + b"]}")
    assert len(bomb) < 1024 * 1024
    r = api.client.post(
        "/api/v1/sync/push", content=bomb, headers={**headers, "Content-Encoding": "gzip"}
    )
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    r = api.client.post(
        "/api/v1/sync/push",
        content=b"\x1f\x8bnot gzip",
        headers={**headers, "Content-Encoding": "gzip"},
    )
    assert r.status_code == 422
    r = api.client.post("/api/v1/sync/push", content=b"{not json", headers=headers)
    assert r.status_code == 422 and r.json()["error"] == "invalid"
    r = api.client.post(
        "/api/v1/sync/push",
        content=json.dumps({"client_id": "c", "commands": [{}]}),
        headers=headers,
    )
    assert r.status_code == 422 and "commands" in r.json()["en"]
    too_many = {"client_id": "c", "commands": [cmd] * 1001}
    r = api.client.post(
        "/api/v1/sync/push",
        content=gzip.compress(json.dumps(too_many).encode()),
        headers={**headers, "Content-Encoding": "gzip"},
    )
    assert r.status_code == 422


def test_pull_pages_in_seq_order_and_filters_by_unit(api: Api) -> None:
    for i in range(6):
        api.dispatch(f"QD-S01-{i:04d}", unit="U001" if i % 2 == 0 else "U002")
    everything = api.pull_all("super1", limit=3)
    seqs = [c["seq"] for c in everything]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    orders = [c for c in everything if c["entity"] == "order"]
    assert len(orders) == 6
    assert sum(c["entity"] == "unit" for c in everything) >= 3
    unit2 = api.pull_all("unit2", limit=2)
    unit2_orders = {c["key"] for c in unit2 if c["entity"] == "order"}
    assert unit2_orders == {"QD-S01-0001", "QD-S01-0003", "QD-S01-0005"}
    assert any(c["entity"] == "unit" for c in unit2)
    contact = [c for c in unit2 if c["entity"] == "contact"]
    assert {c["data"]["order_id"] for c in contact} == unit2_orders
    # reassigning an order away from U002 still tells U002 (the change that moves it)
    cursor = unit2[-1]["seq"]
    moved = api.do("super1", "reassign", "QD-S01-0001", unit="U003", reason="不属本单位")
    assert moved["status"] == "applied"
    later = api.pull_all("unit2", cursor=cursor)
    assert [c["key"] for c in later if c["entity"] == "order"] == ["QD-S01-0001"]
    again = api.do("super1", "reassign", "QD-S01-0001", unit="U001", reason="再改派")
    assert again["status"] == "applied"
    assert api.pull_all("unit2", cursor=later[-1]["seq"]) == []


def test_confidential_callers_reach_units_masked(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001", confidential=True)
    changes = api.pull_all("unit1")
    order = next(c["data"] for c in changes if c["entity"] == "order")
    assert order["caller_phone"] == "139****6025" and order["caller_name"] == "张*"
    assert "13912346025" not in json.dumps(changes, ensure_ascii=False)
    staff = api.pull_all("agent1")
    assert "13912346025" in json.dumps(staff, ensure_ascii=False)
    detail = api.client.get("/api/v1/orders/QD-S01-0001", headers=api.auth("unit1")).json()
    assert "13912346025" not in json.dumps(detail, ensure_ascii=False)


def test_pull_validates_its_parameters(api: Api) -> None:
    h = api.auth("agent1")
    assert api.client.get("/api/v1/sync/pull", params={"limit": 1001}, headers=h).status_code == 422
    assert api.client.get("/api/v1/sync/pull", params={"cursor": -1}, headers=h).status_code == 422
    assert api.client.get("/api/v1/sync/pull", params={"cursor": "x"}, headers=h).status_code == 422
