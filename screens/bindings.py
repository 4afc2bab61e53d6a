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
from screens.i18n_strings import STRINGS, t

if TYPE_CHECKING:
    from textual.app import App
    from textual.binding import ActiveBinding

    from workstation.seat_api import SeatServicesProtocol

ResultT = TypeVar("ResultT")


def label(description: str) -> str:
    """Translate a binding description when it is a string key; leave other text alone."""
    if description == "palette":  # Textual's own command-palette binding
        return t("key.palette")
    return t(description) if description in STRINGS else description


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

    COMMANDS = Screen.COMMANDS | {lambda: ActionsProvider}  # noqa: E731
    HELP_ROLE: ClassVar[str | None] = None  # whose help F1 shows; None: the session's role

    @property
    def services(self) -> SeatServicesProtocol:
        """The seat's services, as the app was built with them."""
        return hotline_app(self.app).services


class HotlineModal(WorkerErrors, LocalizedBindings, ModalScreen[ResultT]):
    """Base of the dialogs."""

    @property
    def services(self) -> SeatServicesProtocol:
        return hotline_app(self.app).services


class ActionsProvider(Provider):
    """Every binding of the active screen (and the app) as a palette command."""

    def _actions(self) -> list[tuple[str, str, ActiveBinding]]:
        seen: set[str] = set()
        found = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.action in seen or not active.enabled or not binding.description:
                continue
            seen.add(binding.action)
            found.append((binding.description, key, active))
        return found

    async def discover(self) -> Hits:
        for description, key, active in self._actions():
            yield DiscoveryHit(
                description,
                partial(self._run, active),
                help=key.upper(),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, key, active in self._actions():
            text = f"{description} {active.binding.action}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    partial(self._run, active),
                    help=key.upper(),
                )

    async def _run(self, active: ActiveBinding) -> None:
        await self.app.run_action(active.binding.action, active.node)
