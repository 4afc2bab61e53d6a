"""Bindings shown in the user's language, and a palette provider with every action.

Bindings are declared with an ``id`` (for ``App.set_keymap``) and a description that is a
key of :mod:`screens.i18n_strings`; :class:`LocalizedBindings` translates them when the
footer, the help screen or the palette asks, so the language can be chosen at run time.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from screens.host import HostApp
from screens.i18n_strings import t
from screens.key_actions import KeyAction, key_actions, label

if TYPE_CHECKING:
    from textual.app import App
    from textual.binding import ActiveBinding

    from workstation.seat_api import SeatServicesProtocol

ResultT = TypeVar("ResultT")


def show_text(widget: Static, content: Text | str | None) -> None:
    """Update a one-purpose Static and hide it while empty (no blank lines at 80x24)."""
    empty = content is None or not str(content)
    if getattr(widget, "_shown", None) != (content if content is None else str(content)):
        widget._shown = None if content is None else str(content)  # type: ignore[attr-defined]
        widget.update("" if content is None else content)  # update() re-lays out the screen
    widget.display = not empty


class LocalizedBindings:
    """Mixin for screens: ``active_bindings`` with translated descriptions."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        found = super().active_bindings  # type: ignore[misc]
        return {
            key: active._replace(
                binding=replace(active.binding, description=label(active.binding.description))
            )
            for key, active in found.items()
        }


def hotline_app(app: App[Any]) -> HostApp:
    """The running app as the :class:`~screens.host.HostApp` the screens live in."""
    if not isinstance(app, HostApp):
        raise TypeError(f"the hotline screens run inside HotlineApp, not {type(app).__name__}")
    return app


class WorkerErrors:
    """Mixin: a failed worker of this screen is reported by the app (one handler)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            hotline_app(self.app).report_worker_error(event.worker.error)  # type: ignore[attr-defined]


class HotlineScreen(WorkerErrors, LocalizedBindings, Screen[None]):
    """Base of the full screens: translated bindings, the actions palette, worker errors."""

    HELP_ROLE: ClassVar[str | None] = None  # whose help F1 shows; None: the session's role

    @property
    def services(self) -> SeatServicesProtocol:
        """The seat's services, as the app was built with them."""
        return hotline_app(self.app).services


class HotlineModal(WorkerErrors, LocalizedBindings, ModalScreen[ResultT]):
    """Base of the dialogs: each has its own key bar along the bottom of the terminal."""

    def on_mount(self) -> None:
        from screens.widgets.key_bar import KeyBar

        if not self.query(KeyBar):
            self.mount(KeyBar(classes="modal-keys"))

    @property
    def services(self) -> SeatServicesProtocol:
        return hotline_app(self.app).services


class ActionsProvider(Provider):
    """Every action of the active screen (and the app) as a palette command, in the UI
    language: the same list the key bar and the help show."""

    def _actions(self) -> list[KeyAction]:
        return [a for a in key_actions(self.screen) if a.enabled and a.action != "command_palette"]

    async def discover(self) -> Hits:
        for action in self._actions():
            yield DiscoveryHit(action.long, partial(self._run, action), help=action.display)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in self._actions():
            words = f"{action.long} {action.short}"
            score = matcher.match(words)
            if score > 0:
                shown = action.long if matcher.match(action.long) > 0 else words
                yield Hit(
                    score,
                    matcher.highlight(shown),
                    partial(self._run, action),
                    help=action.display,
                )

    async def _run(self, action: KeyAction) -> None:
        await self.app.run_action(action.action, action.node)


class FindProvider(Provider):
    """Typing an order number, a phone or words in the palette offers to find them."""

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if len(query) < 2:
            return
        text = t("find.palette", query=query)
        yield Hit(0.5, text, partial(self._find, query), text=text, help="Ctrl+F")

    async def _find(self, query: str) -> None:
        hotline_app(self.app).open_find(query)
