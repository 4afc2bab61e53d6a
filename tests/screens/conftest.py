from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens.seat import make_seat


@pytest.fixture
def services(tmp_path: Path):
    seat = make_seat(tmp_path / "seat")
    yield seat
    seat.close()
