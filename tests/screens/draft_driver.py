"""Run the real app headless on a seat, type a draft, report, then wait to be killed.

Used by test_draft_recovery: ``python -m tests.screens.draft_driver DATA_DIR``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.screens.helpers import fill_content, make_app, type_text, until_home, wait_for
from tests.screens.seat import FrozenServices

CONTENT = "草稿测试：小区东门的井盖丢了，很危险"
PHONE = "13655556666"


async def main(data_dir: Path) -> None:
    services = FrozenServices.open(data_dir)
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await until_home(pilot)
        await pilot.click("#caller-phone")
        await type_text(pilot, PHONE)
        await fill_content(pilot, CONTENT)
        await wait_for(pilot, lambda: screen.draft_saved)
        print("TYPED", flush=True)
        await asyncio.sleep(3600)  # waiting for kill -9


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
