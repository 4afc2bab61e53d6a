"""Pilot helpers for the role homes: start logged in, wait (polling with a limit)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from screens.app import HotlineApp
from tests.screens_roles.world import PASSWORD


def make_app(services: Any, user: str) -> HotlineApp:
    return HotlineApp(services, login_as=(user, PASSWORD), run_sync=False, listen_calls=False)


async def wait_for(pilot: Any, condition: Callable[[], Any], limit: float = 10.0) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await pilot.pause(0.02)
    raise AssertionError(f"condition not met within {limit}s")


async def until_home(pilot: Any, name: str) -> Any:
    app = pilot.app
    await wait_for(pilot, lambda: type(app.screen).__name__ == name)
    screen = app.screen
    await wait_for(pilot, lambda: screen.loaded > 0)
    await pilot.pause()
    return screen


async def until_dialog(pilot: Any, name: str) -> Any:
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name)
    await pilot.pause()
    return pilot.app.screen


async def type_into(pilot: Any, selector: str, text: str) -> None:
    """Type into a field like an input method commits text (works for Chinese)."""
    from textual.widgets import Input, TextArea

    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if isinstance(widget, TextArea):
        widget.insert(text)
    elif isinstance(widget, Input):
        widget.insert_text_at_cursor(text)
    await pilot.pause()
