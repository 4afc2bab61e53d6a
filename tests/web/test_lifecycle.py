"""A citizen's request from the submit page to the public list, through the real API.

Submit on the page -> number and code; an agent triages it (dispatch through the sync
push), the unit signs, gets an extension, replies; the callback is recorded; the follow
page shows each step without personal data or staff names; a supervisor publishes it and
the public list shows it, masked.
"""

from __future__ import annotations

from typing import Any

from tests.central_open311.test_triage import Seat
from tests.central_reports.support import Server
from tests.web.conftest import Page, at, follow, steps, submit

NAME, PHONE, PLACE = "张三丰", "13912346025", "人民中路88号"
CONTENT = f"{PLACE}路灯不亮一周了，请联系我 {PHONE}，我叫{NAME}"
REPLY = f"已修复人民中路路灯。已电话告知{NAME}（{PHONE}）。"
STAFF = ("agent1", "Agent1", "cb1", "Cb1", ">sup<", "Sup1")


class FreshSeat(Seat):
    """Seat S01 whose users log in again at each push (the clock jumps days ahead)."""

    def send(
        self, user: str, command: str, order_id: str | None, args: dict[str, Any]
    ) -> dict[str, Any]:
        self.server.tokens.pop(user, None)
        self.server.keys.pop(user, None)
        return super().send(user, command, order_id, args)


def private_free(html: str) -> None:
    for secret in (NAME, PHONE, PLACE, *STAFF):
        assert secret not in html, secret


def test_submit_triage_handle_callback_follow_publish(server: Server) -> None:
    number, code = submit(
        server,
        kind="complaint",
        content=CONTENT,
        place=PLACE,
        name=NAME,
        phone=PHONE,
        channel="mailbox",
    )
    assert number.startswith("311-") and len(code) >= 8
    r = follow(server, number, code)
    assert r.status_code == 200 and steps(r.text) == ["received"]

    seat = FreshSeat(server)
    order_id = "QD-S01-2611-0001"
    server.clock.now = at(2, 10)
    done = seat.push(
        "agent1",
        "dispatch",
        order_id,
        contact_id=number,
        type="complaint",
        channel="mailbox",
        content=CONTENT,
        caller_name=NAME,
        caller_phone=PHONE,
        address=PLACE,
        unit="U001",
    )
    assert done["status"] == "applied", done
    r = follow(server, number, code)
    assert steps(r.text) == ["received", "accepted", "dispatched"]
    assert "启东市汇龙镇人民政府" in r.text and "7 个工作日" in r.text
    assert Page(r.text).texts["work-order"] == order_id

    server.clock.now = at(3)
    assert seat.push("u1", "sign", order_id)["status"] == "applied"
    server.clock.now = at(4)
    ext = seat.push("u1", "request_extension", order_id, new_deadline="2026-11-20", reason="需采购")
    assert ext["status"] == "applied", ext
    server.clock.now = at(5)
    decided = seat.push("sup", "decide_extension", order_id, approved=True)
    assert decided["status"] == "applied", decided
    server.clock.now = at(12)
    assert seat.push("u1", "reply", order_id, result=REPLY)["status"] == "applied"
    server.run("create_callback", order_id, {}, "system", at(12, 10))
    server.clock.now = at(13)
    cb = seat.push(
        "cb1", "record_callback", order_id, reached=True, resolved=True, satisfaction="satisfied"
    )
    assert cb["status"] == "applied", cb

    r = follow(server, number, code)
    assert steps(r.text) == [
        "received",
        "accepted",
        "dispatched",
        "extended",
        "replied",
        "callback",
    ]
    assert "2026-11-20" in r.text and "已修复人民中路路灯" in r.text and "满意" in r.text
    private_free(r.text)

    # a complaint is not published by default; the supervisor publishes it
    assert order_id not in server.client.get("/citizen/public").text
    server.clock.now = at(14)
    published = seat.send("sup", "set_publication", None, {"order_id": order_id, "published": True})
    assert published["status"] == "applied", published
    r = server.client.get("/citizen/public")
    assert r.status_code == 200
    items = Page(r.text).find("li", data_number=order_id)
    assert len(items) == 1 and number in items[0]["data-requests"].split()
    assert "路灯不亮一周了" in r.text and "139****6025" in r.text
    private_free(r.text)

    # the supervisor's board hears of the decision through the pull
    pulled: dict[str, Any] = server.client.get(
        "/api/v1/sync/pull", params={"after": 0}, headers=server.login("sup")
    ).json()
    decisions = [c for c in pulled["changes"] if c["entity"] == "publication"]
    assert decisions and decisions[-1]["data"]["published"] is True

    # withheld again: gone from the list
    seat.send("sup", "set_publication", None, {"order_id": order_id, "published": False})
    assert order_id not in server.client.get("/citizen/public").text


def test_refused_request_shows_the_reason(server: Server) -> None:
    number, code = submit(server, content="隔壁县的路坏了")
    seat = FreshSeat(server)
    server.clock.now = at(2, 10)
    done = seat.push(
        "agent1",
        "reject_contact",
        None,
        contact_id=number,
        reason="out_of_area",
        explanation="请联系海门区 12345，坐席 agent1",
        content="隔壁县的路坏了",
        channel="web",
    )
    assert done["status"] == "applied", done
    r = follow(server, number, code)
    assert steps(r.text) == ["received", "refused"]
    assert "不属本市管辖" in r.text and "agent1" not in r.text


def test_the_request_waits_in_the_agents_queue_with_its_channel(server: Server) -> None:
    number, _ = submit(server, kind="suggestion", content="建议增设公交线路", channel="mailbox")
    pulled = server.client.get(
        "/api/v1/sync/pull", params={"after": 0}, headers=server.login("agent1")
    ).json()
    contact = next(c for c in pulled["changes"] if c["entity"] == "contact" and c["key"] == number)
    assert contact["data"]["channel"] == "mailbox" and contact["data"]["outcome"] == "logged"
    assert contact["data"]["type"] == "suggestion"


def test_a_citizens_wish_for_confidentiality_holds_at_dispatch(server: Server) -> None:
    number, code = submit(
        server, kind="consultation", content="咨询拖欠工资维权", name=NAME, phone=PHONE,
        confidential="1",
    )  # fmt: skip
    seat = FreshSeat(server)
    order_id = "QD-S01-2611-0001"
    server.clock.now = at(2, 10)
    done = seat.push(
        "agent1", "dispatch", order_id, contact_id=number, type="consultation", channel="web",
        content="咨询拖欠工资维权", caller_name=NAME, caller_phone=PHONE, unit="U001",
        confidential=False,
    )  # fmt: skip
    assert done["status"] == "applied" and done["order"]["confidential"] is True, done
    server.clock.now = at(3)
    seat.push("u1", "sign", order_id)
    seat.push("u1", "reply", order_id, result="已答复")
    server.run("create_callback", order_id, {}, "system", at(3, 12))
    server.clock.now = at(4)
    seat.push(
        "cb1", "record_callback", order_id, reached=True, resolved=True, satisfaction="satisfied"
    )
    assert steps(follow(server, number, code).text)[-1] == "callback"
    assert order_id not in server.client.get("/citizen/public").text  # a consultation, yet
    refused = seat.send("sup", "set_publication", None, {"order_id": order_id, "published": True})
    assert refused["status"] == "rejected" and refused["reason"]["code"] == "confidential"
    assert order_id not in server.client.get("/citizen/public").text
