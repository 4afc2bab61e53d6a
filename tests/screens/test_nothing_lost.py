"""Issue 14, "nothing typed is lost": typing during start-up is never overwritten by a late
login, the draft offer or the start-up workers; Ctrl+G right after typing waits for the
suggestion; Ctrl+Q with a call in progress asks first."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from screens.intake import IntakeScreen
from screens.widgets.caller_panel import CallerPanel
from screens.widgets.order_form import OrderForm
from tests.screens.helpers import make_app, type_text, wait_for
from tests.screens.seat import FrozenServices, make_seat

PHONE = "13911112222"
CONTENT = "小区门口的路灯坏了一个月，晚上很黑"


def intake_of(screen: object) -> IntakeScreen:
    assert isinstance(screen, IntakeScreen)
    return screen


class SlowStartServices(FrozenServices):
    """The real seat, with start-up slow the way a busy server makes it: each login and
    the units' read wait until the test lets them go."""

    gate_login = threading.Semaphore(0)  # one release lets one login through
    gate_units = threading.Event()
    logins_done = 0

    def login(self, user: str, password: str) -> Any:
        self.gate_login.acquire(timeout=30)
        try:
            return super().login(user, password)
        finally:
            type(self).logins_done += 1

    def units(self) -> Any:
        self.gate_units.wait(30)
        return super().units()


def _seat(tmp_path: Path) -> SlowStartServices:
    make_seat(tmp_path / "seat").close()
    SlowStartServices.gate_login = threading.Semaphore(0)
    SlowStartServices.gate_units = threading.Event()
    SlowStartServices.logins_done = 0
    return SlowStartServices.open(tmp_path / "seat")


async def test_typing_during_startup_survives_a_late_second_login(tmp_path: Path) -> None:
    services = _seat(tmp_path)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        # The auto-login is slow; the agent presses Enter twice on the login screen: a
        # second login is under way too (the app ignores a login that ends after the home
        # screen is up).
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen")
        await pilot.press("enter", "enter")
        services.gate_login.release()  # the first login ends
        await wait_for(pilot, lambda: type(app.screen).__name__ == "IntakeScreen")
        screen = intake_of(app.screen)
        assert not screen._units  # the start-up worker has not finished
        await type_text(pilot, PHONE)
        await pilot.press("f2")
        await type_text(pilot, CONTENT)
        services.gate_login.release()  # the second one ends after the form is live
        services.gate_units.set()
        await wait_for(pilot, lambda: SlowStartServices.logins_done >= 2)
        await wait_for(pilot, lambda: screen._units and screen.warmed_up, limit=30)
        await wait_for(pilot, lambda: screen.draft_saved)
        await pilot.pause(0.2)
        assert app.screen is screen
        assert screen.query_one(CallerPanel).values()["caller_phone"] == PHONE
        assert screen.query_one(OrderForm).values()["content"] == CONTENT
        assert (services.load_draft("intake") or {}).get("content") == CONTENT
    services.close()


async def test_draft_offer_comes_before_the_form_takes_a_key(tmp_path: Path) -> None:
    """A draft holding only a phone is offered at once, not seconds later over new typing;
    discarding it leaves the form to what is typed next."""
    services = _seat(tmp_path)
    services.save_draft("intake", {"caller_phone": "13000000000"})
    services.gate_login.release(2)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DraftOffer")
        screen = intake_of(app.screen_stack[-2])
        assert not screen._units  # offered before any start-up worker ends
        await pilot.press("escape")
        assert app.screen is screen
        await type_text(pilot, PHONE)
        await pilot.press("f2")
        await type_text(pilot, CONTENT)
        services.gate_units.set()
        await wait_for(pilot, lambda: screen._units and screen.warmed_up, limit=30)
        await wait_for(pilot, lambda: screen.draft_saved)
        await pilot.pause(0.2)
        assert app.screen is screen
        assert screen.query_one(CallerPanel).values()["caller_phone"] == PHONE
        assert screen.query_one(OrderForm).values()["content"] == CONTENT
    services.close()


async def test_ctrl_g_right_after_typing_waits_for_the_suggestion(tmp_path: Path) -> None:
    services = _seat(tmp_path)
    services.gate_login.release(2)
    services.gate_units.set()
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "IntakeScreen")
        screen = intake_of(app.screen)
        await wait_for(pilot, lambda: screen.warmed_up, limit=30)
        await pilot.press("f2")
        await type_text(pilot, CONTENT)
        await pilot.press("ctrl+g")  # before the suggestion for this text has come
        form = screen.query_one(OrderForm)
        await wait_for(pilot, lambda: form.values()["type"])
        suggestion = screen._suggestion
        assert suggestion is not None and form.values()["type"] == suggestion.type.value
        if suggestion.units:
            assert form.unit == suggestion.units[0].code
    services.close()


async def test_ctrl_q_with_a_call_in_progress_asks_first(tmp_path: Path) -> None:
    services = _seat(tmp_path)
    services.gate_login.release(2)
    services.gate_units.set()
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "IntakeScreen")
        screen = app.screen
        await pilot.press("f2")
        await type_text(pilot, CONTENT)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmQuit")
        assert "退出" in str(app.screen.query_one("#quit-question").render())
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.query_one(OrderForm).values()["content"] == CONTENT
        await pilot.press("ctrl+q", "ctrl+q")  # twice: quit
        await wait_for(pilot, lambda: not app.is_running)
    assert (services.load_draft("intake") or {}).get("content") == CONTENT
    services.close()


async def test_startup_says_connecting_until_the_first_answer(tmp_path: Path) -> None:
    """Issue 14: not ``○ 离线`` for seconds while the first login is still under way."""
    services = _seat(tmp_path)
    services.gate_units.set()
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen")
        state = app.screen.query_one("#sync-state")
        await wait_for(pilot, lambda: app.sync_status is not None)
        assert "连接中" in str(state.render()) and "离线" not in str(state.render())
        services.gate_login.release(2)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "IntakeScreen")
        state = app.screen.query_one("#sync-state")
        await wait_for(pilot, lambda: str(state.render()) and "连接中" not in str(state.render()))
        assert "离线" in str(state.render()) or "在线" in str(state.render())
    services.close()
