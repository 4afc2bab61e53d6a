"""Nothing typed is lost: a draft survives kill -9 of the app and is offered on restart."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from screens.widgets.caller_panel import CallerPanel
from screens.widgets.order_form import OrderForm
from tests.screens.draft_driver import CONTENT, PHONE
from tests.screens.helpers import make_app, until_home, wait_for
from tests.screens.seat import make_seat

REPO = Path(__file__).resolve().parents[2]


def _wait_line(process: subprocess.Popen[str], expected: str, limit: float) -> None:
    """Read the driver's stdout in a thread; wait (bounded) for the expected line."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + limit
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                raise AssertionError(f"driver exited {process.returncode}: {seen}") from None
            continue
        seen.append(line)
        if expected in line:
            return
    raise AssertionError(f"no {expected!r} within {limit}s: {seen}")


async def test_draft_is_offered_after_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "seat"
    make_seat(data_dir).close()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.screens.draft_driver", str(data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        _wait_line(process, "TYPED", limit=60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    services = make_seat(data_dir)
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DraftOffer", limit=20)
        assert CONTENT[:10] in str(app.screen.query_one("#draft-preview").render())
        await pilot.press("enter")
        screen = await until_home(pilot)
        assert screen.query_one(OrderForm).values()["content"] == CONTENT
        assert screen.query_one(CallerPanel).values()["caller_phone"] == PHONE
    services.close()
