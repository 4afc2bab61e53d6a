"""The bottom bar: F-key bindings on the left, the sync state always visible on the right."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Static

from screens.i18n_strings import t


def _count(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    try:
        return len(value)
    except TypeError:
        return 0


def describe_status(status: Any) -> Text:
    """One line for the footer: online/offline, pending commands, problems."""
    if status is None:
        return Text("…")
    online = bool(getattr(status, "online", False))
    pending = _count(getattr(status, "pending", 0))
    problems = _count(getattr(status, "problems", 0))
    text = Text()
    text.append(t("sync.online") if online else t("sync.offline"), "bold" if online else "")
    text.append("  ")
    text.append(t("sync.pending", n=pending) if pending else t("sync.synced"))
    if problems:
        text.append("  ")
        text.append(t("sync.problems", n=problems), "bold reverse")
    if getattr(status, "needs_login", False):
        text.append("  ")
        text.append(t("sync.relogin"), "bold reverse")
    return text


class SyncFooter(Horizontal):
    """Footer plus sync state; follows ``app.sync_status`` (a reactive on the app)."""

    DEFAULT_CSS = """
    SyncFooter { dock: bottom; height: 1; background: $footer-background; }
    SyncFooter > Footer { width: 1fr; dock: none; }
    SyncFooter > #sync-state { width: auto; padding: 0 1; color: $text; }
    SyncFooter > #sync-state.-offline { background: $warning-muted; }
    SyncFooter > #sync-state.-problems { background: $error-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Footer(compact=True)
        yield Static(id="sync-state")

    def on_mount(self) -> None:
        if hasattr(self.app, "sync_status"):
            self.watch(self.app, "sync_status", self._show, init=True)

    def _show(self, status: Any) -> None:
        state = self.query_one("#sync-state", Static)
        text = describe_status(status)
        if text != getattr(self, "_shown", None):  # update() re-lays out the whole screen
            self._shown = text
            state.update(text)
        offline = status is not None and not getattr(status, "online", False)
        state.set_class(offline, "-offline")
        state.set_class(_count(getattr(status, "problems", 0)) > 0, "-problems")
