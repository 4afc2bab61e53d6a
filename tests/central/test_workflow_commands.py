"""Every workflow command through the server, including the ones the rules refuse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.central.conftest import Api


def test_full_life_of_an_order(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001", leader_instructed=False)
    assert (
        api.do("super1", "add_co_handler", "QD-S01-0001", unit="U003", reason="需要协办")["status"]
        == "applied"
    )
    assert api.do("unit1", "sign", "QD-S01-0001")["status"] == "applied"
    new_deadline = (api.clock.now + timedelta(days=20)).isoformat()
    ext = api.do(
        "unit1",
        "request_extension",
        "QD-S01-0001",
        reason="需要现场勘查",
        new_deadline=new_deadline,
    )
    assert ext["status"] == "applied" and ext["order"]["state"] == "extension_requested"
    assert (
        api.do("super1", "decide_extension", "QD-S01-0001", approved=True, comment="同意")["status"]
        == "applied"
    )
    assert api.do("agent1", "notify_caller", "QD-S01-0001", comment="已告知")["status"] == "applied"
    assert api.do("unit1", "reply", "QD-S01-0001", result="已修复路灯")["status"] == "applied"
    link = api.do("agent1", "link_contact", "QD-S01-0001", contact_id="C-2", content="又来电催问")
    assert link["status"] == "applied" and "C-2" in link["order"]["contact_ids"]
    cb = api.do("super1", "create_callback", "QD-S01-0001")
    assert cb["status"] == "rejected" and cb["reason"]["code"] == "not_permitted"  # system only
    from central.jobs import run_jobs

    assert run_jobs(api.store, api.clock.now)["create_callback"] == 1
    no = api.do(
        "callback1",
        "record_callback",
        "QD-S01-0001",
        reached=True,
        resolved=False,
        satisfaction="dissatisfied",
    )
    assert no["status"] == "applied" and no["order"]["flags"]["dissatisfied"]
    rh = api.do("super1", "rehandle", "QD-S01-0001", reason="群众不满意，重办")
    assert rh["status"] == "applied" and rh["order"]["state"] == "rehandling"
    assert api.do("unit1", "sign", "QD-S01-0001")["status"] == "applied"
    assert api.do("unit1", "reply", "QD-S01-0001", result="已彻底修复")["status"] == "applied"
    run_jobs(api.store, api.clock.now)
    ok = api.do(
        "callback1",
        "record_callback",
        "QD-S01-0001",
        reached=True,
        resolved=True,
        satisfaction="satisfied",
    )
    assert ok["order"]["state"] == "closed"
    detail = api.client.get("/api/v1/orders/QD-S01-0001", headers=api.auth("super1")).json()
    assert [c["contact_id"] for c in detail["contacts"]] == ["C-QD-S01-0001", "C-2"]
    kinds = [e["kind"] for e in detail["order"]["events"]]
    assert kinds[0] == "dispatched" and kinds[-1] == "callback_recorded" and "rehandled" in kinds


def test_contacts_answered_and_rejected(api: Api) -> None:
    ans = api.do(
        "agent1",
        "answer_contact",
        None,
        contact_id="C-1",
        content="社保卡怎么补办",
        type="consultation",
        explanation="按知识库答复",
        article_ids=["KB-D0001"],
    )
    assert ans["status"] == "applied" and ans["record"]["outcome"] == "answered"
    rej = api.do(
        "agent1",
        "reject_contact",
        None,
        contact_id="C-2",
        content="家里着火了",
        reason="emergency",
        transfer_to="119",
        explanation="已转 119",
    )
    assert rej["status"] == "applied" and rej["record"]["reject_reason"] == "emergency"
    bad = api.do(
        "agent1",
        "reject_contact",
        None,
        contact_id="C-3",
        content="x",
        reason="emergency",
        explanation="y",
    )
    assert bad["status"] == "rejected" and bad["reason"]["field"] == "transfer_to"
    dup = api.do(
        "agent1", "answer_contact", None, contact_id="C-1", content="q", type="consultation",
        explanation="a",
    )  # fmt: skip
    assert dup["status"] == "rejected" and dup["reason"]["code"] == "already_exists"
    unit = api.do("unit1", "answer_contact", None, contact_id="C-4", content="q", explanation="a")
    assert unit["status"] == "rejected" and unit["reason"]["code"] == "not_permitted"


def test_refusals_wrong_unit_return_window_late_extension_double_dispatch(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001", type="consultation")  # Mon; deadline Thu 23:59
    assert (
        api.do("unit2", "return_order", "QD-S01-0001", reason="x", basis="y")["reason"]["code"]
        == "unknown_order"  # another unit's order answers as if it did not exist
    )
    api.clock.advance(days=3)  # Thursday: past the 2-working-day return window
    late = api.do("unit1", "return_order", "QD-S01-0001", reason="不属本单位职责", basis="三定方案")
    assert late["status"] == "rejected" and late["reason"]["code"] == "outside_return_window"
    assert late["order"]["state"] == "dispatched"
    assert api.do("unit1", "sign", "QD-S01-0001")["status"] == "applied"
    api.clock.advance(days=1)  # Friday: past the deadline
    ext = api.do(
        "unit1",
        "request_extension",
        "QD-S01-0001",
        reason="r",
        new_deadline=(api.clock.now + timedelta(days=9)).isoformat(),
    )
    assert ext["status"] == "rejected" and ext["reason"]["code"] == "extension_too_late"
    again = api.do(
        "agent1",
        "dispatch",
        "QD-S01-0001",
        type="help",
        content="重复",
        unit="U002",
        contact_id="C-9",
    )
    assert again["status"] == "rejected" and again["reason"]["code"] == "already_exists"
    unknown_unit = api.do(
        "agent1", "dispatch", "QD-S01-0002", type="help", content="x", unit="NOPE",
        contact_id="C-8", caller_phone="13912346025",
    )  # fmt: skip
    assert unknown_unit["status"] == "rejected" and unknown_unit["reason"]["field"] == "unit"


def test_return_within_window_then_reassign_and_recall(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001")
    ret = api.do("unit1", "return_order", "QD-S01-0001", reason="不属本单位职责", basis="三定方案")
    assert ret["status"] == "applied" and ret["order"]["state"] == "returned"
    assert (
        api.do("super1", "reassign", "QD-S01-0001", unit="U002", reason="协调后改派")["order"][
            "unit"
        ]
        == "U002"
    )
    assert api.do("unit1", "sign", "QD-S01-0001")["reason"]["code"] == "unknown_order"
    assert (
        api.do("super1", "recall", "QD-S01-0001", reason="重复工单")["order"]["state"] == "recalled"
    )


def test_already_signed_race_between_two_seats(api: Api) -> None:
    """Two seats of the same unit sign at once (offline): the server keeps one signature."""
    api.dispatch("QD-S01-0001", unit="U001")
    on_s1, on_s2 = api.login("unit1", "S01"), api.login("unit1", "S02")
    a = api.command("unit1", "sign", "QD-S01-0001", seat="S01")
    b = api.command("unit1", "sign", "QD-S01-0001", seat="S02", client_id="client-S02")
    api.tokens["unit1"] = on_s1
    ra = api.push("unit1", [a]).json()["results"][0]
    api.tokens["unit1"] = on_s2
    rb = api.push("unit1", [b]).json()["results"][0]
    assert ra["status"] == "applied"
    assert rb["status"] == "rejected" and rb["reason"]["code"] == "already_signed"
    assert rb["order"]["state"] == "signed"


def test_manual_urge_gets_a_server_number_and_a_notice(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001", type="consultation")
    early = api.do("super1", "urge", "QD-S01-0001", number="MADE-UP")
    assert early["status"] == "rejected"  # not overdue yet
    api.clock.advance(days=5)
    urged = api.do("super1", "urge", "QD-S01-0001", number="MADE-UP")
    assert urged["status"] == "applied"
    number = urged["order"]["events"][-1]["data"]["number"]
    assert number == "催办〔2026〕0001号"  # the refused attempt gave its number back
    notices = [c for c in api.pull_all("unit1") if c["entity"] == "notice"]
    assert [n["key"] for n in notices] == [number]
    assert api.pull_all("unit2") and not [
        c for c in api.pull_all("unit2") if c["entity"] == "notice"
    ]


EMERGENCY_VERDICT = {"type": "help", "reject_reason": "emergency", "transfer_to": "120"}


def test_a_dispatch_the_assist_flagged_is_final_rejected_without_an_override(api: Api) -> None:
    """The server runs the seat's rule: an order the assist flagged as an emergency is
    refused for good without the agent's reason, and keeps the reason when given."""
    fainted: dict[str, Any] = {
        "content": "小区里有人晕倒了，不省人事，快叫救护车",
        "assist": EMERGENCY_VERDICT,
    }
    refused = api.do(
        "agent1", "dispatch", "QD-S01-2603-0007", type="help", unit="U001",
        contact_id="C-7", caller_phone="13912346025", **fainted,
    )  # fmt: skip
    assert refused["status"] == "rejected" and refused["reason"]["field"] == "override"
    assert "120" in refused["reason"]["zh"]
    no_phone = api.do(
        "agent1", "dispatch", "QD-S01-2603-0008", type="complaint", unit="U001",
        contact_id="C-8", content="路灯坏了",
    )  # fmt: skip
    assert no_phone["status"] == "rejected" and no_phone["reason"]["field"] == "caller_phone"
    override = {"flag": "emergency:120", "reason": "已转 120，另需社区跟进"}
    applied = api.dispatch("QD-S01-2603-0009", type="help", override=override, **fainted)
    assert applied["order"]["events"][0]["data"]["override"] == override
