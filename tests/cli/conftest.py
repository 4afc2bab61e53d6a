"""Run the `workstation` command as a person does: a fresh process, an empty home."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


class Workstation:
    """`python -m hotline.cli` with HOME, the XDG directories and the data dir in tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.state_dir = tmp_path / "state"
        self.data_dir = tmp_path / "data"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
        self.env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            XDG_DATA_HOME=str(tmp_path / "xdg-data"),
            XDG_STATE_HOME=str(self.state_dir),
            WORKSTATION_DATA_DIR=str(self.data_dir),
            PYTHONIOENCODING="utf-8",
        )

    def __call__(self, *argv: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "hotline.cli", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=self.home,
            env={**self.env, "PYTHONPATH": str(ROOT), **(env or {})},
            timeout=120,
        )
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def workstation(tmp_path: Path) -> Workstation:
    return Workstation(tmp_path)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def one_line_error(result: Result, code: int, lang: str) -> str:
    """The contract of every failure: the exit code, one line on stderr, no traceback,
    in the interface language; returns the line."""
    assert "Traceback" not in result.err + result.out
    assert result.code == code, result
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("workstation")
    if lang == "zh":
        assert has_chinese(line) and "：" in line, line
    else:  # quoted input may be Chinese; the sentence around it is not
        assert "：" not in line and "（" not in line, line
    return line
