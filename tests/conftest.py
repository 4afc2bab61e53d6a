"""Fixtures every test area may use; the support code itself lives in the packages
(``central.testing``, ``offline_cache.testing``) so benchmarks and the demo share it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from central.testing import LiveServer, start_live_server


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A seeded server on SQLite with a controllable clock, jobs off."""
    with start_live_server(tmp_path, clock=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)) as server:
        yield server
