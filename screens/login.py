"""Seat and user login (登录): online when the server answers, else against the local cache."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, Static

from screens.bindings import HotlineScreen, hotline_app
from screens.i18n_strings import t
from screens.safe_text import safe
from screens.widgets.sync_footer import SyncFooter
from workstation.errors import UserFacingError
from workstation.seat_api import SeatInfo


class LoginScreen(HotlineScreen):
    """User name and password for this seat; the seat itself was enrolled beforehand."""

    def __init__(self, login_as: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.login_as = login_as

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Label(t("app.title"), id="login-title")
            yield Static(id="login-seat")
            yield Label(t("login.user"), classes="field-label")
            yield Input(id="login-user", compact=True)
            yield Label(t("login.password"), classes="field-label")
            yield Input(id="login-password", password=True, compact=True)
            yield Static(id="login-error", classes="field-error")
            yield Button(t("login.submit"), id="login-submit", variant="primary", compact=True)
        yield SyncFooter()

    def on_mount(self) -> None:
        self.query_one("#login-user", Input).focus()
        self._load_seat()
        if self.login_as is not None:
            user, password = self.login_as
            self.query_one("#login-user", Input).value = user
            self.query_one("#login-password", Input).value = password
            self._login(user, password)

    @work(thread=True, exclusive=True, group="seat", exit_on_error=False)
    def _load_seat(self) -> None:
        seat = self.services.seat()
        self.app.call_from_thread(self._show_seat, seat)

    def _show_seat(self, seat: SeatInfo | None) -> None:
        target = self.query_one("#login-seat", Static)
        if seat is None:
            target.update(Text(t("login.no_seat")))
            target.add_class("field-error")
            return
        target.update(safe(f"{t('login.seat')} {seat.seat} · {seat.server_url}", multiline=False))

    @on(Input.Submitted, "#login-user")
    def _next(self) -> None:
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    @on(Button.Pressed, "#login-submit")
    def _submit(self) -> None:
        user = self.query_one("#login-user", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        if not user or not password:
            self._show_error(t("login.required"))
            return
        self._show_error(t("login.busy"))
        self._login(user, password)

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def _login(self, user: str, password: str) -> None:
        try:
            session = self.services.login(user, password)
        except UserFacingError as exc:
            self.app.call_from_thread(self._show_error, exc.message())
            return
        self.app.call_from_thread(hotline_app(self.app).show_home, session)

    def _show_error(self, message: str) -> None:
        self.query_one("#login-error", Static).update(Text(message))
