"""Nothing typed is lost: a draft survives kill -9, SIGTERM and a confirmed quit of the app
(each right after the last keystroke) and is offered on restart."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from screens.widgets.caller_panel import CallerPanel
from screens.widgets.order_form import OrderForm
from tests.screens.draft_driver import CONTENT, PHONE
from tests.screens.helpers import make_app, until_home, wait_for
from tests.screens.seat import make_seat

REPO = Path(__file__).resolve().parents[2]


_READERS: dict[int, queue.Queue[str]] = {}


def _wait_line(process: subprocess.Popen[str], expected: str, limit: float) -> None:
    """Read the driver's stdout in a thread; wait (bounded) for the expected line."""
    lines = _READERS.get(process.pid)
    if lines is None:  # one reader per process, kept for the next wait
        lines = _READERS[process.pid] = queue.Queue()
        assert process.stdout is not None
        stdout, put = process.stdout, lines.put

        def pump() -> None:
            for line in stdout:
                put(line)

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


def _start_driver(data_dir: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.screens.draft_driver", str(data_dir), mode],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


async def _restart_and_restore(data_dir: Path) -> None:
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


async def test_draft_is_offered_after_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "seat"
    make_seat(data_dir).close()
    process = _start_driver(data_dir, "kill")
    try:
        _wait_line(process, "TYPED", limit=60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    await _restart_and_restore(data_dir)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
async def test_sigterm_or_hangup_right_after_a_keystroke_keeps_everything(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """The terminal closes or the machine shuts down just after the last key: the app
    writes the newest draft before it exits (no waiting for the writer thread)."""
    data_dir = tmp_path / "seat"
    make_seat(data_dir).close()
    process = _start_driver(data_dir, "sigterm")
    try:
        _wait_line(process, "TYPED", limit=60)
        process.send_signal(sig)
        _wait_line(process, "EXITED", limit=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
    await _restart_and_restore(data_dir)


async def test_quit_right_after_a_keystroke_asks_then_keeps_everything(tmp_path: Path) -> None:
    """Ctrl+Q with a call in progress asks first; ``y`` quits at once and nothing is lost."""
    data_dir = tmp_path / "seat"
    make_seat(data_dir).close()
    process = _start_driver(data_dir, "quit")
    try:
        _wait_line(process, "EXITED", limit=60)
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    await _restart_and_restore(data_dir)
