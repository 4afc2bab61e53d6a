"""The working-day calendar: official 2026 data, overrides, fallback, arithmetic properties."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.calendar import WorkingCalendar, read_overrides, write_overrides
from workstation.errors import ValidationError

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival 2026: Feb 15-23 off, Saturdays Feb 14 and Feb 28 are make-up days.
        ("2026-02-13", True),
        ("2026-02-14", True),
        ("2026-02-15", False),
        ("2026-02-16", False),
        ("2026-02-20", False),
        ("2026-02-23", False),
        ("2026-02-24", True),
        ("2026-02-28", True),
        ("2026-03-01", False),
        # National Day 2026: Sep 25 (Mid-Autumn) and Oct 1-7 off, Sep 20 and Oct 10 worked.
        ("2026-09-20", True),
        ("2026-09-25", False),
        ("2026-09-30", True),
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),
        ("2026-10-11", False),
        # New Year 2026: Jan 1-3 off, Sunday Jan 4 worked.
        ("2026-01-01", False),
        ("2026-01-04", True),
    ],
)
def test_2026_official_days(calendar: WorkingCalendar, day: str, working: bool) -> None:
    assert calendar.is_working_day(D(day)) is working
    assert calendar.source(D(day)) == "chinesecalendar"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-02-13", 1, "2026-02-14"),  # Friday → make-up Saturday
        ("2026-02-14", 1, "2026-02-24"),  # over the whole Spring Festival
        ("2026-02-12", 3, "2026-02-24"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-09-30", 7, "2026-10-15"),
        ("2026-09-24", 1, "2026-09-28"),  # Mid-Autumn Friday and the weekend
        ("2026-10-09", 0, "2026-10-09"),
    ],
)
def test_add_working_days_over_holidays(
    calendar: WorkingCalendar, start: str, n: int, expected: str
) -> None:
    assert calendar.add_working_days(D(start), n) == D(expected)


def test_year_boundary_2026_2027_without_overrides_falls_back() -> None:
    cal = WorkingCalendar.default()
    assert cal.has_official_data(2026)
    assert not cal.has_official_data(2027)
    # Thu 2026-12-31 + 3: Fri Jan 1 (fallback: Monday-Friday), Mon 4, Tue 5.
    assert cal.add_working_days(D("2026-12-31"), 3) == D("2027-01-05")
    assert cal.source(D("2027-01-01")) == "fallback"
    assert cal.is_working_day(D("2027-01-01"))
    assert cal.span_source(D("2026-12-30"), D("2027-01-05")) == "fallback"
    assert cal.span_source(D("2026-12-01"), D("2026-12-31")) == "chinesecalendar"


def test_year_boundary_2026_2027_with_overrides(overrides_file: Path) -> None:
    cal = WorkingCalendar.default(overrides_file)
    assert cal.has_official_data(2027)
    assert cal.official_source(2027) == "override"
    assert not cal.is_working_day(D("2027-01-01"))
    assert cal.source(D("2027-01-01")) == "override"
    # a day not listed in the file follows Monday-Friday but is still official data
    assert cal.source(D("2027-03-03")) == "override"
    assert cal.is_working_day(D("2027-03-03"))
    assert cal.is_working_day(D("2027-02-14"))  # make-up Sunday
    # Thu 2026-12-31 + 3: Jan 1-3 off → Mon 4, Tue 5, Wed 6.
    assert cal.add_working_days(D("2026-12-31"), 3) == D("2027-01-06")
    assert cal.span_source(D("2026-12-30"), D("2027-01-06")) == "override"
    assert cal.add_working_days(D("2027-02-04"), 1) == D("2027-02-14")


def test_overrides_beat_chinesecalendar(tmp_path: Path) -> None:
    path = tmp_path / "fix.json"
    path.write_text(json.dumps({"2026": {"holidays": ["2026-10-09"]}}), encoding="utf-8")
    cal = WorkingCalendar.default(path)
    assert not cal.is_working_day(D("2026-10-09"))
    assert cal.source(D("2026-10-09")) == "override"
    assert cal.source(D("2026-10-08")) == "chinesecalendar"


def test_toml_overrides(tmp_path: Path) -> None:
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-01-01", 2027-01-02]\nworkdays = []\n', "utf-8")
    cal = WorkingCalendar.default(path)
    assert not cal.is_working_day(D("2027-01-01"))
    assert not cal.is_working_day(D("2027-01-02"))


@pytest.mark.parametrize(
    ("text", "line", "year", "words"),
    [
        ('{\n  "2027": {\n    "holidays": ["2027-13-01"]\n  }\n}', 3, 2027, "2027-13-01"),
        ('{\n  "2027": {\n    "holidays": ["2028-01-01"]\n  }\n}', 3, 2027, "not in 2027"),
        ('{\n  "2027": {\n    "holiday": []\n  }\n}', 3, 2027, "unknown field"),
        ('{\n  "27": {}\n}', 2, None, "four-digit year"),
        ('{\n  "2027": {\n    "holidays": [\n  }', 4, None, "JSON syntax"),
        (
            '{"2027": {\n"holidays": ["2027-01-01"],\n"workdays": ["2027-01-01"]}}',
            2,
            2027,
            "both",
        ),
        ('{"2027": {"holidays": "2027-01-01"}}', 1, 2027, "list"),
        ("[1, 2]", 1, None, "top level"),
    ],
)
def test_bad_overrides_name_line_and_year(
    tmp_path: Path, text: str, line: int, year: int | None, words: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        WorkingCalendar().load_overrides(path)
    err = info.value
    assert err.details["line"] == line
    assert err.details["year"] == year
    assert words in err.en
    assert str(path) in err.zh and str(path) in err.en


def test_missing_overrides_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        WorkingCalendar.default(tmp_path / "nope.json")
    assert "not found" in info.value.en and "找不到" in info.value.zh


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    data = {2027: ([D("2027-01-01")], [D("2027-02-14")]), 2028: ([D("2028-01-01")], [])}
    for name in ("out.json", "out.toml"):
        write_overrides(tmp_path / name, data)
        assert read_overrides(tmp_path / name) == data


@pytest.mark.parametrize("year", [1900, 2003, 2100, 9000])
def test_fallback_never_raises(year: int) -> None:
    cal = WorkingCalendar.default()
    monday = date(year, 1, 1) + timedelta(days=(7 - date(year, 1, 1).weekday()) % 7)
    assert cal.source(monday) == "fallback"
    assert cal.is_working_day(monday)
    assert not cal.is_working_day(monday + timedelta(days=5))
    assert not cal.has_official_data(year)
    assert cal.add_working_days(monday, 5) == monday + timedelta(days=7)
    assert cal.working_days_between(monday, monday + timedelta(days=14)) == 10


def test_chinesecalendar_range_is_2004_to_2026(calendar: WorkingCalendar) -> None:
    assert calendar.package_years() == (2004, 2026)
    assert calendar.has_official_data(2004) and not calendar.has_official_data(2003)


def test_negative_n_is_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValidationError):
        calendar.add_working_days(D("2026-01-05"), -1)


def test_between_is_zero_when_end_not_after_start(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(D("2026-10-10"), D("2026-10-10")) == 0
    assert calendar.working_days_between(D("2026-10-10"), D("2026-10-01")) == 0


# -- properties ----------------------------------------------------------------------------

_CAL = WorkingCalendar.default()
days = st.dates(min_value=date(2003, 6, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=40)


@settings(max_examples=200, deadline=None)
@given(start=days, n=counts)
def test_property_result_is_a_working_day_and_counts_back(start: date, n: int) -> None:
    end = _CAL.add_working_days(start, n)
    if n > 0:
        assert end > start
        assert _CAL.is_working_day(end)
    assert _CAL.working_days_between(start, end) == n


@settings(max_examples=200, deadline=None)
@given(start=days, n=counts)
def test_property_monotonic_in_n(start: date, n: int) -> None:
    assert _CAL.add_working_days(start, n) < _CAL.add_working_days(start, n + 1)


@settings(max_examples=200, deadline=None)
@given(start=days, a=st.integers(0, 400), b=st.integers(0, 400))
def test_property_between_is_additive(start: date, a: int, b: int) -> None:
    mid = start + timedelta(days=a)
    end = mid + timedelta(days=b)
    total = _CAL.working_days_between(start, end)
    assert total == _CAL.working_days_between(start, mid) + _CAL.working_days_between(mid, end)
    assert total <= (end - start).days


@settings(max_examples=100, deadline=None)
@given(start=days, span=st.integers(-30, 1200))
def test_property_between_matches_day_by_day_count(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    naive = sum(_CAL.is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    assert _CAL.working_days_between(start, end) == naive
