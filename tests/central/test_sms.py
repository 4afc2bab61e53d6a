"""The SMS channel through a real server: the gateway's webhook, the texts sent back.

A text posted with the shared secret becomes a web request (channel ``sms``) that an agent
seat triages like any other; the citizen is texted its number at once and, when the unit
replies, that a reply is ready (the demo's log-file gateway). Wrong secrets, retries of one
message, floods from one sender and malformed texts are answered without a 5xx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.testing import LiveServer, start_live_server
from offline_cache.services import SeatServices
from tests.offline_cache.helpers import live_seat, run_cli
from workstation.intake_form import IntakeForm

SECRET = "s3cret-for-the-gateway"
RATE = 3


@pytest.fixture(scope="module")
def sms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    root = tmp_path_factory.mktemp("sms")
    outbox = root / "sms-outbox.log"
    env = {
        "WORKSTATION_SMS__INBOUND_SECRET": SECRET,
        "WORKSTATION_SMS__OUTBOUND_LOG": str(outbox),
        "WORKSTATION_OPEN311__RATE_PER_MINUTE": str(RATE),
    }
    with start_live_server(root / "central", env=env) as server:
        yield server, outbox


def post(server: LiveServer, body: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-SMS-Secret": secret} if secret is not None else {}
    return httpx.post(f"{server.base_url}/api/v1/sms/inbound", json=body, headers=headers)


def texts(outbox: Path) -> list[dict[str, Any]]:
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]


def sync(*seats: SeatServices) -> None:
    for seat in seats:
        status = asyncio.run(seat.sync_once())
        assert status.online and status.pending == 0, status
        assert seat.problems() == [], seat.problems()


def test_the_gateway_must_know_the_secret(sms_server: tuple[LiveServer, Path]) -> None:
    server, _ = sms_server
    body = {"message_id": "m-auth", "from": "13800000001", "text": "路灯坏了"}
    for secret in (None, "", "wrong", SECRET + "x"):
        r = post(server, body, secret)
        assert r.status_code == 401, (secret, r.text)
        assert r.json()["error"] == "unauthenticated" and r.json()["zh"]


def test_no_secret_configured_refuses_every_text(tmp_path: Path) -> None:
    with start_live_server(tmp_path) as server:
        r = post(server, {"message_id": "m1", "from": "13800000002", "text": "你好"}, "")
        assert r.status_code == 401


def test_a_text_becomes_a_web_request_once_and_the_sender_gets_its_number(
    sms_server: tuple[LiveServer, Path], tmp_path: Path
) -> None:
    server, outbox = sms_server
    body = {
        "message_id": "gw-0001",
        "from": "13912340001",
        "text": "<b>人民路</b> 路灯不亮，请尽快修理",
        "received_at": "2026-11-02T09:30:00+08:00",
    }
    first = post(server, body)
    assert first.status_code == 200, first.text
    number = first.json()["service_request_id"]
    assert number.startswith("311-") and first.json()["duplicate"] is False

    again = post(server, body)  # the gateway retries: same number, no second request
    assert again.status_code == 200
    assert again.json() == {"message_id": "gw-0001", "service_request_id": number,
                            "duplicate": True}  # fmt: skip

    sent = [t for t in texts(outbox) if t["phone"] == "13912340001"]
    assert len(sent) == 1 and number in sent[0]["text"]
    code = sent[0]["text"].split("查询码 ")[1].split("。")[0]
    follow = httpx.get(f"{server.base_url}/citizen/follow", params={"number": number,
                                                                     "code": code})  # fmt: skip
    assert follow.status_code == 200 and 'data-step="received"' in follow.text
    assert "13912340001" not in follow.text

    agent = live_seat(server, tmp_path / "agent", "S01", "agent1")
    sync(agent)
    requests = [r for r in agent.web_requests() if r.contact_id == number]
    assert len(requests) == 1
    assert requests[0].channel == "sms" and requests[0].caller_phone == "13912340001"
    assert requests[0].content.startswith("<b>人民路</b>")  # data, kept literally


def test_triage_and_reply_text_the_citizen_that_a_reply_is_ready(
    sms_server: tuple[LiveServer, Path], tmp_path: Path
) -> None:
    server, outbox = sms_server
    phone = "13912340002"
    r = post(server, {"message_id": "gw-0002", "from": phone, "text": "南阳镇菜场噪声扰民"})
    number = r.json()["service_request_id"]

    agent = live_seat(server, tmp_path / "agent", "S01", "agent1")
    unit = live_seat(server, tmp_path / "unit", "S02", "unit1")
    sync(agent)
    [row] = [w for w in agent.web_requests() if w.contact_id == number]
    order_id = agent.dispatch(IntakeForm.parse({**row.form(), "type": "complaint",
                                                "unit": "U001"}))  # fmt: skip
    sync(agent)
    assert not [t for t in texts(outbox) if t["phone"] == phone and "答复" in t["text"]]

    sync(unit)
    unit.order_command(order_id, "sign", {})
    unit.order_command(order_id, "reply", {"result": "已协调菜场调整作业时间"})
    sync(unit)

    ready = [t for t in texts(outbox) if t["phone"] == phone and "答复" in t["text"]]
    assert len(ready) == 1 and number in ready[0]["text"]
    assert "已协调" not in ready[0]["text"]  # the text says a reply is ready, not what it is
    assert run_cli("admin", "run-jobs", "--db", server.db_url).returncode == 0


def test_one_sender_is_throttled_and_others_are_not(sms_server: tuple[LiveServer, Path]) -> None:
    server, _ = sms_server
    codes = [
        post(server, {"message_id": f"flood-{i}", "from": "13700000009", "text": f"第{i}条"})
        for i in range(RATE + 1)
    ]
    assert [c.status_code for c in codes[:RATE]] == [200] * RATE
    assert codes[RATE].status_code == 429 and int(codes[RATE].headers["Retry-After"]) >= 1
    assert codes[RATE].json()["error"] == "rate_limited"
    other = post(server, {"message_id": "other-1", "from": "13700000010", "text": "你好"})
    assert other.status_code == 200
    # a retry of a message already taken never counts as a new one
    assert post(server, {"message_id": "flood-0", "from": "13700000009", "text": "第0条"}).json()[
        "duplicate"
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"message_id": "bad-1", "from": "not a phone!", "text": "你好"},
        {"message_id": "bad-2", "from": "13800000003", "text": ""},
        {"message_id": "bad-3", "from": "13800000003", "text": "长" * 1001},
        {"message_id": "bad 4/..", "from": "13800000003", "text": "你好"},
        {"message_id": "bad-5", "from": "13800000003", "text": "a\x00b"},
        {"message_id": "bad-6", "from": "13800000003", "text": "你好", "extra": 1},
        {"from": "13800000003", "text": "你好"},
    ],
)
def test_malformed_texts_are_refused_with_a_reason(
    sms_server: tuple[LiveServer, Path], body: dict[str, Any]
) -> None:
    server, _ = sms_server
    r = post(server, body)
    assert r.status_code == 422, r.text
    assert r.json()["zh"] and r.json()["en"]
