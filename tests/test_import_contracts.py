"""Who may import whom (docs/architecture.md), checked by import-linter on every run.

The contracts live in ``.importlinter`` at the project root: the layers (programs, then
UI | server | seat cache, then search | assist, then the domain), screens that see only
the domain's seat API, and headless packages without Textual.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout
