"""SVG snapshots of the three homes and the callback dialog at 80x24 (Chinese and English):
every key of the two-line key bar whole."""

from __future__ import annotations

import pytest

from tests.screens_roles.helpers import make_app, until_dialog, until_home, wait_for
from tests.screens_roles.test_callback_home import replied
from tests.screens_roles.test_supervision_home import board_world
from tests.screens_roles.world import NOW, U1, days
from workstation.i18n import set_language


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("zh")


def unit_world(central) -> None:
    central.dispatch(NOW - days(0.1), confidential=True, caller_name="张三丰",
                     content="我家楼下的路灯坏了一个多月，晚上很黑，老人小孩出行很不方便，"
                     "希望有关部门尽快派人维修。[bold red]不是标记[/]")  # fmt: skip
    old = central.dispatch(NOW - days(20), type="consultation")
    central.do(old, "sign", U1, NOW - days(19))
    central.dispatch(NOW - days(5), type="help")


async def _ready(pilot, name: str) -> None:
    screen = await until_home(pilot, name)
    await wait_for(pilot, lambda: pilot.app.sync_status is not None)
    detail = screen.query("OrderDetail").first()
    await wait_for(pilot, lambda: "（未选择工单）" not in detail.shown_text)
    await pilot.pause(0.1)


def test_unit_home_snapshot(seat, central, snap_compare) -> None:
    unit_world(central)
    central.push()

    async def ready(pilot):
        await _ready(pilot, "UnitHome")

    assert snap_compare(make_app(seat, "unit1"), terminal_size=(80, 24), run_before=ready)


def test_unit_home_snapshot_english(seat, central, snap_compare, english) -> None:
    unit_world(central)
    central.push()

    async def ready(pilot):
        await _ready(pilot, "UnitHome")

    assert snap_compare(make_app(seat, "unit1"), terminal_size=(80, 24), run_before=ready)


def test_supervision_board_snapshot(seat, central, snap_compare) -> None:
    board_world(central)
    central.push()

    async def ready(pilot):
        await _ready(pilot, "SupervisionHome")

    assert snap_compare(make_app(seat, "super1"), terminal_size=(80, 24), run_before=ready)


def test_supervision_board_snapshot_english(seat, central, snap_compare, english) -> None:
    board_world(central)
    central.push()

    async def ready(pilot):
        await _ready(pilot, "SupervisionHome")

    assert snap_compare(make_app(seat, "super1"), terminal_size=(80, 24), run_before=ready)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_callback_home_snapshot(seat, central, snap_compare, lang) -> None:
    replied(central, NOW - days(2))
    central.push()
    set_language(lang)

    async def ready(pilot):
        await _ready(pilot, "CallbackHome")

    try:
        assert snap_compare(make_app(seat, "cb1"), terminal_size=(80, 24), run_before=ready)
    finally:
        set_language("zh")


def test_callback_dialog_snapshot(seat, central, snap_compare) -> None:
    replied(central, NOW - days(2))
    central.push()

    async def ready(pilot):
        await _ready(pilot, "CallbackHome")
        await pilot.press("enter")
        await until_dialog(pilot, "CallbackRecord")
        await pilot.press("1")
        await pilot.pause(0.1)

    assert snap_compare(make_app(seat, "cb1"), terminal_size=(80, 24), run_before=ready)
