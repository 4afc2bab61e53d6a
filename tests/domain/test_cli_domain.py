"""`workstation deadline` and `workstation calendar check|load` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_deadline_text(isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "deadline", "--type", "consultation", "--from", "2026-09-30T10:00:00+08:00"
    )
    assert code == 0
    assert out.strip() == "2026-10-10T23:59:59+08:00 (calendar: chinesecalendar)"


def test_deadline_json_naive_is_city_time(
    isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "deadline", "--type", "complaint", "--from", "2026-09-30 10:00", "--json"
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["deadline"] == "2026-10-15T23:59:59+08:00"
    assert payload["source"] == "chinesecalendar"
    assert payload["working_days"] == 7
    assert payload["dispatched_at"] == "2026-09-30T10:00:00+08:00"


def test_deadline_investigation_and_chinese_type(
    isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "deadline", "--type", "投诉", "--from", "2026-02-12", "--investigation", "--json"
    )
    assert code == 0
    assert json.loads(out)["deadline"] == "2026-03-04T23:59:59+08:00"
    assert json.loads(out)["working_days"] == 10


def test_deadline_utc_input_counts_on_city_date(
    isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "deadline", "--type", "help", "--from", "2026-09-30T17:00:00Z", "--json"
    )
    assert code == 0
    assert json.loads(out)["deadline"] == "2026-10-15T23:59:59+08:00"


def test_deadline_fallback_is_reported(
    isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "deadline", "--type", "consultation", "--from", "2026-12-30T10:00+08:00"
    )
    assert code == 0
    assert out.strip() == "2027-01-04T23:59:59+08:00 (calendar: fallback)"
    assert "calendar load" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["deadline", "--type", "gossip", "--from", "2026-09-30"],
        ["deadline", "--type", "help", "--from", "yesterday"],
        ["deadline", "--type", "help"],
        ["calendar", "check", "next"],
    ],
)
def test_bad_arguments_exit_2_without_traceback(
    isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "错误" in err and len(err.strip().splitlines()) == 1


def test_bad_config_exits_1(
    isolated_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WORKSTATION_DEADLINES__HELP", "soon")
    code, _, err = run(capsys, "deadline", "--type", "help", "--from", "2026-09-30")
    assert code == 1
    assert "deadlines.help" in err and "Traceback" not in err


def test_calendar_check(isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "check", "2026")
    assert code == 0 and "2026" in out and "chinesecalendar" in out
    code, out, _ = run(capsys, "calendar", "check", "2100")
    assert code == 1 and "2100" in out


def test_calendar_load_then_check_and_deadline(
    isolated_env: dict[str, str], overrides_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "calendar", "check", "2027")[0] == 1
    code, out, _ = run(capsys, "calendar", "load", str(overrides_file))
    assert code == 0 and "2027" in out
    installed = Path(isolated_env["WORKSTATION_DATA_DIR"]) / "calendar_overrides.json"
    assert installed.exists()
    code, out, _ = run(capsys, "calendar", "check", "2027")
    assert code == 0 and str(installed) in out
    code, out, _ = run(
        capsys, "deadline", "--type", "consultation", "--from", "2026-12-30T10:00+08:00"
    )
    # Dec 31, then Jan 1-3 off in the loaded file: Mon Jan 4, Tue Jan 5.
    assert out.strip() == "2027-01-05T23:59:59+08:00 (calendar: override)"


def test_calendar_load_merges_years(
    isolated_env: dict[str, str],
    tmp_path: Path,
    overrides_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, "calendar", "load", str(overrides_file))[0] == 0
    second = tmp_path / "2028.json"
    second.write_text(json.dumps({"2028": {"holidays": ["2028-01-01"]}}), encoding="utf-8")
    assert run(capsys, "calendar", "load", str(second))[0] == 0
    assert run(capsys, "calendar", "check", "2027")[0] == 0
    assert run(capsys, "calendar", "check", "2028")[0] == 0
    assert run(capsys, "calendar", "load", "--replace", str(second))[0] == 0
    assert run(capsys, "calendar", "check", "2027")[0] == 1


def test_calendar_load_refuses_bad_file(
    isolated_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "2027": {\n    "holidays": ["2027-02-30"]\n  }\n}\n', encoding="utf-8")
    code, _, err = run(capsys, "calendar", "load", str(bad))
    assert code == 1
    assert "3" in err and "2027" in err and "Traceback" not in err
    assert not (Path(isolated_env["WORKSTATION_DATA_DIR"]) / "calendar_overrides.json").exists()


def test_shipped_example_loads(
    isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from workstation.data import OVERRIDES_EXAMPLE

    assert run(capsys, "calendar", "load", str(OVERRIDES_EXAMPLE))[0] == 0


def test_deadline_command_stays_light(isolated_env: dict[str, str]) -> None:
    """`workstation deadline` must not load a web framework, Textual or SQL."""
    code = (
        "import sys; from hotline.cli import main; "
        "rc = main(['deadline','--type','help','--from','2026-09-30']); "
        "heavy = [m for m in ('fastapi','textual','sqlalchemy','uvicorn','httpx') if m in sys.modules]; "
        "print(heavy); sys.exit(rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
