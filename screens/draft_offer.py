"""On restart: the unsent draft of the last call is offered back (nothing typed is lost)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.bindings import HotlineModal
from screens.i18n_strings import t
from screens.safe_text import one_line


class DraftOffer(HotlineModal[bool]):
    BINDINGS = [
        Binding("escape", "discard", "form.discard", id="draft.discard", show=False),
        Binding("enter", "restore", "form.restore", id="draft.restore", show=False),
    ]

    def __init__(self, saved_at: str, preview: str) -> None:
        super().__init__()
        self.saved_at = saved_at
        self.preview = preview

    def compose(self) -> ComposeResult:
        with Vertical(id="draft-box", classes="dialog"):
            yield Static(Text(t("form.draft_offer", when=self.saved_at), style="bold"))
            yield Static(one_line(self.preview, 120), id="draft-preview")
            with Horizontal(id="draft-buttons"):
                yield Button(t("form.restore"), id="draft-restore", variant="primary", compact=True)
                yield Button(t("form.discard"), id="draft-discard", compact=True)

    def on_mount(self) -> None:
        self.query_one("#draft-restore", Button).focus()

    @on(Button.Pressed, "#draft-restore")
    def action_restore(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#draft-discard")
    def action_discard(self) -> None:
        self.dismiss(False)


class ConfirmQuit(HotlineModal[bool]):
    """Quitting with a call in progress asks first: ``y`` or Ctrl+Q again quits (the draft
    is kept and offered on the next start), ``n`` or Esc goes back to the call."""

    BINDINGS = [
        Binding("y", "confirm", "quit.yes", id="quit.yes", show=False),
        Binding("ctrl+q", "confirm", "quit.yes", id="quit.again", show=False, priority=True),
        Binding("n,escape", "cancel", "quit.no", id="quit.no", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box", classes="dialog"):
            yield Static(Text(t("quit.confirm"), style="bold"), id="quit-question")
            yield Static(t("quit.kept"), id="quit-note")
            with Horizontal(id="quit-buttons"):
                yield Button(t("quit.yes"), id="quit-yes", variant="error", compact=True)
                yield Button(t("quit.no"), id="quit-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#quit-no", Button).focus()

    @on(Button.Pressed, "#quit-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#quit-no")
    def action_cancel(self) -> None:
        self.dismiss(False)
