"""The actions of a screen in the user's language: one list for the key bar, F1 and Ctrl+P.

Bindings are declared with an ``id`` (for ``App.set_keymap``) and a description that is a
key of :mod:`screens.i18n_strings`; :func:`key_actions` lists what a screen offers, with
short labels for the key bar and long ones for the help and the palette.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from screens.i18n_strings import STRINGS

if TYPE_CHECKING:
    from textual.binding import ActiveBinding


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
