"""Fixtures: seats that work offline (``offline_cache.testing.offline_seat``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from offline_cache.services import SeatServices
from offline_cache.testing import offline_seat


@pytest.fixture
def seat(tmp_path: Path) -> Iterator[Callable[..., SeatServices]]:
    made: list[SeatServices] = []

    def make(name: str = "seat", **kwargs: object) -> SeatServices:
        s = offline_seat(tmp_path / name, **kwargs)  # type: ignore[arg-type]
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


FORM = {
    "type": "complaint",
    "channel": "phone",
    "content": "小区楼下夜间施工噪音扰民",
    "caller_name": "张三",
    "caller_phone": "13912346025",
    "unit": "U001",
}
