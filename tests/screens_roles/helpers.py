"""Pilot helpers for the role homes: start logged in, wait (polling with a limit)."""

from __future__ import annotations

from typing import Any

from screens.app import HotlineApp
from tests.screens.helpers import wait_for
from tests.screens_roles.world import PASSWORD

__all__ = ["make_app", "until_dialog", "until_home", "wait_for"]


def make_app(services: Any, user: str) -> HotlineApp:
    return HotlineApp(services, login_as=(user, PASSWORD), run_sync=False, listen_calls=False)


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
