"""A seat with real data for the role screens, without a server.

The "central" side is simulated with the domain itself: commands run through
``workstation.workflow.execute`` (as the server does) and the resulting order snapshots
and notices reach the seat through ``offline_cache.apply.apply_page``, the same path a
pull takes. The seat's own commands then go through SeatServices as on a real seat.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from offline_cache.services import SeatServices
from offline_cache.testing import enroll_offline
from tests.offline_cache.helpers import pull_page
from workstation.models import Actor, Role
from workstation.orders import WorkOrder, snapshot
from workstation.workflow import execute

NOW = datetime.fromisoformat("2026-03-02T09:30:00+08:00")  # a Monday
PASSWORD = "pw-123456"
USERS = {
    "agent1": ("agent", None, "王坐席"),
    "unit1": ("unit", "U001", "李承办"),
    "unit2": ("unit", "U002", "周承办"),
    "super1": ("supervisor", None, "赵督查"),
    "cb1": ("callback", None, "钱回访"),
}
AGENT = Actor("agent1", Role.AGENT, None, "S01")
U1 = Actor("unit1", Role.UNIT, "U001", "S09")
U2 = Actor("unit2", Role.UNIT, "U002", "S10")
SUPER = Actor("super1", Role.SUPERVISOR, None, "S02")
CB = Actor("cb1", Role.CALLBACK, None, "S03")
SYSTEM = Actor("system", Role.SYSTEM, None, None)


class ClockServices(SeatServices):
    """The real services with a clock a test can set."""

    clock: datetime = NOW

    def now(self) -> datetime:
        return self.clock


def make_seat(data_dir: Path) -> ClockServices:
    services = ClockServices.open(data_dir)
    assert isinstance(services, ClockServices)
    enroll_offline(services, USERS, PASSWORD)
    return services


class Central:
    """The server's side of the story, folded with the domain rules."""

    def __init__(self, seat: SeatServices) -> None:
        self.seat = seat
        self.orders: dict[str, WorkOrder] = {}
        self.notices: list[dict[str, Any]] = []
        self.counter = 0

    def dispatch(self, at: datetime, **form: Any) -> str:
        self.counter += 1
        order_id = f"QD-S01-2603-{self.counter:04d}"
        form = {
            "type": "complaint",
            "channel": "phone",
            "content": "小区楼下夜间施工噪音扰民，希望尽快处理",
            "caller_name": "张三",
            "caller_phone": "13912346025",
            "unit": "U001",
            **form,
        }
        self.orders[order_id], _ = execute(
            None, "dispatch", form, AGENT, at, self.seat.context(), order_id=order_id
        )
        return order_id

    def do(self, order_id: str, command: str, actor: Actor, at: datetime, **args: Any) -> WorkOrder:
        self.orders[order_id], _ = execute(
            self.orders[order_id], command, args, actor, at, self.seat.context(), order_id=order_id
        )
        return self.orders[order_id]

    def notice(self, order_id: str, kind: str, number: str, at: datetime) -> None:
        order = self.orders[order_id]
        self.notices.append(
            {
                "number": number,
                "kind": kind,
                "order_id": order_id,
                "unit": order.unit,
                "issued_at": at.isoformat(),
                "copied_to": "分管副镇长 张某",
                "text": f"{order.unit}：工单 {order_id} 已超过办理期限，请立即办理并答复。",
            }
        )

    def push(self) -> None:
        """Deliver everything to the seat as one pull page."""
        cursor = int(self.seat.db.get_meta("cursor") or 0)
        changes: list[dict[str, Any]] = [
            {"entity": "order", "key": k, "op": "upsert", "data": snapshot(o)}
            for k, o in self.orders.items()
        ]
        changes += [
            {"entity": "notice", "key": n["number"], "op": "upsert", "data": n}
            for n in self.notices
        ]
        changes = [{"seq": cursor + 1, **c} for c in changes]
        pull_page(self.seat, cursor, {"changes": changes, "cursor": cursor + 1})


def days(n: float) -> timedelta:
    return timedelta(days=n)
