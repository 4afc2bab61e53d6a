"""Run the real app headless on a seat, type a draft, report, then end as asked.

Used by test_draft_recovery: ``python -m tests.screens.draft_driver DATA_DIR [MODE]``.
MODE ``kill`` (default): wait until the draft is written, print TYPED, wait to be killed.
MODE ``sigterm``: print TYPED right after the last keystroke, wait for SIGTERM.
MODE ``quit``: right after the last keystroke press Ctrl+Q, then ``y``; print EXITED.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.screens.helpers import fill_content, make_app, type_text, until_home, wait_for
from tests.screens.seat import FrozenServices

CONTENT = "草稿测试：小区东门的井盖丢了，很危险"
PHONE = "13655556666"


async def main(data_dir: Path, mode: str) -> None:
    services = FrozenServices.open(data_dir)
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await until_home(pilot)
        await pilot.click("#caller-phone")
        await type_text(pilot, PHONE)
        await fill_content(pilot, CONTENT)
        if mode == "kill":
            await wait_for(pilot, lambda: screen.draft_saved)
        if mode == "quit":
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmQuit")
            await pilot.press("y")
        else:
            print("TYPED", flush=True)
        while app.is_running:  # until killed, or the app exits (SIGTERM, quit)
            await asyncio.sleep(0.05)
    print("EXITED", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "kill"))
