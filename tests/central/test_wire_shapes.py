"""The server's actual answers against the wire shapes (workstation.wire), and the bounds.

Push results (full and slim), pull pages, the order snapshot in every place it travels
(push result, change feed, GET /orders, GET /orders/{id}) are validated with the models
the seat decodes them with. Malformed args of every command are a final rejection with a
field-level reason, never a 5xx, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.central.conftest import Api
from tests.domain.test_wire_args import BOOL_FIELD, TEXT_FIELD
from workstation.orders import snapshot
from workstation.wire.order import OrderSnapshot
from workstation.wire.sync import (
    PUSH_RESPONSE,
    CommandResult,
    PullPage,
    SlimResult,
)

ORDER = "QD-S01-2603-0001"


def _push_ok(api: Api, user: str, name: str, order_id: str | None = None, **args: Any) -> Any:
    r = api.push(user, [api.command(user, name, order_id, **args)])
    assert r.status_code == 200, r.text
    body = PUSH_RESPONSE.validate_json(r.content)
    (result,) = body.results
    assert isinstance(result, CommandResult) and result.status == "applied", r.text
    if result.order is not None:
        OrderSnapshot.model_validate(result.order)
    return result


def _life(api: Api) -> None:
    api.dispatch(ORDER, confidential=True, address="人民路 1 号")
    _push_ok(api, "super1", "add_co_handler", ORDER, unit="U003", reason="需要协办")
    _push_ok(api, "unit1", "sign", ORDER)
    _push_ok(api, "unit1", "request_extension", ORDER, new_deadline="2026-03-30", reason="需协调")
    _push_ok(api, "super1", "decide_extension", ORDER, approved=True, comment="同意")
    _push_ok(api, "agent1", "notify_caller", ORDER, comment="已告知")
    _push_ok(api, "unit1", "reply", ORDER, result="已修复路灯")
    _push_ok(api, "agent1", "link_contact", ORDER, contact_id="C-2", content="又来电催问")


def test_push_results_full_slim_and_replayed_fit_the_models(api: Api) -> None:
    _life(api)
    cmd = api.command("super1", "recall", ORDER, reason="重复件")
    full = api.push("super1", [cmd])
    assert full.status_code == 200
    PUSH_RESPONSE.validate_json(full.content)
    again = api.push("super1", [cmd])  # a replay: the stored text, byte for byte
    assert again.content == full.content
    slim = api.client.post(
        "/api/v1/sync/push",
        params={"results": "slim"},
        json={"client_id": cmd["client_id"], "commands": [cmd]},
        headers=api.auth("super1"),
    )
    assert slim.status_code == 200, slim.text
    (result,) = PUSH_RESPONSE.validate_json(slim.content).results
    assert isinstance(result, SlimResult) and result.version == 9
    rejected = api.push("unit2", [api.command("unit2", "sign", ORDER)])
    (refusal,) = PUSH_RESPONSE.validate_json(rejected.content).results
    assert isinstance(refusal, CommandResult) and refusal.status == "rejected"
    assert refusal.reason is not None and refusal.order is None


@pytest.mark.parametrize("user", ["super1", "unit1"])
def test_pull_pages_and_order_snapshots_fit_the_models(api: Api, user: str) -> None:
    _life(api)
    cursor, orders = 0, 0
    while True:
        r = api.client.get(
            "/api/v1/sync/pull", params={"cursor": cursor, "limit": 3}, headers=api.auth(user)
        )
        assert r.status_code == 200, r.text
        page = PullPage.model_validate_json(r.content)
        for change in page.changes:
            if change.entity == "order":
                snap = OrderSnapshot.model_validate(change.data)
                orders += 1
                if user == "unit1":  # confidential: masked for the unit
                    assert snap.caller_name != "张三" and "13912346025" not in snap.caller_phone
        cursor = page.cursor
        if not page.has_more:
            break
    assert orders >= 8


def test_orders_api_answers_order_snapshots(api: Api) -> None:
    _life(api)
    for user in ("super1", "unit1"):
        listing = api.client.get("/api/v1/orders", headers=api.auth(user))
        assert listing.status_code == 200, listing.text
        assert [OrderSnapshot.model_validate(o).order_id for o in listing.json()["orders"]] == [
            ORDER
        ]
        one = api.client.get(f"/api/v1/orders/{ORDER}", headers=api.auth(user))
        assert one.status_code == 200, one.text
        assert OrderSnapshot.model_validate(one.json()["order"]).version == 8


def test_snapshot_has_exactly_the_fields_of_the_model(api: Api) -> None:
    _life(api)
    from central.order_tables import load_order
    from central.store import Store

    store: Store = api.store
    with store.transaction() as tx:
        order = load_order(tx, ORDER)
    assert order is not None
    snap = snapshot(order)
    fields = {f.alias or name for name, f in OrderSnapshot.model_fields.items()}
    assert set(snap) == fields
    assert OrderSnapshot.model_validate(snap).model_dump(mode="json", by_alias=True)["order_id"]


# -- bounds: every command, over HTTP ----------------------------------------------------

ROLE_USER = {
    "dispatch": "agent1",
    "link_contact": "agent1",
    "answer_contact": "agent1",
    "reject_contact": "agent1",
    "notify_caller": "agent1",
    "sign": "unit1",
    "return_order": "unit1",
    "request_extension": "unit1",
    "reply": "unit1",
    "propose_article": "unit1",
    "record_callback": "callback1",
}
PUSHED = sorted(c for c in TEXT_FIELD if c not in ("mark_overdue", "create_callback"))


def _bad_args(command: str) -> list[tuple[dict[str, Any], str]]:
    """(args, the field the rejection must name) for one command."""
    deep: Any = "x"
    for _ in range(450):
        deep = [deep]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"zzz": "1"}, "zzz"),
        ({"zzz": deep}, "args"),
        ({"zzz": "\ud800"}, "zzz"),
    ]
    text = TEXT_FIELD[command]
    if text is not None:
        field, limit = text
        cases += [
            ({field: "字" * (limit + 1)}, field),
            ({field: "\ud800"}, field),
            ({field: 7}, field),
        ]
    if command in BOOL_FIELD:
        cases += [({BOOL_FIELD[command]: "no"}, BOOL_FIELD[command])]
        cases += [({BOOL_FIELD[command]: "false"}, BOOL_FIELD[command])]
    return cases


@pytest.mark.parametrize("command", PUSHED)
def test_malformed_args_are_final_rejections_naming_the_field(api: Api, command: str) -> None:
    api.dispatch(ORDER)
    user = ROLE_USER.get(command, "super1")
    cases = _bad_args(command)
    commands = [api.command(user, command, ORDER, **args) for args, _ in cases]
    r = api.push(user, commands, gzip_body=True)  # json.dumps escapes the lone surrogates
    assert r.status_code == 200, r.text
    results = PUSH_RESPONSE.validate_json(r.content).results
    for (args, field), result in zip(cases, results, strict=True):
        assert isinstance(result, CommandResult) and result.status == "rejected", (args, result)
        assert result.reason is not None and result.reason.code == "invalid"
        assert result.reason.model_extra == {"field": field}, (command, field, result.reason)


def test_issue_findings_refused(api: Api) -> None:
    """confidential "no", investigation "false", contact_id [1], 8 KB address: refused."""
    for extra, field in (
        ({"confidential": "no"}, "confidential"),
        ({"investigation": "false"}, "investigation"),
        ({"contact_id": [1]}, "contact_id"),
        ({"address": "路" * 8192}, "address"),
        ({"caller_name": "名" * 8192}, "caller_name"),
        ({"extra_blob": "x" * 8192}, "extra_blob"),
    ):
        result = api.do("agent1", "dispatch", ORDER, type="complaint", content="路灯", **extra)
        assert result["status"] == "rejected" and result["reason"]["field"] == field, result
    listing = api.client.get("/api/v1/orders", headers=api.auth("super1")).json()
    assert listing["total"] == 0
