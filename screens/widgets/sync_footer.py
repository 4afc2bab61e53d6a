"""The bottom bar: the function-key bar on the left (as many lines as its keys need, never
cut), the sync state always visible on the right."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from screens.bindings import hotline_app
from screens.i18n_strings import t
from screens.widgets.key_bar import KeyBar
from workstation.seat_api import SyncStatus


def describe_status(status: SyncStatus | None) -> Text:
    """One line for the footer: online/offline, pending commands, problems."""
    if status is None:
        return Text(t("status.connecting"))
    online, pending, problems = status.online, status.pending, status.problems
    text = Text()
    if status.connecting:
        text.append(t("status.connecting"))
    else:
        text.append(t("sync.online") if online else t("sync.offline"), "bold" if online else "")
    text.append("  ")
    text.append(t("sync.pending", n=pending) if pending else t("sync.synced"))
    if problems:
        text.append("  ")
        text.append(t("sync.problems", n=problems), "bold reverse")
    if status.needs_login:
        text.append("  ")
        text.append(t("sync.relogin"), "bold reverse")
    return text


class SyncFooter(Horizontal):
    """Key bar plus sync state; follows ``app.sync_status`` (a reactive on the app)."""

    DEFAULT_CSS = """
    SyncFooter { dock: bottom; height: auto; background: $footer-background; }
    SyncFooter > KeyBar { width: 1fr; }
    SyncFooter > #sync-state { width: auto; padding: 0 1; color: $text; }
    SyncFooter > #sync-state.-offline { background: $warning-muted; }
    SyncFooter > #sync-state.-problems { background: $error-muted; }
    """

    def compose(self) -> ComposeResult:
        yield KeyBar()
        yield Static(id="sync-state")

    def __init__(self) -> None:
        super().__init__()
        self._shown: Text | None = None

    def on_mount(self) -> None:
        self.watch(hotline_app(self.app), "sync_status", self._show, init=True)

    def _show(self, status: SyncStatus | None) -> None:
        state = self.query_one("#sync-state", Static)
        text = describe_status(status)
        if text != self._shown:  # update() re-lays out the whole screen
            self._shown = text
            state.update(text)
        offline = status is not None and not status.online and not status.connecting
        state.set_class(offline, "-offline")
        state.set_class(status is not None and status.problems > 0, "-problems")
