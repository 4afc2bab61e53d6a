"""Every action visible and reachable, as a person meets it (issue 14).

- The key bar of every screen of every role, at 80x24 and 120x40, in Chinese and English:
  every key it should show appears whole on the screen (read from what the terminal shows).
- The palette and F1 list the same actions in the user's language (F10 included), and
  Textual's own English entries are gone.
- A unit is chosen with the fuzzy picker everywhere (reassign, co-handler); the reason is
  required, refused next to its field when empty, and kept on the order's event trail.
- Ctrl+F (or the palette) finds an order by number, phone or words for every role.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandInput
from textual.widgets import Button

from screens.action_dialog import ActionDialog
from screens.key_actions import key_actions
from screens.widgets.key_bar import KeyBar, wrap_items
from tests.screens_roles.helpers import make_app, type_into, until_dialog, until_home, wait_for
from tests.screens_roles.test_supervision_home import _select, board_world
from tests.screens_roles.world import NOW, U1, days
from workstation.i18n import set_language

SIZES = [(80, 24), (120, 40)]
LANGS = ["zh", "en"]

# the keys each role must see on its home screen, whatever the bindings say
MUST_SHOW = {
    "IntakeScreen": {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "^F"},
    "UnitHome": {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "^F"},
    "SupervisionHome": {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F12", "^F"},
    "CallbackHome": {"F1", "F2", "F4", "F5", "F8", "^F"},
}


@pytest.fixture
def lang(request):
    set_language(request.param)
    yield request.param
    set_language("zh")


def rendered(renderable: Any) -> str:
    from rich.console import Console

    console = Console(width=160, record=True, file=None, color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def screen_lines(app: Any) -> list[str]:
    """What the terminal shows for the current screen, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def assert_keys_whole(app: Any, must: set[str] | None = None) -> None:
    """Every key the current screen's bar shows appears whole ("F6 办结") on one row of
    the bar's rows, inside the terminal; ``must``: keys that have to be among them."""
    screen = app.screen
    bar = screen.query_one(KeyBar)
    width, height = app.size
    region = bar.region
    assert region.bottom <= height and region.right <= width, (region, app.size)
    rows = screen_lines(app)[region.y : region.bottom]
    shown = [a for a in key_actions(screen) if a.shown]
    assert shown, f"{type(screen).__name__} shows no keys"
    for action in shown:
        item = f"{action.display} {action.short}"
        assert any(item in row for row in rows), (type(screen).__name__, item, rows)
    if must:
        missing = must - {a.display for a in shown}
        assert not missing, (type(screen).__name__, missing, rows)


def test_wrap_never_splits_a_key() -> None:
    items = [("F1", "帮助"), ("F2", "签收"), ("F10", "Dispatch"), ("^F", "查找")]
    assert wrap_items(items, 15) == [
        [("F1", "帮助"), ("F2", "签收")],
        [("F10", "Dispatch")],
        [("^F", "查找")],
    ]
    assert wrap_items(items, 200) == [items]
    assert wrap_items([("F10", "a very long label")], 5) == [[("F10", "a very long label")]]


async def _check_dialog(pilot: Any, key: str, name: str) -> None:
    home = pilot.app.screen
    await pilot.press(key)
    await until_dialog(pilot, name)
    assert_keys_whole(pilot.app)
    await pilot.press("escape")
    await wait_for(pilot, lambda: pilot.app.screen is home)


@pytest.mark.parametrize("lang", LANGS, indirect=True)
@pytest.mark.parametrize("size", SIZES)
async def test_unit_keys_whole(seat, central, size, lang) -> None:
    order = central.dispatch(NOW - days(1))
    central.do(order, "sign", U1, NOW - days(0.9))
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=size) as pilot:
        await until_home(pilot, "UnitHome")
        assert_keys_whole(app, MUST_SHOW["UnitHome"])
        await _check_dialog(pilot, "f6", "ActionDialog")  # reply
        await _check_dialog(pilot, "f7", "ActionDialog")  # KB proposal
        await _check_dialog(pilot, "f1", "HelpScreen")
        await _check_dialog(pilot, "ctrl+f", "FindDialog")
        for _ in range(2):  # notices, KB proposals
            await pilot.press("f8")
            await pilot.pause()
            assert_keys_whole(app, MUST_SHOW["UnitHome"])


@pytest.mark.parametrize("lang", LANGS, indirect=True)
@pytest.mark.parametrize("size", SIZES)
async def test_supervisor_keys_whole(seat, central, size, lang) -> None:
    ids = board_world(central)
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=size) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        assert_keys_whole(app, MUST_SHOW["SupervisionHome"])
        _select(screen.board, f"returned:{ids['returned']}")
        await _check_dialog(pilot, "f3", "ActionDialog")  # reassign
        await _check_dialog(pilot, "f12", "ActionDialog")  # co-handler
        await _check_dialog(pilot, "f1", "HelpScreen")
        await _check_dialog(pilot, "ctrl+f", "FindDialog")
        for _ in range(4):  # callbacks, notices, assessment, KB
            await pilot.press("f8")
            await pilot.pause()
            assert_keys_whole(app, MUST_SHOW["SupervisionHome"])


@pytest.mark.parametrize("lang", LANGS, indirect=True)
@pytest.mark.parametrize("size", SIZES)
async def test_callback_keys_whole(seat, central, size, lang) -> None:
    from tests.screens_roles.test_callback_home import replied

    replied(central, NOW - days(2))
    central.push()
    app = make_app(seat, "cb1")
    async with app.run_test(size=size) as pilot:
        await until_home(pilot, "CallbackHome")
        assert_keys_whole(app, MUST_SHOW["CallbackHome"])
        await _check_dialog(pilot, "f2", "CallbackRecord")
        await _check_dialog(pilot, "f1", "HelpScreen")
        await pilot.press("f8")
        await pilot.pause()
        assert_keys_whole(app, MUST_SHOW["CallbackHome"])


@pytest.mark.parametrize("lang", LANGS, indirect=True)
@pytest.mark.parametrize("size", SIZES)
async def test_agent_keys_whole(tmp_path, size, lang) -> None:
    from tests.screens.helpers import make_app as agent_app
    from tests.screens.helpers import until_home as agent_home
    from tests.screens.seat import make_seat

    services = make_seat(tmp_path / "agent-seat")
    try:
        app = agent_app(services)
        async with app.run_test(size=size) as pilot:
            await agent_home(pilot)
            assert_keys_whole(app, MUST_SHOW["IntakeScreen"])
            await pilot.press("f2")  # the request text (a TextArea has keys of its own)
            await pilot.pause()
            assert_keys_whole(app, MUST_SHOW["IntakeScreen"])
            await _check_dialog(pilot, "f11", "WebRequestsScreen")
            await _check_dialog(pilot, "f8", "UnitPicker")
            await _check_dialog(pilot, "f7", "RejectDialog")
            await _check_dialog(pilot, "f1", "HelpScreen")
            await _check_dialog(pilot, "ctrl+f", "FindDialog")
    finally:
        services.close()


# -- the palette and the help ----------------------------------------------------------------


async def _palette_prompts(pilot: Any, query: str) -> list[str]:
    from textual.command import CommandList

    palette = pilot.app.screen
    palette.query_one("CommandInput").value = query
    await pilot.pause(0.3)
    options = palette.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@pytest.mark.parametrize("lang", LANGS, indirect=True)
async def test_palette_and_help_list_the_same_actions(tmp_path, lang) -> None:
    from tests.screens.helpers import make_app as agent_app
    from tests.screens.helpers import until_home as agent_home
    from tests.screens.seat import make_seat

    services = make_seat(tmp_path / "agent-seat")
    try:
        app = agent_app(services)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await agent_home(pilot)
            await pilot.press("f2")  # in the request text, where Input/TextArea keys abound
            await pilot.pause()
            actions = key_actions(screen)
            assert any(a.display == "F10" for a in actions)
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
            placeholder = str(app.screen.query_one(CommandInput).placeholder)
            assert placeholder.startswith("输入操作" if lang == "zh" else "Type an action")
            for word in ("派单", "提交") if lang == "zh" else ("Dispatch", "Submit"):
                prompts = await _palette_prompts(pilot, word)
                assert any("F10" in p or word in p for p in prompts), (word, prompts)
            everything = await _palette_prompts(pilot, "e")
            for textual_own in ("Scroll Up", "Move cursor left", "Theme", "Screenshot", "Keys"):
                assert not any(p.startswith(textual_own) for p in everything), everything
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
            await pilot.press("f1")
            help_screen = await until_dialog(pilot, "HelpScreen")
            keys = rendered(help_screen.keys_table)
            for action in actions:
                assert action.display in keys and action.long in keys, action
            assert ("提交派单" if lang == "zh" else "dispatch the order") in keys
            assert "Scroll Up" not in keys and "Submit\n" not in keys
    finally:
        services.close()


async def test_palette_enter_runs_dispatch(tmp_path) -> None:
    """派单 in the palette, Enter: the form is checked as F10 would (the content is missing)."""
    from tests.screens.helpers import make_app as agent_app
    from tests.screens.helpers import until_home as agent_home
    from tests.screens.seat import make_seat

    services = make_seat(tmp_path / "agent-seat")
    try:
        app = agent_app(services)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await agent_home(pilot)
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
            prompts = await _palette_prompts(pilot, "派单")
            assert prompts and "派单" in prompts[0]
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen)
            await wait_for(pilot, lambda: screen.query_one("#err-content").display)
    finally:
        services.close()


# -- choosing a unit, with a reason -------------------------------------------------------------


async def test_reassign_with_the_picker_and_a_required_reason(seat, central) -> None:
    ids = board_world(central)
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        _select(screen.board, f"returned:{ids['returned']}")
        await pilot.press("f3")
        dialog = await until_dialog(pilot, "ActionDialog")
        assert isinstance(dialog, ActionDialog)
        assert "Select" not in "\n".join(screen_lines(app))
        await pilot.press("enter")  # on the unit field: the picker
        picker = await until_dialog(pilot, "UnitPicker")
        assert picker.query_one("#unit-filter").placeholder.startswith("输入名称")
        await pilot.press("c", "g", "j")  # pinyin initials of 城管局
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is dialog)
        assert dialog.values()["unit"] == "U023"
        assert "启东市城市管理局" in str(dialog.query_one("#field-unit", Button).label)
        await pilot.press("ctrl+s")  # no reason: refused next to the reason field
        await wait_for(pilot, lambda: dialog.error_text("reason"))
        assert "改派理由" in dialog.error_text("reason")
        assert app.screen is dialog and dialog.values()["unit"] == "U023"  # nothing lost
        assert seat.order(ids["returned"]).unit == "U001"
        await type_into(pilot, "#field-reason", "属城管职责")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        order = seat.order(ids["returned"])
        assert order.unit == "U023"
        assert order.events[-1].kind == "reassigned" and order.events[-1].reason == "属城管职责"
        pending = seat.db.query("SELECT args FROM outbox WHERE command='reassign'")
        assert "属城管职责" in pending[-1]["args"]


async def test_add_a_co_handler_with_the_picker(seat, central) -> None:
    ids = board_world(central)
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        _select(screen.board, f"overdue:{ids['overdue']}")
        await pilot.press("f12")
        dialog = await until_dialog(pilot, "ActionDialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text("unit"))
        await pilot.press("enter")
        await until_dialog(pilot, "UnitPicker")
        await pilot.press("z", "j", "j", "enter")  # 住建局
        await wait_for(pilot, lambda: app.screen is dialog)
        await type_into(pilot, "#field-reason", "涉及违建")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        order = seat.order(ids["overdue"])
        assert order.co_units == ("U022",)
        assert order.events[-1].reason == "涉及违建"


# -- find ------------------------------------------------------------------------------------------


async def _find(pilot: Any, query: str) -> Any:
    await pilot.press("ctrl+f")
    dialog = await until_dialog(pilot, "FindDialog")
    await type_into(pilot, "#find-query", query)
    await wait_for(pilot, lambda: dialog.searched == query)
    return dialog


async def test_supervisor_finds_by_number_phone_and_words(seat, central) -> None:
    ids = board_world(central)
    central.dispatch(NOW - days(3), content="锦绣花园门口路灯不亮", caller_phone="13700001111")
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        home = await until_home(pilot, "SupervisionHome")
        dialog = await _find(pilot, ids["returned"][-4:])
        assert list(dialog.rows) == [ids["returned"]]
        await pilot.press("down")  # into the results
        await wait_for(pilot, lambda: dialog.shown_order == ids["returned"])
        shown = dialog.shown_text
        assert "不属本单位职责" in shown  # the event trail: the return and its reason
        assert ("办理记录" in shown) and ("退回" in shown) and ("派单" in shown)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)

        dialog = await _find(pilot, "13700001111")
        assert len(dialog.rows) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)

        dialog = await _find(pilot, "路灯 锦绣")
        assert len(dialog.rows) == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: "锦绣花园门口路灯不亮" in dialog.shown_text)
        await pilot.press("escape")

        dialog = await _find(pilot, "没有这种内容")
        assert dialog.rows == {}
        assert "没有找到" in str(dialog.query_one("#find-count").render())


async def test_find_from_the_palette(seat, central) -> None:
    order_id = central.dispatch(NOW - days(3), content="锦绣花园门口路灯不亮")
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_home(pilot, "SupervisionHome")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        prompts = await _palette_prompts(pilot, "路灯")
        assert any("查找工单：路灯" in p for p in prompts), prompts
        index = next(i for i, p in enumerate(prompts) if "查找工单：路灯" in p)
        await pilot.press(*(["down"] * index), "enter")
        dialog = await until_dialog(pilot, "FindDialog")
        await wait_for(pilot, lambda: dialog.searched == "路灯")
        assert list(dialog.rows) == [order_id]


async def test_unit_finds_only_its_own_orders_masked(seat, central) -> None:
    mine = central.dispatch(
        NOW - days(1), content="路灯坏了", confidential=True, caller_phone="13912345678"
    )
    central.dispatch(NOW - days(1), content="路灯坏了", unit="U002")
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_home(pilot, "UnitHome")
        dialog = await _find(pilot, "路灯")
        assert list(dialog.rows) == [mine]
        assert dialog.rows[mine].caller_phone != "13912345678"
        await pilot.press("down")
        await wait_for(pilot, lambda: dialog.shown_order == mine)
        assert "13912345678" not in dialog.shown_text
        await pilot.press("escape")
        dialog = await _find(pilot, "13912345678")  # a confidential caller is not found by phone
        assert dialog.rows == {}


async def test_an_open_list_says_esc_in_the_users_language(tmp_path) -> None:
    """An open Select's own key (Textual's ``esc Dismiss menu``) is shown translated."""
    from tests.screens.helpers import make_app as agent_app
    from tests.screens.helpers import until_home as agent_home
    from tests.screens.seat import make_seat

    services = make_seat(tmp_path / "agent-seat")
    try:
        app = agent_app(services)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await agent_home(pilot)
            screen.query_one("#form-type").focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.query_one("#form-type").expanded)
            await pilot.pause()
            rows = "\n".join(screen_lines(app)[-2:])
            assert "Esc 收起列表" in rows and "Dismiss menu" not in rows, rows
            assert_keys_whole(app, MUST_SHOW["IntakeScreen"])
    finally:
        services.close()
