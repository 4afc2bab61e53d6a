"""`calendar check` says plainly when a year is estimated Monday-Friday, and how an
administrator loads the State Council's notice (`calendar load`)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Workstation, one_line_error

NOTICE_2027 = {
    "2027": {
        "holidays": ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"],
        "workdays": ["2027-02-14"],
        "note": "invented for the test",
    }
}


def test_check_a_year_without_data_says_weekday_estimate_and_how_to_load(
    workstation: Workstation,
) -> None:
    zh = workstation("calendar", "check", "2027")
    assert zh.code == 1 and "Traceback" not in zh.err
    assert "没有官方放假安排" in zh.out and "周一至周五推算" in zh.out
    assert "workstation calendar load" in zh.out
    en = workstation("--lang", "en", "calendar", "check", "2027")
    assert en.code == 1 and "estimated Monday-Friday" in en.out and "calendar load" in en.out


def test_load_the_notice_then_the_year_is_official(
    workstation: Workstation, tmp_path: Path
) -> None:
    notice = tmp_path / "notice-2027.json"
    notice.write_text(json.dumps(NOTICE_2027), encoding="utf-8")
    loaded = workstation("calendar", "load", str(notice))
    assert loaded.code == 0 and "2027" in loaded.out
    check = workstation("calendar", "check", "2027")
    assert check.code == 0 and "已有官方数据" in check.out
    due = workstation("deadline", "--type", "consultation", "--from", "2027-02-05T10:00+08:00")
    assert due.code == 0 and "override" in due.out and "2027-02-15" in due.out


def test_loading_a_bad_or_missing_notice_is_one_line(
    workstation: Workstation, tmp_path: Path
) -> None:
    line = one_line_error(workstation("calendar", "load", "notice.json"), 1, "zh")
    assert "notice.json" in line
    bad = tmp_path / "bad.json"
    bad.write_text('{"2027": {"holidays": ["2027-02-30"]}}', encoding="utf-8")
    line = one_line_error(workstation("--lang", "en", "calendar", "load", str(bad)), 1, "en")
    assert "bad.json" in line and "2027" in line
