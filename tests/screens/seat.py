"""Build a real seat database for UI tests: enrolled, with users who logged in before.

The server is unreachable on purpose (port 9), so login takes the offline path against
the password hash cached at an earlier online login, exactly as on a seat with no network.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from offline_cache.services import SeatServices
from offline_cache.testing import enroll_offline

FROZEN_NOW = datetime.fromisoformat("2026-03-02T09:30:00+08:00")  # a Monday
KB_FILE = Path(__file__).resolve().parents[2] / "workstation" / "data" / "demo_kb.jsonl"
USERS = {
    "agent1": ("agent", None, "王坐席"),
    "unit1": ("unit", "U001", "李承办"),
    "super1": ("supervisor", None, "赵督查"),
    "cb1": ("callback", None, "钱回访"),
    "admin1": ("admin", None, "孙管理"),
}
PASSWORD = "pw-123456"


class FrozenServices(SeatServices):
    """The real services with a fixed clock, so deadlines and snapshots are stable."""

    frozen: datetime | None = FROZEN_NOW

    def now(self) -> datetime:
        return self.frozen if self.frozen is not None else super().now()


def make_seat(data_dir: Path, frozen: bool = True, kb: bool = True) -> SeatServices:
    cls = FrozenServices if frozen else SeatServices
    services = cls.open(data_dir)
    enroll_offline(services, USERS, PASSWORD)
    if kb:
        base = services.kb
        if base.count() == 0:
            articles = [
                json.loads(line) for line in KB_FILE.read_text("utf-8").splitlines() if line
            ]
            base.upsert_many(articles)
    return services


def login_args(user: str = "agent1") -> tuple[str, str]:
    return (user, PASSWORD)


def any_field(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name)
