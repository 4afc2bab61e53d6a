"""Triage of web/mobile requests: the agent's command names the logged contact's id.

A request posted through Open311 is a contact with outcome ``logged``; dispatching (or
answering, rejecting, linking) with its id through the sync push updates that contact
once, the public status then follows the order, and a second triage is refused with who
handled it and how.
"""

from __future__ import annotations

import json
import uuid
from itertools import count
from typing import Any

from sqlalchemy import select

from central import schema
from tests.central_open311.test_open311 import BASE, post
from tests.central_reports.support import Server

CLIENT = "client-triage"


class Seat:
    """Pushes commands as seat S01 does (one client id, increasing mutation ids)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.mutations = count(1)

    def push(self, user: str, command: str, order_id: str | None, **args: Any) -> dict[str, Any]:
        return self.send(user, command, order_id, args)

    def send(
        self, user: str, command: str, order_id: str | None, args: dict[str, Any]
    ) -> dict[str, Any]:
        """``push`` with the args as a dict (they may hold an ``order_id`` of their own)."""
        body = {
            "client_id": CLIENT,
            "commands": [
                self.server.sign(
                    {
                        "op_id": str(uuid.uuid4()),
                        "client_id": CLIENT,
                        "mutation_id": next(self.mutations),
                        "order_id": order_id,
                        "command": command,
                        "args": args,
                        "base_version": None,
                        "user": user,
                        "seat": "S01",
                        "client_time": self.server.clock.now.isoformat(),
                    }
                )
            ],
        }
        r = self.server.client.post("/api/v1/sync/push", json=body, headers=self.server.login(user))
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()["results"][0]
        return result


def contact_row(server: Server, contact_id: str) -> Any:
    c = schema.contacts
    with server.store.db.read() as conn:
        return conn.execute(select(c).where(c.c.contact_id == contact_id)).one()


def test_dispatch_triages_the_request_and_status_follows(server: Server, validate) -> None:  # type: ignore[no-untyped-def]
    request_id = post(server).json()[0]["service_request_id"]
    seat = Seat(server)
    cursor = server.client.get("/api/v1/sync/pull", headers=server.login("agent1")).json()["cursor"]
    result = seat.push(
        "agent1",
        "dispatch",
        "QD-S01-2611-0001",
        contact_id=request_id,
        type="complaint",
        channel="web",
        content="人民中路路灯不亮已经一周",
        caller_name="张三",
        caller_phone="13912346025",
        unit="U001",
    )
    assert result["status"] == "applied", result
    assert request_id in result["order"]["contact_ids"]

    row = contact_row(server, request_id)
    data = json.loads(row.data)
    assert (row.outcome, row.order_id, row.agent, row.seat) == (
        "dispatched",
        "QD-S01-2611-0001",
        "agent1",
        "S01",
    )
    assert data["open311"]["service_code"] == "QD-003"  # kept for the public status
    assert data["received_at"] == server.clock.now.isoformat()  # when the citizen posted
    assert data["channel"] == "web" and data["triaged_at"]

    # Staff seats pull the triaged contact (no longer logged), without the raw request.
    changes = server.client.get(
        "/api/v1/sync/pull", params={"cursor": cursor}, headers=server.login("sup")
    ).json()["changes"]
    pulled = [c["data"] for c in changes if c["entity"] == "contact" and c["key"] == request_id]
    assert pulled and pulled[-1]["outcome"] == "dispatched" and "open311" not in pulled[-1]
    assert pulled[-1]["source"] == "open311"

    [public] = server.client.get(f"{BASE}/requests/{request_id}.json").json()
    validate("request", public)
    assert public["agency_responsible"] == "启东市汇龙镇人民政府"
    assert public["status"] == "open" and "dispatched" in public["status_notes"]
    assert "13912346025" not in json.dumps(public, ensure_ascii=False)

    # A second triage (another agent, another outcome) is refused, saying by whom and how.
    again = seat.push(
        "sup",
        "reject_contact",
        None,
        contact_id=request_id,
        channel="web",
        content="人民中路路灯不亮已经一周",
        reason="vague",
        explanation="重复提交",
    )
    assert again["status"] == "rejected"
    reason = again["reason"]
    assert reason["code"] == "already_handled"
    assert reason["handled_by"] == "agent1" and reason["outcome"] == "dispatched"
    assert reason["order_id"] == "QD-S01-2611-0001" and "agent1" in reason["zh"]
    assert contact_row(server, request_id).outcome == "dispatched"


def test_answer_and_reject_close_the_public_request(server: Server) -> None:
    first = post(server).json()[0]["service_request_id"]
    second = post(server, {"service_code": "QD-021", "description": "居住证怎么办？"}).json()[0][
        "service_request_id"
    ]
    seat = Seat(server)
    answered = seat.push(
        "agent1",
        "answer_contact",
        None,
        contact_id=second,
        channel="web",
        content="居住证怎么办？",
        type="consultation",
        explanation="携带身份证到派出所办理",
    )
    assert answered["status"] == "applied", answered
    assert answered["record"]["outcome"] == "answered"
    rejected = seat.push(
        "agent1",
        "reject_contact",
        None,
        contact_id=first,
        channel="web",
        content="路灯不亮",
        reason="out_of_area",
        explanation="属海门区管辖",
    )
    assert rejected["status"] == "applied", rejected
    for request_id in (first, second):
        [public] = server.client.get(f"{BASE}/requests/{request_id}.json").json()
        assert public["status"] == "closed"


def test_reused_phone_contact_id_is_still_already_exists(server: Server) -> None:
    seat = Seat(server)
    args = {"contact_id": "C-1", "content": "问题", "type": "consultation", "explanation": "已答复"}
    assert seat.push("agent1", "answer_contact", None, **args)["status"] == "applied"
    dup = seat.push("agent1", "answer_contact", None, **args)
    assert dup["status"] == "rejected" and dup["reason"]["code"] == "already_exists"
