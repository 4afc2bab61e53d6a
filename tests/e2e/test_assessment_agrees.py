"""An overdue, urged and criticised order shows the same everywhere (issue 14).

A real server on a pinned clock and real seats: an order dispatched to U001 in November
runs past its deadline (Dec 1) without a reply; the server's jobs urge the unit on Dec 3
and criticise it on Dec 8. A second order, dispatched and replied in December, is on
time. On Dec 8 the unit's inbox marks the first 超期, the supervisor's board lists it, the
notices list shows both notices, and December's assessment row of U001 (both the
server's report and the supervision seat's offline assessment) counts overdue 1, urged 1,
criticised 1 and an on-time rate of 50 %, although the order was received in November.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from central.jobs import run_jobs
from central.store import Store
from central.testing import start_live_server
from offline_cache.services import SeatServices
from tests.offline_cache.helpers import FAST
from workstation.intake_form import IntakeForm

TZ = ZoneInfo("Asia/Shanghai")
NOV_20 = datetime(2026, 11, 20, 10, tzinfo=TZ)  # a Friday: due Tue Dec 1 (7 working days)
DEC_1 = datetime(2026, 12, 1, 9, tzinfo=TZ)
DEC_3 = datetime(2026, 12, 3, 10, tzinfo=TZ)
DEC_8 = datetime(2026, 12, 8, 10, tzinfo=TZ)  # Tuesday: 2 working days after the urging
DECEMBER = (datetime(2026, 12, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ))


def form(content: str) -> IntakeForm:
    return IntakeForm.parse(
        {
            "type": "complaint",
            "channel": "phone",
            "content": content,
            "caller_name": "陈女士",
            "caller_phone": "13800138001",
            "unit": "U001",
        }
    )


class PinnedSeat(SeatServices):
    """The real seat services on the test's clock (as the server's clock file is)."""

    clock: datetime = NOV_20

    def now(self) -> datetime:
        return self.clock


def seat(server, data_dir: Path, seat_id: str, user: str) -> PinnedSeat:
    s = PinnedSeat.open(data_dir)
    s.enroll(server.base_url, seat_id, server.seat_tokens[seat_id])
    s.login(user, server.seeded.password(user))
    s.sync_timeouts = FAST
    return s


def move(server, moment: datetime, *seats: tuple[PinnedSeat, str]) -> None:
    """Move the server's clock; the users log in again (a session lasts a shift)."""
    server.set_now(moment)
    for s, user in seats:
        s.clock = moment
        s.login(user, server.seeded.password(user))


def sync(*seats: SeatServices) -> None:
    for seat in seats:
        status = asyncio.run(seat.sync_once())
        assert status.online and status.pending == 0, status
        assert seat.problems() == [], seat.problems()


@pytest.fixture
def server(tmp_path: Path):
    with start_live_server(tmp_path / "central", clock=NOV_20, seats=("S01", "S02", "S03")) as srv:
        yield srv


def test_overdue_urged_criticised_agree_everywhere(server, tmp_path: Path) -> None:
    agent = seat(server, tmp_path / "agent", "S01", "agent1")
    unit = seat(server, tmp_path / "unit", "S02", "unit1")
    supervisor = seat(server, tmp_path / "super", "S03", "super1")
    jobs = Store.open(server.db_url)
    users = ((agent, "agent1"), (unit, "unit1"), (supervisor, "super1"))

    late = agent.dispatch(form("锦绣花园小区东门外夜间施工噪音很大，影响休息。"))
    sync(agent)
    move(server, DEC_1, *users)
    on_time = agent.dispatch(form("人民路路灯坏了三天，晚上很黑。"))
    sync(agent, unit)
    unit.order_command(on_time, "sign", {})
    unit.order_command(on_time, "reply", {"result": "已修复路灯，已与来电人沟通。"})
    sync(unit)
    move(server, DEC_3)
    assert run_jobs(jobs, DEC_3)["urge"] == 1
    move(server, DEC_8, *users)
    assert run_jobs(jobs, DEC_8)["criticise"] == 1
    jobs.db.dispose()
    sync(unit, supervisor)

    # the unit's inbox: 超期, counted in working days past the deadline
    inbox = {row.order_id: row for row in unit.unit_inbox()}
    left = inbox[late].working_days_left
    assert inbox[late].bucket == "overdue" and left is not None and left < 0
    # the supervisor's board and the notices list
    assert late in [row.order_id for row in supervisor.supervision_board().overdue]
    notices = [(n.kind, n.unit, n.order_id) for n in supervisor.notices()]
    assert ("urging", "U001", late) in notices and ("criticism", "U001", late) in notices

    # December's assessment of U001: the server's report ...
    token = server.login("super1", "S03")
    r = httpx.get(
        f"{server.base_url}/api/v1/reports/assessment",
        params={"start": "2026-12-01", "end": "2027-01-01", "unit": "U001"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    row = r.json()["rows"][0]
    figures = ("received", "completed_on_time", "overdue", "urged", "criticised")
    assert {k: row[k] for k in figures} == {
        "received": 1,  # only the December order; the late one was received in November
        "completed_on_time": 1,
        "overdue": 1,
        "urged": 1,
        "criticised": 1,
    }
    assert row["on_time_rate"] == 0.5
    # ... and the supervision seat's own, from its cache, says the same
    seat_row = next(
        r for r in supervisor.assessment(*DECEMBER, as_of=DEC_8).rows if r.unit == "U001"
    )
    assert {k: getattr(seat_row, k) for k in figures} == {k: row[k] for k in figures}
    assert seat_row.on_time_rate == 0.5
