"""SVG snapshots of the intake screen at 80x24 and 120x40 (frozen clock, fixed data).

Update after an intended change with ``pytest tests/screens/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from tests.screens.helpers import fill_content, make_app, type_text, until_home, wait_for
from tests.screens.seat import make_seat


async def settle(pilot) -> None:
    """No worker running, no animation pending, no toast: the same picture every run."""
    app = pilot.app
    await wait_for(pilot, lambda: all(w.is_finished for w in app.workers))
    app.clear_notifications()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


CALL = "楼道里着火了，浓烟很大，[bold red]快来人[/bold red]！我家在锦绣花园3号楼二单元502室，老人行动不便。"


def test_intake_80x24_with_emergency(snap_compare, tmp_path) -> None:
    services = make_seat(tmp_path / "seat")

    async def run_before(pilot) -> None:
        screen = await until_home(pilot)
        await pilot.click("#caller-phone")
        await type_text(pilot, "13812345678")
        await fill_content(pilot, CALL)
        screen.query_one("#form-type").focus()  # the agent confirms the type next
        await wait_for(pilot, lambda: screen.query_one("#form-suggestion").display)
        await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=run_before)


def test_intake_120x40_with_search(snap_compare, tmp_path) -> None:
    services = make_seat(tmp_path / "seat")

    async def run_before(pilot) -> None:
        screen = await until_home(pilot)
        await fill_content(pilot, "社保卡丢了，想问一下怎么补办，要带什么材料。")
        screen.query_one("#form-type").value = "consultation"
        await pilot.press("f3")
        await type_text(pilot, "社保卡补办")
        screen.query_one("#kb-search").cursor_blink = False  # a stable picture
        await wait_for(pilot, lambda: screen.query_one("#kb").results)
        await wait_for(pilot, lambda: screen.query_one("#form-deadline").render())
        await wait_for(pilot, lambda: screen.query_one("#form-suggestion").display)
        await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=(120, 40), run_before=run_before)


def test_intake_80x24_english(snap_compare, tmp_path) -> None:
    """The agent's screen in English: every key of the bar whole."""
    from workstation.i18n import set_language

    services = make_seat(tmp_path / "seat")
    set_language("en")

    async def run_before(pilot) -> None:
        screen = await until_home(pilot)
        screen.query_one("#caller-phone").cursor_blink = False  # a stable picture
        await wait_for(pilot, lambda: pilot.app.sync_status is not None)
        await settle(pilot)

    try:
        assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=run_before)
    finally:
        set_language("zh")
