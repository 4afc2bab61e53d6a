"""The workstation app: login, then the home screen of the user's role.

Small on purpose: routing, global keys (help, sync), the sync loop, incoming-call events
and the one handler that turns worker errors into notifications. Screens get the seat's
services from here (``app.services``, typed by ``workstation.seat_api``) and never touch
SQL or HTTP. After each local write or sync round the current screen receives
:class:`OrdersChanged` with the order ids that changed.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from pathlib import Path

from textual import work
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from screens.call_events import IncomingCall
from screens.host import HostApp, OrdersChanged
from screens.i18n_strings import t
from workstation.errors import UserFacingError
from workstation.seat_api import (
    SeatChange,
    SeatServicesProtocol,
    Session,
    SyncLoopHandle,
)

STYLES = Path(__file__).parent / "styles"


def _actions_provider() -> type:
    from screens.bindings import ActionsProvider

    return ActionsProvider


def _find_provider() -> type:
    from screens.bindings import FindProvider

    return FindProvider


class HotlineApp(HostApp):
    """The seat's terminal app; build it with the services object of the seat."""

    CSS_PATH = [  # absolute, so subclasses defined elsewhere (benchmarks, tests) find them
        STYLES / "app.tcss",
        STYLES / "login.tcss",
        STYLES / "intake.tcss",
        STYLES / "dialogs.tcss",
        STYLES / "roles.tcss",
    ]
    ENABLE_COMMAND_PALETTE = True
    # the palette lists the actions of the current screen (the key bar's and the help's),
    # in the user's language; Textual's own English entries (Theme, Screenshot…) are not ours
    COMMANDS = {lambda: _actions_provider(), lambda: _find_provider()}  # noqa: E731
    BINDINGS = [
        Binding("f1", "help", "key.help", id="help", priority=True),
        Binding("f5", "sync_now", "key.sync", id="sync", priority=True),
        Binding("ctrl+f", "find", "key.find", id="find", priority=True),
        Binding("ctrl+p", "command_palette", "key.palette", id="palette", priority=True),
        Binding("ctrl+q", "quit", "key.quit", id="quit", show=False, priority=True),
    ]

    def __init__(
        self,
        services: SeatServicesProtocol,
        *,
        login_as: tuple[str, str] | None = None,
        keymap: dict[str, str] | None = None,
        listen_calls: bool = True,
        run_sync: bool = True,
    ) -> None:
        super().__init__()
        self.services = services
        self.login_as = login_as
        self.keymap = keymap
        self.listen_calls = listen_calls
        self.run_sync = run_sync
        self.title = t("app.title")
        self._sync_loop: SyncLoopHandle | None = None
        self._call_server: asyncio.AbstractServer | None = None
        self._status_lock = threading.Lock()

    @property
    def data_dir(self) -> Path:
        return self.services.data_dir

    async def on_mount(self) -> None:
        keymap = self.keymap
        if keymap is None:
            from screens.keymap import load_keymap

            keymap = load_keymap(self.data_dir)
        if keymap:
            self.set_keymap(keymap)
        loop = asyncio.get_running_loop()

        def heard(change: SeatChange) -> None:  # from any thread
            loop.call_soon_threadsafe(self._changed, change)

        self.services.add_listener(heard)
        for sig in (signal.SIGTERM, signal.SIGHUP):  # the terminal closed, or a shutdown
            try:
                loop.add_signal_handler(sig, self.exit_keeping_drafts)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or no such signal here
        self.refresh_sync_status()
        self.set_interval(5, self.refresh_sync_status)  # the footer's ages and online state
        if self.listen_calls:
            await self._listen_for_calls()
        from screens.login import LoginScreen

        await self.push_screen(LoginScreen(login_as=self.login_as))

    async def _listen_for_calls(self) -> None:
        from screens.call_events import serve_call_events

        try:
            self._call_server = await serve_call_events(self.data_dir, self.take_call)
        except OSError as exc:
            self.notify(f"call events: {exc}", severity="warning", markup=False)

    def take_call(self, call: IncomingCall) -> None:
        """An incoming-call event: remember it; the intake screen pops the caller panel."""
        self.incoming_call = call

    # -- quitting: nothing typed is lost ---------------------------------------------------

    def flush_drafts(self) -> None:
        """Every screen that keeps a draft writes it now, on this thread."""
        for screen in self.screen_stack:
            flush = getattr(screen, "flush_draft", None)
            if flush is not None:
                flush()

    def exit_keeping_drafts(self) -> None:
        self.flush_drafts()
        self.exit()

    async def action_quit(self) -> None:
        """Ctrl+Q: with a call in progress, ask first (``y`` or Ctrl+Q again quits)."""
        from screens.draft_offer import ConfirmQuit

        if isinstance(self.screen, ConfirmQuit):
            self.screen.dismiss(True)
            return
        if any(getattr(s, "call_in_progress", False) for s in self.screen_stack):

            def answered(quit_now: bool | None) -> None:
                if quit_now:
                    self.exit_keeping_drafts()

            self.push_screen(ConfirmQuit(), answered)
            return
        self.exit_keeping_drafts()

    async def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):  # the loop may outlive the app (tests)
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        if self._sync_loop is not None:
            self._sync_loop.stop()
        if self._call_server is not None:
            self._call_server.close()
            from screens.call_events import socket_path

            socket_path(self.data_dir).unlink(missing_ok=True)

    # -- session and routing -------------------------------------------------------------

    def show_home(self, session: Session) -> None:
        """Replace the login screen with the home screen of the session's role."""
        from screens.login import LoginScreen
        from screens.routing import home_for

        if not isinstance(self.screen, LoginScreen):
            return  # a second login finishing late must not replace a live home screen
        self.sync_status = self.services.status()  # the login answered: not "connecting"
        self.switch_screen(home_for(session.role)())
        if self.run_sync and self._sync_loop is None:
            self._start_sync()

    @work(thread=True, exclusive=True, group="logout", exit_on_error=False)
    def action_logout(self) -> None:
        self.services.logout()
        self.call_from_thread(self._after_logout)

    def _after_logout(self) -> None:
        from screens.login import LoginScreen

        self.switch_screen(LoginScreen())

    # -- sync ------------------------------------------------------------------------------

    def _start_sync(self) -> None:
        self._sync_loop = self.services.sync_loop()
        self.run_worker(
            self._sync_loop.run(), group="sync-loop", exclusive=True, exit_on_error=False
        )

    def _changed(self, change: SeatChange) -> None:
        """A local write or a sync round: the footer's counts, and the current screen gets
        the changed order ids (it refreshes just what shows them)."""
        self.refresh_sync_status()
        for screen in self.screen_stack:  # a home under a dialog hears it too
            screen.post_message(OrdersChanged(change.kind, frozenset(change.orders)))

    def refresh_sync_status(self) -> None:
        self._read_status()

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def _read_status(self) -> None:
        status = self.services.status()
        self.call_from_thread(setattr, self, "sync_status", status)

    async def action_sync_now(self) -> None:
        if self._sync_loop is not None:
            self._sync_loop.wake()
            return
        self._sync_once()

    @work(exclusive=True, group="sync-now", exit_on_error=False)
    async def _sync_once(self) -> None:
        self.sync_status = await self.services.sync_once()

    def action_help(self) -> None:
        from screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_key_display(self, binding: Binding) -> str:
        """F-keys as agents know them from their keyboards: ``F10``, not ``f10``; control
        keys as ``^F``; Escape as ``Esc``."""
        display = super().get_key_display(binding)
        if len(display) <= 3 and display[:1] == "f" and display[1:].isdigit():
            return display.upper()
        if len(display) == 2 and display[0] == "^":
            return display.upper()
        if display == "esc":
            return "Esc"
        return display

    def action_command_palette(self) -> None:
        """The palette with a prompt in the user's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # Textual types is_open for App[object]; ours is App[None]
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=t("palette.placeholder"))
            )

    def action_find(self) -> None:
        self.open_find("")

    def open_find(self, query: str) -> None:
        """Ctrl+F (or the palette): find an order by number, phone or words (every role)."""
        from screens.find_dialog import FindDialog
        from screens.login import LoginScreen

        if isinstance(self.screen, LoginScreen | FindDialog) or self.services.session is None:
            return
        self.push_screen(FindDialog(query))

    # -- errors ------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_worker_error(event.worker.error)

    def report_worker_error(self, error: BaseException | None) -> None:
        """The one place worker failures become notifications (in the user's language).

        Worker state messages do not bubble, so screens forward theirs here.
        """
        if isinstance(error, UserFacingError):
            message = error.message()
        else:
            message = t("error.generic", error=f"{type(error).__name__}: {error}")
        self.notify(message, severity="error", markup=False, timeout=8)
