"""Periodic jobs with a fake clock, and knowledge-base deltas."""

from __future__ import annotations

from datetime import timedelta

from central.job_lease import JobLease
from central.jobs import run_jobs
from tests.central.conftest import Api


def test_overdue_then_urging_then_criticism(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001", type="consultation")  # Mon; due Thu 23:59:59
    assert api.do("unit1", "sign", "QD-S01-0001")["status"] == "applied"
    assert run_jobs(api.store, api.clock.now)["mark_overdue"] == 0
    api.clock.advance(days=4)  # Friday
    counts = run_jobs(api.store, api.clock.now)
    assert counts["mark_overdue"] == 1 and counts["urge"] == 1 and counts["criticise"] == 0
    assert run_jobs(api.store, api.clock.now) == dict.fromkeys(counts, 0)  # idempotent
    api.clock.advance(days=1)  # Saturday: 2 working days after urging not yet passed
    assert run_jobs(api.store, api.clock.now)["criticise"] == 0
    api.clock.advance(days=4)  # Wednesday: the 2 working days (Mon, Tue) have passed
    assert run_jobs(api.store, api.clock.now)["criticise"] == 1
    changes = api.pull_all("unit1")
    notices = [c["data"] for c in changes if c["entity"] == "notice"]
    assert [n["number"] for n in notices] == ["催办〔2026〕0001号", "通报〔2026〕0001号"]
    assert (
        notices[0]["copied_to"] == "分管副市长 王明"
        and "抄送：分管副市长 王明" in notices[0]["text"]
    )
    order = api.client.get("/api/v1/orders/QD-S01-0001", headers=api.auth("super1")).json()["order"]
    assert order["flags"] == {
        "overdue": True,
        "urged": True,
        "criticised": True,
        "dissatisfied": False,
    }
    assert [e["actor"] for e in order["events"][-3:]] == ["system"] * 3
    assert not [c for c in api.pull_all("unit2") if c["entity"] == "notice"]


def test_callbacks_go_to_the_right_queue_and_retries_reappear(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001")
    api.dispatch("QD-S01-0002", unit="U001", leader_instructed=True)
    for oid in ("QD-S01-0001", "QD-S01-0002"):
        api.do("unit1", "sign", oid)
        api.do("unit1", "reply", oid, result="已办理")
    assert run_jobs(api.store, api.clock.now)["create_callback"] == 2
    queues = {
        c["key"]: c["data"]["queue"] for c in api.pull_all("callback1") if c["entity"] == "callback"
    }
    assert queues == {"QD-S01-0001": "operators", "QD-S01-0002": "supervision"}
    refused = api.do(
        "callback1",
        "record_callback",
        "QD-S01-0002",
        reached=True,
        resolved=True,
        satisfaction="satisfied",
    )
    assert refused["status"] == "rejected"  # city-leader orders: supervision staff only
    cursor = api.pull_all("callback1")[-1]["seq"]
    missed = api.do("callback1", "record_callback", "QD-S01-0001", reached=False)
    assert missed["status"] == "applied" and missed["order"]["callback"]["attempts"] == 1
    assert run_jobs(api.store, api.clock.now)["callbacks_due"] == 0
    api.clock.advance(hours=5)
    assert run_jobs(api.store, api.clock.now)["callbacks_due"] == 1
    assert run_jobs(api.store, api.clock.now)["callbacks_due"] == 0
    due = [c for c in api.pull_all("callback1", cursor=cursor) if c["entity"] == "callback"]
    assert due[-1]["data"]["due"] is True and due[-1]["key"] == "QD-S01-0001"
    assert not [c for c in api.pull_all("unit1") if c["entity"] == "callback"]


def test_job_lease_keeps_a_second_process_out(api: Api) -> None:
    first = JobLease(api.store.db, "periodic", 60, holder="p1")
    second = JobLease(api.store.db, "periodic", 60, holder="p2")
    assert first.acquire()
    assert first.renew()
    assert not second.acquire()
    second.release()  # not its lease: nothing changes
    assert not second.acquire()
    first.release()
    with second.held() as ours:
        assert ours and not first.acquire()
    assert first.acquire()  # released on leaving the block


def test_kb_articles_are_distributed_as_deltas_with_tombstones(api: Api) -> None:
    sup = api.auth("super1")
    r = api.client.put(
        "/api/v1/kb/articles/KB-1",
        json={"title": "社保卡补办", "body": "带身份证", "tags": ["社保"]},
        headers=sup,
    )
    assert r.status_code == 200 and r.json()["version"] == 1
    cursor = api.pull_all("unit1")[-1]["seq"]
    r = api.client.put(
        "/api/v1/kb/articles/KB-1",
        json={"title": "社保卡补办", "body": "带身份证和照片"},
        headers=sup,
    )
    assert r.json()["version"] == 2
    same = api.client.put(
        "/api/v1/kb/articles/KB-1",
        json={"title": "社保卡补办", "body": "带身份证和照片"},
        headers=sup,
    )
    assert same.json()["version"] == 2  # unchanged: no new delta
    assert (
        api.client.get("/api/v1/kb/articles/KB-1", headers=api.auth("unit1")).json()["body"]
        == "带身份证和照片"
    )
    assert api.client.delete("/api/v1/kb/articles/KB-1", headers=sup).json() == {
        "id": "KB-1",
        "version": 3,
        "deleted": True,
    }
    assert api.client.get("/api/v1/kb/articles/KB-1", headers=sup).status_code == 404
    assert api.client.delete("/api/v1/kb/articles/KB-1", headers=sup).status_code == 404
    deltas = [
        (c["op"], c["data"]["version"])
        for c in api.pull_all("unit1", cursor=cursor)
        if c["entity"] == "kb_article"
    ]
    assert deltas == [("upsert", 2), ("delete", 3)]
    assert (
        api.client.put("/api/v1/kb/articles/KB-2", json={"title": ""}, headers=sup).status_code
        == 422
    )


def test_kb_proposals_from_units_published_by_supervisors(api: Api) -> None:
    article = {"title": "汇龙镇垃圾清运时间", "body": "每日 6:00 与 18:00", "category": "环境"}
    p = api.do("unit1", "propose_article", None, proposal_id="P1", article=article)
    assert p["status"] == "applied" and p["record"]["status"] == "pending"
    assert api.do("agent1", "publish_article", None, proposal_id="P1")["status"] == "rejected"
    pub = api.do("super1", "publish_article", None, proposal_id="P1")
    assert pub["status"] == "applied" and pub["record"]["status"] == "published"
    again = api.do("super1", "reject_proposal", None, proposal_id="P1", reason="x")
    assert again["status"] == "rejected"
    kb = [c for c in api.pull_all("agent1") if c["entity"] == "kb_article"]
    assert kb[-1]["data"]["title"] == "汇龙镇垃圾清运时间"
    api.do("unit1", "propose_article", None, proposal_id="P2", article={"title": "t", "body": "b"})
    rej = api.do("super1", "reject_proposal", None, proposal_id="P2", reason="内容不完整")
    assert rej["record"]["status"] == "rejected"
    props = [c["key"] for c in api.pull_all("unit2") if c["entity"] == "kb_proposal"]
    assert props == []  # another unit's proposals stay with that unit and staff


def test_settings_deadline_rules_apply(api: Api) -> None:
    res = api.dispatch("QD-S01-0001", type="consultation", investigation=True)
    # investigation: 10 working days from Mon 2026-03-02 → Mon 2026-03-16
    assert res["order"]["deadline"].startswith("2026-03-16T23:59:59")
    assert api.clock.now + timedelta(days=14) < __import__("datetime").datetime.fromisoformat(
        res["order"]["deadline"]
    )
