"""Home screen for roles whose own screen is not built yet: who is logged in, sync, log out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from screens.bindings import HotlineScreen
from screens.header_bar import HeaderBar, role_label, who_text
from screens.i18n_strings import t
from screens.widgets.sync_footer import SyncFooter


class PlaceholderHome(HotlineScreen):
    BINDINGS = [Binding("ctrl+l", "app.logout", "key.logout", id="logout")]

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        with Vertical(id="placeholder"):
            yield Static(id="placeholder-who")
            yield Static(id="placeholder-text")
        yield SyncFooter()

    def on_mount(self) -> None:
        services = self.services
        session = services.session
        seat = services.seat()
        self.query_one(HeaderBar).show(session, seat)
        self.query_one("#placeholder-who", Static).update(who_text(session, seat))
        self.query_one("#placeholder-text", Static).update(
            Text(t("home.placeholder", role=role_label(session.role if session else "")))
        )
