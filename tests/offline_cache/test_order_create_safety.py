"""``workstation order create`` obeys the intake rules of the form: an emergency is never
dispatched from the command line without an override reason, even when the JSON carries
no assist verdict (the command runs the assist itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from offline_cache.testing import offline_seat

BASE = {"type": "help", "unit": "U001", "caller_phone": "13912345678"}
FAINTED = "小区里有人晕倒了，不省人事，快叫救护车"


def _create(data: Path, lines: list[dict]) -> subprocess.CompletedProcess[str]:
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", "order", "create", "--json", "-",
         "--data-dir", str(data)],
        input=body, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_an_emergency_is_refused_without_an_override_and_kept_with_one(tmp_path: Path) -> None:
    data = tmp_path / "seat"
    offline_seat(data).close()
    done = _create(data, [{**BASE, "content": FAINTED}])
    assert done.returncode == 1 and done.stdout == ""
    assert "120" in done.stderr and "Traceback" not in done.stderr
    override = {**BASE, "content": FAINTED, "override": {"reason": "已转 120，另需社区跟进"}}
    done = _create(data, [override, {**BASE, "content": "路灯坏了一个月", "unit": "U023"}])
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.split()
    services = offline_seat(data)
    try:
        flagged, plain = services.order(first), services.order(second)
        assert flagged is not None and plain is not None
        assert flagged.events[0].data["override"] == {
            "flag": "emergency:120",
            "reason": "已转 120，另需社区跟进",
        }
        assert "override" not in plain.events[0].data
    finally:
        services.close()


def test_an_assist_verdict_in_the_json_counts(tmp_path: Path) -> None:
    data = tmp_path / "seat"
    offline_seat(data).close()
    flagged = {**BASE, "content": "地铁站有问题", "assist": {"reject_reason": "out_of_area"}}
    done = _create(data, [flagged])
    assert done.returncode == 1 and "不属于本市管辖" in done.stderr
