"""Every test starts from the same environment, whatever the shell or an earlier test left.

The suite runs in a random order (pytest-randomly; the seed is in pytest's header), so no
test may depend on another's leftovers. Settings come from ``WORKSTATION_*`` variables and
the user's configuration and data folders (``workstation.config``): each test gets none of
the former (except the PostgreSQL URL for the tests) and folders of its own for the latter,
so a developer's own configuration never reaches a test and no test reaches the next one
through them. The interface language, one process-wide setting, is back to Chinese after
each test, even one that failed before resetting it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from central.testing import LiveServer, start_live_server
from workstation.i18n import set_language

KEEP = {"WORKSTATION_TEST_PG_URL"}


@pytest.fixture(autouse=True)
def _clean_settings_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("WORKSTATION_") and name not in KEEP:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    yield
    set_language("zh")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A seeded server on SQLite with a controllable clock, jobs off (``central.testing``)."""
    with start_live_server(tmp_path, clock=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)) as server:
        yield server
