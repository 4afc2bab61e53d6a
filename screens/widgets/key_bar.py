"""The function-key bar: every shown action of the screen, whole, wrapping onto more lines.

Call-center software shows its keys as a bar (``F1 帮助 F2 签收 …``) that never cuts a key:
the bar takes as many lines as the labels need at the terminal's width (two at 80 columns),
instead of Textual's one-line footer, which clips what does not fit. It reads the same
list as the help and the palette (:func:`screens.bindings.key_actions`), so the three agree.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from screens.key_actions import KeyAction, key_actions

SEPARATOR = " "


def wrap_items(items: list[tuple[str, str]], width: int) -> list[list[tuple[str, str]]]:
    """Lay ``(key, label)`` items out in lines of at most ``width`` cells, never splitting one
    (an item wider than the line gets a line of its own)."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for key, text in items:
        size = cell_len(key) + 1 + cell_len(text)
        need = size if not lines[-1] else used + cell_len(SEPARATOR) + size
        if lines[-1] and need > width:
            lines.append([])
            need = size
        lines[-1].append((key, text))
        used = need
    return [line for line in lines if line] or [[]]


class KeyBar(Widget):
    """The keys of this widget's screen; height follows the lines it needs."""

    COMPONENT_CLASSES = {"keybar--key", "keybar--label", "keybar--disabled"}
    DEFAULT_CSS = """
    KeyBar { height: auto; width: 1fr; background: $footer-background; color: $footer-foreground; }
    KeyBar > .keybar--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
    KeyBar > .keybar--label { color: $footer-description-foreground; }
    KeyBar > .keybar--disabled { color: $text-disabled; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Any) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh(layout=True)

    def actions(self) -> list[KeyAction]:
        """The actions the bar shows (shown bindings of the screen, in key order)."""
        return [a for a in key_actions(self.screen) if a.shown]

    def items(self) -> list[tuple[str, str, bool]]:
        return [(a.display, a.short, a.enabled) for a in self.actions()]

    def _lines(self, width: int) -> list[list[tuple[str, str]]]:
        return wrap_items([(k, t) for k, t, _ in self.items()], max(width, 1))

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        if not self.items():
            return 0  # a dialog whose keys are all hidden (its buttons say them)
        return len(self._lines(width))

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        label_style = self.get_component_rich_style("keybar--label")
        off_style = self.get_component_rich_style("keybar--disabled")
        enabled = {(k, t): on for k, t, on in self.items()}
        text = Text(no_wrap=True, overflow="crop")
        for n, line in enumerate(self._lines(self.content_size.width)):
            if n:
                text.append("\n")
            for i, (key, label) in enumerate(line):
                if i:
                    text.append(SEPARATOR)
                on = enabled.get((key, label), True)
                text.append(key, key_style if on else off_style)
                text.append(" ")
                text.append(label, label_style if on else off_style)
        return text

    @property
    def shown_lines(self) -> list[str]:
        """The bar's lines as plain text (tests read what a person sees from the screen)."""
        return self.render().plain.split("\n")
