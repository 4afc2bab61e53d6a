"""The files the product ships in workstation/data."""

from __future__ import annotations

from workstation.calendar import read_overrides
from workstation.data import DEMO_UNITS, OVERRIDES_EXAMPLE
from workstation.models import load_units


def test_demo_units_have_leaders() -> None:
    units = load_units(DEMO_UNITS)
    assert len(units) == 74
    assert all("分管" in u.leader and u.leader.endswith("某") for u in units)
    assert {u.kind for u in units} == {"town", "zone", "department", "public_service"}


def test_overrides_example_is_valid() -> None:
    data = read_overrides(OVERRIDES_EXAMPLE)
    holidays, workdays = data[2027]
    assert holidays and workdays
    assert all(d.weekday() >= 5 for d in workdays)  # make-up days fall on weekends
