"""Bindings shown in the user's language, and a palette provider with every action.

Bindings are declared with an ``id`` (for ``App.set_keymap``) and a description that is a
key of :mod:`screens.i18n_strings`; :class:`LocalizedBindings` translates them when the
footer, the help screen or the palette asks, so the language can be chosen at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from screens.i18n_strings import STRINGS, t

if TYPE_CHECKING:
    from textual.app import App
    from textual.binding import ActiveBinding

    from screens.app import HotlineApp
    from workstation.seat_api import SeatServicesProtocol

ResultT = TypeVar("ResultT")


TEXTUAL_LABELS = {
    "palette": "key.palette",  # Textual's own command-palette binding
    "Dismiss menu": "key.dismiss_menu",  # an open Select's list
}
"""Textual's own bindings that reach a person, as keys of our string tables."""


def _table(name: str) -> tuple[str, str] | None:
    from screens.role_strings import ROLE_STRINGS

    return STRINGS.get(name) or ROLE_STRINGS.get(name)


def _text(name: str) -> str | None:
    from workstation.i18n import language

    pair = _table(name)
    if pair is None:
        return None
    return pair[0] if language() == "zh" else pair[1]


def label(description: str) -> str:
    """Translate a binding description when it is a string key; leave other text alone."""
    name = TEXTUAL_LABELS.get(description, description)
    return _text(name) or description


def short_label(description: str) -> str:
    """The key bar's label: ``<key>.short`` where the table has one, else :func:`label`."""
    name = TEXTUAL_LABELS.get(description, description)
    return _text(f"{name}.short") or label(description)


def long_label(description: str) -> str:
    """The help's and palette's label: ``<key>.long`` where the table has one."""
    name = TEXTUAL_LABELS.get(description, description)
    return _text(f"{name}.long") or label(description)


@dataclass(frozen=True)
class KeyAction:
    """One action a person can reach on a screen: its key, labels and where it runs."""

    key: str
    display: str
    short: str
    long: str
    action: str
    node: Any
    shown: bool
    enabled: bool


def _key_order(key: str) -> tuple[int, int, str]:
    if key[:1] == "f" and key[1:].isdigit():
        return (0, int(key[1:]), key)
    return (1, 0, key)


def key_actions(screen: Screen[Any]) -> list[KeyAction]:
    """Every action of ``screen`` (its focused widget, the screen and the app) that is ours:
    bound with an ``id`` (or one of Textual's own that a person needs, translated), one per
    action and node, function keys first. The key bar, the help and the palette all read
    this list, so they agree."""
    raw: dict[str, ActiveBinding] = Screen.active_bindings.fget(screen)  # type: ignore[attr-defined]
    found: list[KeyAction] = []
    seen: set[tuple[str, int]] = set()
    for key, active in raw.items():
        binding = active.binding
        if binding.id is None and binding.description not in TEXTUAL_LABELS:
            continue  # a widget's own editing keys (Input, TextArea, DataTable…)
        if not binding.description:
            continue
        mark = (binding.action, id(active.node))
        if mark in seen:
            continue
        seen.add(mark)
        found.append(
            KeyAction(
                key=key,
                display=screen.app.get_key_display(binding),
                short=short_label(binding.description),
                long=long_label(binding.description),
                action=binding.action,
                node=active.node,
                shown=binding.show or binding.description in TEXTUAL_LABELS,
                enabled=active.enabled,
            )
        )
    found.sort(key=lambda a: _key_order(a.key))
    return found


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


def hotline_app(app: App[Any]) -> HotlineApp:
    """The running app as the :class:`~screens.app.HotlineApp` the screens live in."""
    from screens.app import HotlineApp

    if not isinstance(app, HotlineApp):
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
