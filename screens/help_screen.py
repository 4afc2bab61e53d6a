"""F1: what a call looks like and every key of the screen underneath, in the user's language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from screens.actions import HotlineModal, label
from screens.i18n_strings import t


class HelpScreen(HotlineModal[None]):
    BINDINGS = [
        Binding("escape,f1", "dismiss", "key.close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(Text(t("help.title"), style="bold"), classes="dialog-title")
            yield Static(Text(t("help.intro")))
            yield Static(id="help-keys")

    def on_mount(self) -> None:
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        seen: set[str] = set()
        for active in below.active_bindings.values():
            action = active.binding.action
            if action in seen or not active.binding.description:
                continue
            seen.add(action)
            table.add_row(
                self.app.get_key_display(active.binding), label(active.binding.description)
            )
        table.add_row("Ctrl+P", "命令面板" if t("key.help") == "帮助" else "Command palette")
        self.query_one("#help-keys", Static).update(table)
