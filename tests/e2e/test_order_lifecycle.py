"""One order's whole life across seats, synced through a real central server.

An agent seat takes the call and dispatches; a handling unit's seat signs, asks for an
extension and replies; the supervision seat approves the extension and, after the
caller says they are dissatisfied, orders re-handling; the callback seat calls back twice.
At the end the server's assessment of the unit is checked against figures worked out by
hand from the story.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from central.testing import start_live_server
from offline_cache.services import SeatServices
from tests.offline_cache.helpers import live_seat, run_cli, server_orders
from workstation.intake_form import IntakeForm

FORM = {
    "type": "complaint",
    "channel": "phone",
    "content": "幸福小区3号楼门口路灯坏了两个星期，晚上一片漆黑，老人出门摔了一跤。",
    "caller_name": "张先生",
    "caller_phone": "13912345678",
    "address": "汇龙镇幸福小区3号楼",
    "unit": "U001",
}


@pytest.fixture
def server(tmp_path: Path):
    with start_live_server(tmp_path / "central", seats=("S01", "S02", "S03", "S04")) as srv:
        yield srv


def sync(*seats: SeatServices) -> None:
    for seat in seats:
        status = asyncio.run(seat.sync_once())
        assert status.online and status.pending == 0, status
        assert seat.problems() == [], seat.problems()


def run_jobs(server) -> None:
    result = run_cli("admin", "run-jobs", "--db", server.db_url)
    assert result.returncode == 0, result.stderr


def test_intake_to_close_through_the_server_and_the_assessment(server, tmp_path: Path) -> None:
    agent = live_seat(server, tmp_path / "agent", "S01", "agent1")
    unit = live_seat(server, tmp_path / "unit", "S02", "unit1")
    supervisor = live_seat(server, tmp_path / "super", "S03", "super1")
    operator = live_seat(server, tmp_path / "callback", "S04", "callback1")
    seats = (agent, unit, supervisor, operator)

    # intake and dispatch at the agent's seat
    number = agent.dispatch(IntakeForm.parse(FORM))
    assert number.startswith("QD-S01-")
    sync(agent)

    # the unit sees it in its inbox as new, signs, asks for more time
    sync(unit)
    inbox = {row.order_id: row for row in unit.unit_inbox()}
    assert inbox[number].bucket == "new"
    unit.order_command(number, "sign", {})
    signed = unit.order(number)
    assert signed is not None
    deadline = signed.deadline
    unit.order_command(
        number,
        "request_extension",
        {"new_deadline": (deadline + timedelta(days=10)).isoformat(), "reason": "需更换线路"},
    )
    sync(unit)

    # supervision approves; the caller must be told
    sync(supervisor)
    board = supervisor.supervision_board()
    assert [r.order_id for r in board.extension_requests] == [number]
    supervisor.order_command(number, "decide_extension", {"approved": True, "comment": "同意"})
    sync(supervisor)
    assert [r.order_id for r in supervisor.supervision_board().caller_notifications] == [number]
    sync(operator)
    operator.order_command(number, "notify_caller", {"comment": "已告知来电人延期"})
    sync(operator)

    # the unit replies; the server's job queues the callback
    sync(unit)
    replied = unit.order(number)
    assert replied is not None
    assert replied.deadline > deadline
    unit.order_command(number, "reply", {"result": "已更换路灯两盏"})
    sync(unit)
    run_jobs(server)

    # callback: reached, not resolved, dissatisfied -> supervision board
    sync(operator)
    assert [r.order_id for r in operator.callback_queue("operators")] == [number]
    operator.order_command(
        number,
        "record_callback",
        {"reached": True, "resolved": False, "satisfaction": "dissatisfied", "comment": "又坏了"},
    )
    sync(operator)
    sync(supervisor)
    assert [r.order_id for r in supervisor.supervision_board().dissatisfied] == [number]
    supervisor.order_command(number, "rehandle", {"reason": "来电人反映路灯又坏"})
    sync(supervisor)

    # re-handled: sign again, reply again, callback satisfied -> closed
    sync(unit)
    reopened = unit.order(number)
    assert reopened is not None
    assert reopened.state.value == "rehandling"
    unit.order_command(number, "sign", {})
    unit.order_command(number, "reply", {"result": "更换整条线路，已通电"})
    sync(unit)
    run_jobs(server)
    sync(operator)
    operator.order_command(
        number,
        "record_callback",
        {"reached": True, "resolved": True, "satisfaction": "satisfied", "comment": ""},
    )
    sync(operator)
    for seat in seats:
        sync(seat)

    final = server_orders(server)[number]
    assert final["state"] == "closed" and final["closed_reason"] == "callback"
    kinds = [e["kind"] for e in final["events"]]
    assert kinds == [
        "dispatched",
        "signed",
        "extension_requested",
        "extension_decided",
        "caller_notified",
        "replied",
        "callback_created",
        "callback_recorded",
        "rehandled",
        "signed",
        "replied",
        "callback_created",
        "callback_recorded",
    ]
    # every seat converged to the server's order
    for seat in seats:
        converged = seat.order(number)
        assert converged is not None
        assert converged.version == final["version"]

    # the assessment, worked out by hand: two assignments to U001 (dispatch and re-handling),
    # both signed and replied on time, the first extended and called back dissatisfied and
    # unresolved, the second satisfied and resolved.
    today = agent.now().date()
    report = run_cli(
        "admin",
        "report",
        "--db",
        server.db_url,
        "--start",
        (today - timedelta(days=1)).isoformat(),
        "--end",
        (today + timedelta(days=2)).isoformat(),
        "--unit",
        "U001",
        "--format",
        "json",
    )
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    rows = {row["unit"]: row for row in data["rows"]}
    u001 = rows["U001"]
    expected = {
        "received": 2,
        "signed_on_time": 2,
        "returned": 0,
        "extended": 1,
        "completed_on_time": 2,
        "overdue": 0,
        "urged": 0,
        "criticised": 0,
        "callbacks": 2,
        "satisfied": 1,
        "basically_satisfied": 0,
        "dissatisfied": 1,
        "resolved": 1,
    }
    assert {k: u001[k] for k in expected} == expected
    assert u001["response_rate"] == 1.0
    assert u001["satisfaction_rate"] == 0.5
    assert u001["resolution_rate"] == 0.5
    for seat in seats:
        seat.close()
