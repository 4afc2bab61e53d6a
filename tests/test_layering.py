"""The headless packages never import Textual (DESIGN.md section 2).

Checked in a fresh interpreter, so modules that other tests already imported cannot hide
an import.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADLESS = ["workstation", "assist", "kb_index", "offline_cache", "central"]


def _modules_of(package: str) -> list[str]:
    base = ROOT / package
    names = []
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize("package", HEADLESS)
def test_headless_package_never_imports_textual(package: str) -> None:
    modules = _modules_of(package)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{package} imported {result.stdout.strip()}"


def test_deadline_command_loads_no_web_framework_or_textual() -> None:
    code = (
        "import sys\n"
        "from hotline.cli import main\n"
        "main(['deadline', '--type', 'complaint', '--from', '2026-09-30T10:00:00+08:00'])\n"
        "heavy = [m for m in ('fastapi', 'textual', 'sqlalchemy', 'sklearn') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY=\n" in result.stdout or result.stdout.rstrip().endswith("HEAVY="), result.stdout
