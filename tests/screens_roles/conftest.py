from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens_roles.world import Central, make_seat


@pytest.fixture
def seat(tmp_path: Path):
    services = make_seat(tmp_path / "seat")
    yield services
    services.close()


@pytest.fixture
def central(seat) -> Central:
    return Central(seat)
