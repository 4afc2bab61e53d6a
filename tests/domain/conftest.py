"""Shared fixtures for the domain tests: a calendar, an overrides file for 2027."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workstation.calendar import WorkingCalendar

# Invented 2027 data (the official schedule was not published when this was written).
OVERRIDES_2027 = {
    "2027": {
        "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"]
        + [f"2027-02-{d:02d}" for d in range(5, 14)],
        "workdays": ["2027-02-14", "2027-02-20"],
    }
}


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.default()


@pytest.fixture
def overrides_file(tmp_path: Path) -> Path:
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps(OVERRIDES_2027, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A clean WORKSTATION_ environment pointing the data dir and config into tmp_path."""
    import os

    for name in list(os.environ):
        if name.startswith("WORKSTATION_"):
            monkeypatch.delenv(name)
    data = tmp_path / "data"
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(data))
    return {"WORKSTATION_DATA_DIR": str(data)}


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a real ~/.config/hotline-workstation/workstation.toml out of the tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
