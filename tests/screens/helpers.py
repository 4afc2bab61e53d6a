"""Pilot helpers: start the app logged in, wait for a condition (polling, with a limit)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from screens.app import HotlineApp
from tests.screens.seat import login_args


def make_app(services: Any, user: str = "agent1", **kwargs: Any) -> HotlineApp:
    kwargs.setdefault("run_sync", False)
    kwargs.setdefault("listen_calls", False)
    return HotlineApp(services, login_as=login_args(user), **kwargs)


async def wait_for(pilot: Any, condition: Callable[[], Any], limit: float = 10.0) -> Any:
    """Let the app run until ``condition()`` is truthy; fail after ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await pilot.pause(0.02)
    raise AssertionError(f"condition not met within {limit}s: {condition}")


async def until_home(pilot: Any, name: str = "IntakeScreen") -> Any:
    app = pilot.app
    try:
        await wait_for(pilot, lambda: type(app.screen).__name__ == name)
    except AssertionError:
        notes = [n.message for n in app._notifications]
        raise AssertionError(f"still on {app.screen!r}; notifications: {notes}") from None
    if name == "IntakeScreen":
        await wait_for(pilot, lambda: app.screen._draft_ready)
        await wait_for(pilot, lambda: app.screen._units)
        await wait_for(pilot, lambda: app.screen.warmed_up, limit=30)
    await pilot.pause()
    return app.screen


async def type_text(pilot: Any, text: str) -> None:
    """Type like a person (keys for ASCII; an input method's commit for Chinese)."""
    if text.isascii():
        await pilot.press(*text)
    else:
        from textual.widgets import Input, TextArea

        focused = pilot.app.focused
        if isinstance(focused, TextArea):
            focused.insert(text)
        elif isinstance(focused, Input):
            focused.insert_text_at_cursor(text)
        else:
            raise AssertionError(f"cannot type into {focused!r}")
    await pilot.pause()


async def fill_content(pilot: Any, text: str) -> None:
    await pilot.press("f2")
    await type_text(pilot, text)
