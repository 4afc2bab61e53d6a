"""Login routing, incoming calls, keymap, palette, language."""

from __future__ import annotations

import asyncio
from pathlib import Path

from screens.call_events import parse_event, send_call_event
from screens.widgets.caller_panel import CallerPanel
from tests.screens.helpers import make_app, until_home, wait_for
from workstation.errors import ValidationError
from workstation.i18n import set_language


async def test_other_roles_get_the_placeholder_home_and_can_log_out(services) -> None:
    app = make_app(services, user="admin1")  # a role without its own home screen
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "PlaceholderHome")
        assert "孙管理" in str(screen.query_one("#placeholder-who").render())
        assert screen.query_one("#sync-state")  # the sync footer is there
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen")
        assert services.session is None


async def test_wrong_password_is_shown_on_the_login_screen(services) -> None:
    app = make_app(services)
    app.login_as = ("agent1", "wrong")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "错误" in str(app.screen.query_one("#login-error").render()))


async def test_incoming_call_event_on_the_socket_pops_the_caller(services) -> None:
    app = make_app(services, listen_calls=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await asyncio.to_thread(send_call_event, services.data_dir, "13566667777", "[b]张[/b]")
        panel = screen.query_one(CallerPanel)
        await wait_for(pilot, lambda: panel.values()["caller_phone"] == "13566667777")
        assert panel.values()["caller_name"] == "[b]张[/b]"  # literal, not markup


def test_call_event_lines_are_validated() -> None:
    call = parse_event('{"event": "incoming_call", "phone": "138\\u001b[31m0013 8000"}')
    assert call.phone == "1380013 8000"
    for bad in ("nope", '{"event": "hangup", "phone": "1"}', '{"event": "incoming_call"}'):
        try:
            parse_event(bad)
        except ValidationError:
            continue
        raise AssertionError(bad)


async def test_site_keymap_rebinds_submit(services) -> None:
    Path(services.data_dir, "keymap.toml").write_text('[keys]\nsubmit = "f12"\n', "utf-8")
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.press("f12")  # empty form: the submit action shows the content error
        await wait_for(pilot, lambda: screen.query_one("#err-content").display)


async def test_palette_lists_every_intake_action(services) -> None:
    from screens.bindings import ActionsProvider

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        provider = ActionsProvider(screen)
        actions = {action.action for action in provider._actions()}
        for action in ("submit", "reject", "answer", "pick_unit", "link", "take_call", "help"):
            assert any(a.endswith(action) for a in actions), action


async def test_english_interface(services) -> None:
    set_language("en")
    try:
        app = make_app(services)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await until_home(pilot)
            await pilot.press("f10")
            await wait_for(
                pilot, lambda: "Enter what" in str(screen.query_one("#err-content").render())
            )
            keys = {a.binding.description for a in screen.active_bindings.values()}
            assert "Dispatch" in keys and "Help" in keys
    finally:
        set_language("zh")
