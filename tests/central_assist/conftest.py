"""Fixtures: a seeded server store on a SQLite file with a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

TOPICS = {
    "U001": "我们小区{n}号楼门口的路灯坏了好几天，晚上黑漆漆的没人修",
    "U002": "菜市场东门{n}号摊位旁边有人乱倒建筑垃圾，臭味很大",
}
"""Two kinds of request, each always closed by the same unit: what the model must learn."""


def training_rows(per_unit: int) -> list[tuple[str, str, str]]:
    rows = []
    for n in range(per_unit):
        for unit, text in TOPICS.items():
            rows.append((text.format(n=n), unit, "complaint" if n % 2 else "help"))
    return rows


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Any]:
    from central.db import Database
    from central.store import Store
    from central.testing import seed
    from workstation.config import load_settings

    settings = load_settings(env={"WORKSTATION_DATA_DIR": str(tmp_path / "data")})
    s = Store(Database(f"sqlite:///{tmp_path / 'central.db'}"), settings, clock)
    seed(s)
    yield s
    s.db.dispose()
