"""F10 on a call the assist flagged (an emergency, a possible non-acceptance): transfer or
refuse it (the default), or dispatch anyway with a reason that the order's event trail
keeps and the supervisor's board shows (派单理由).

Dismisses with ``("reject", "")`` (open the not-accepted dialog, F7), ``("override",
reason)`` or ``None`` (back to the form, nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from screens.bindings import HotlineModal, show_text
from screens.i18n_strings import t
from workstation.wire.text import Limits

Choice = tuple[str, str]


class OverrideDialog(HotlineModal[Choice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "key.close", id="override.cancel"),
        Binding("f7", "transfer", "key.reject", id="override.transfer", priority=True),
        Binding("ctrl+s", "confirm", "key.submit", id="override.confirm"),
    ]

    def __init__(self, warning: str) -> None:
        super().__init__()
        self.warning = warning

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="override-box", classes="dialog"):
            yield Static(Text(t("override.title"), style="bold"), classes="dialog-title")
            yield Static(Text(self.warning, style="bold"), id="override-warning")
            with Horizontal(id="override-buttons"):
                yield Button(t("override.transfer"), id="override-transfer", variant="warning",
                             compact=True)  # fmt: skip
            yield Label(t("override.reason"), classes="field-label")
            yield Input(id="override-reason", compact=True, max_length=Limits.REASON)
            yield Static(id="err-override", classes="field-error")
            with Horizontal(id="override-buttons-2"):
                yield Button(t("override.confirm"), id="override-ok", compact=True)
                yield Button(t("reject.cancel"), id="override-cancel", compact=True)

    def on_mount(self) -> None:
        show_text(self.query_one("#err-override", Static), None)
        self.query_one("#override-transfer", Button).focus()

    @on(Button.Pressed, "#override-transfer")
    def action_transfer(self) -> None:
        self.dismiss(("reject", ""))

    @on(Button.Pressed, "#override-ok")
    @on(Input.Submitted, "#override-reason")
    def action_confirm(self) -> None:
        reason = self.query_one("#override-reason", Input).value.strip()
        if not reason:
            show_text(self.query_one("#err-override", Static), Text(t("override.required")))
            self.query_one("#override-reason", Input).focus()
            return
        self.dismiss(("override", reason))

    @on(Button.Pressed, "#override-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
