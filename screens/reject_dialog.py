"""F7: not accepted (不予受理): the five reasons, the script to read, the transfer number.

The dialog opens on the reason the assist suggested (an emergency opens on ``emergency``
with its number chosen). It validates with ``intake_rules.validate_rejection`` and
returns ``(reason, explanation, transfer_to)``; the screen records it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static

from screens.bindings import HotlineModal, show_text
from screens.i18n_strings import t
from workstation.errors import ValidationError
from workstation.i18n import language
from workstation.intake_rules import (
    REJECT_REASONS,
    TRANSFER_NUMBERS,
    script_for,
    validate_rejection,
)
from workstation.models import RejectReason

Rejection = tuple[str, str, str | None]


class RejectDialog(HotlineModal[Rejection | None]):
    BINDINGS = [
        Binding("escape", "cancel", "key.close", id="reject.cancel"),
        Binding("ctrl+s", "confirm", "key.submit", id="reject.confirm"),
    ]

    def __init__(self, reason: str | None = None, transfer_to: str | None = None) -> None:
        super().__init__()
        self.initial_reason = reason if reason in {r.value for r in RejectReason} else None
        self.initial_transfer = transfer_to if transfer_to in TRANSFER_NUMBERS else None

    def compose(self) -> ComposeResult:
        lang = language()
        with VerticalScroll(id="reject-box", classes="dialog"):
            yield Static(Text(t("reject.title"), style="bold"), classes="dialog-title")
            yield Label(t("reject.reason"), classes="field-label")
            with RadioSet(id="reject-reason", compact=True):
                for reason, info in REJECT_REASONS.items():
                    yield RadioButton(
                        info.label(lang),
                        value=reason.value == self.initial_reason,
                        id=f"reason-{reason.value}",
                        compact=True,
                    )
            with Horizontal(classes="form-row", id="reject-transfer-row"):
                yield Label(t("reject.transfer"), classes="field-label inline")
                yield Select(
                    [(info.label(lang), number) for number, info in TRANSFER_NUMBERS.items()],
                    value=self.initial_transfer or Select.NULL,
                    id="reject-transfer",
                    compact=True,
                    prompt="—",
                )
            yield Static(id="err-transfer_to", classes="field-error")
            yield Label(t("reject.script"), classes="field-label")
            yield Static(id="reject-script", classes="script")
            yield Label(t("reject.explanation"), classes="field-label")
            yield Input(id="reject-explanation", compact=True, max_length=500)
            yield Static(id="err-explanation", classes="field-error")
            yield Static(id="err-reject_reason", classes="field-error")
            with Horizontal(id="reject-buttons"):
                yield Button(t("reject.confirm"), id="reject-ok", variant="warning", compact=True)
                yield Button(t("reject.cancel"), id="reject-cancel", compact=True)

    def on_mount(self) -> None:
        self._refresh()
        self.query_one("#reject-reason", RadioSet).focus()

    @property
    def reason(self) -> str | None:
        pressed = self.query_one("#reject-reason", RadioSet).pressed_button
        return pressed.id.removeprefix("reason-") if pressed and pressed.id else None

    @property
    def transfer_to(self) -> str | None:
        value = self.query_one("#reject-transfer", Select).value
        return None if value is Select.NULL else str(value)

    def choose(self, reason: str, transfer_to: str | None = None) -> None:
        """Pick a reason (and number) programmatically: tests and the palette use it."""
        self.query_one(f"#reason-{reason}", RadioButton).value = True
        if transfer_to:
            self.query_one("#reject-transfer", Select).value = transfer_to
        self._refresh()

    @on(RadioSet.Changed)
    @on(Select.Changed)
    def _refresh(self) -> None:
        reason = self.reason
        emergency = reason == RejectReason.EMERGENCY.value
        self.query_one("#reject-transfer-row").display = emergency
        script = script_for(reason, self.transfer_to, language()) if reason else ""
        self.query_one("#reject-script", Static).update(Text(script))
        explanation = self.query_one("#reject-explanation", Input)
        if script and not explanation.value:
            explanation.value = REJECT_REASONS[RejectReason(str(reason))].label(language())

    @on(Button.Pressed, "#reject-ok")
    def action_confirm(self) -> None:
        for name in ("transfer_to", "explanation", "reject_reason"):
            show_text(self.query_one(f"#err-{name}", Static), None)
        reason = self.reason
        explanation = self.query_one("#reject-explanation", Input).value.strip()
        transfer = self.transfer_to if reason == RejectReason.EMERGENCY.value else None
        try:
            if reason is None:
                raise ValidationError("reject_reason", "请选择不予受理的原因", "choose a reason")
            validate_rejection(reason, transfer, explanation)
        except ValidationError as exc:
            show_text(self.query_one(f"#err-{exc.field}", Static), Text(exc.message()))
            return
        self.dismiss((reason, explanation, transfer))

    @on(Button.Pressed, "#reject-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
