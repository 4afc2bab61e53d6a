"""Work-order form (工单): content, type, unit, address, flags, the live deadline, suggestions.

Attributes down (set by the intake screen): :attr:`suggestion`, :attr:`emergency`,
:attr:`deadline`, :attr:`unit` / :attr:`unit_name`. Messages up: :class:`Changed` with the
fields that changed (the screen re-runs assist, deadline preview and draft saving) and
:class:`UnitPickRequested`. Errors appear right under their field.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from screens.bindings import show_text
from screens.i18n_strings import t
from screens.safe_text import clean, safe
from workstation.intake_form import MAX_ADDRESS
from workstation.models import TYPE_ZH, OrderType
from workstation.seat_api import EmergencyAlert

SHOWN_ERRORS = ("content", "type", "unit", "address")  # each has a line under its field


def type_label(value: str) -> str:
    from workstation.i18n import language

    member = OrderType(value)
    return TYPE_ZH[member] if language() == "zh" else member.value


class OrderForm(VerticalScroll):
    """The request being taken on this call."""

    class Changed(Message):
        def __init__(self, field: str) -> None:
            super().__init__()
            self.field = field

    class UnitPickRequested(Message):
        """The agent wants the unit picker."""

    suggestion: reactive[Text | None] = reactive(None, always_update=True)
    emergency: reactive[EmergencyAlert | None] = reactive(None, always_update=True)
    deadline: reactive[Text | None] = reactive(None, always_update=True)
    unit: reactive[str] = reactive("")
    unit_name: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield Static(id="form-emergency")
        yield Label(t("form.content"), classes="field-label")
        yield TextArea(
            id="form-content", soft_wrap=True, tab_behavior="focus", show_line_numbers=False
        )
        yield Static(id="err-content", classes="field-error")
        yield Static(id="form-suggestion", classes="suggestion")
        with Horizontal(classes="form-row"):
            yield Label(t("form.type"), classes="field-label inline")
            yield Select(
                [(type_label(m.value), m.value) for m in OrderType],
                id="form-type",
                compact=True,
                prompt="—",
            )
        yield Static(id="err-type", classes="field-error")
        with Horizontal(classes="form-row"):
            yield Label(t("form.unit"), classes="field-label inline")
            yield Button(t("form.unit_none"), id="form-unit", compact=True)
        yield Static(id="err-unit", classes="field-error")
        with Horizontal(classes="form-row"):
            yield Label(t("form.address"), classes="field-label inline")
            yield Input(id="form-address", compact=True, max_length=MAX_ADDRESS)
        yield Static(id="err-address", classes="field-error")
        with Horizontal(classes="form-row checks"):
            yield Checkbox(t("form.investigation"), id="form-investigation", compact=True)
            yield Checkbox(t("form.leader"), id="form-leader", compact=True)
        yield Static(id="form-deadline", classes="deadline")
        with Horizontal(id="form-buttons"):
            yield Button(t("form.submit"), id="form-submit", variant="primary", compact=True)
            yield Button(t("form.reject"), id="form-reject", variant="warning", compact=True)
        with Vertical(id="form-errors-other"):
            yield Static(id="err-other", classes="field-error")

    # -- values ------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        type_value = self.query_one("#form-type", Select).value
        return {
            "content": self.query_one("#form-content", TextArea).text,
            "type": None if type_value is Select.NULL else str(type_value),
            "unit": self.unit or None,
            "co_units": [],
            "address": self.query_one("#form-address", Input).value.strip(),
            "investigation": self.query_one("#form-investigation", Checkbox).value,
            "leader_instructed": self.query_one("#form-leader", Checkbox).value,
        }

    def load(self, data: dict[str, Any]) -> None:
        with self.prevent(TextArea.Changed, Select.Changed, Input.Changed, Checkbox.Changed):
            if True:
                self.query_one("#form-content", TextArea).load_text(
                    clean(data.get("content") or "")
                )
            kind = data.get("type")
            self.query_one("#form-type", Select).value = (
                kind if kind in {m.value for m in OrderType} else Select.NULL
            )
            self.query_one("#form-address", Input).value = clean(
                data.get("address") or "", multiline=False
            )
            self.query_one("#form-investigation", Checkbox).value = bool(data.get("investigation"))
            self.query_one("#form-leader", Checkbox).value = bool(data.get("leader_instructed"))
        self.unit = str(data.get("unit") or "")
        self.unit_name = str(data.get("unit_name") or "")
        self.clear_errors()
        self.post_message(self.Changed("load"))

    def clear(self) -> None:
        self.load({})
        self.suggestion = None
        self.emergency = None

    def set_type(self, value: str) -> None:
        self.query_one("#form-type", Select).value = value

    # -- errors ------------------------------------------------------------------------------

    def show_error(self, field: str, message: str, focus: bool = True) -> None:
        """``message`` on the line under ``field`` (or the form's last line); what was
        typed stays as it is."""
        target = field if field in SHOWN_ERRORS else "other"
        show_text(self.query_one(f"#err-{target}", Static), Text(message))
        widget = {
            "content": "#form-content",
            "type": "#form-type",
            "unit": "#form-unit",
            "address": "#form-address",
        }.get(target)
        if focus and widget:
            self.query_one(widget).focus()

    def clear_errors(self) -> None:
        for name in (*SHOWN_ERRORS, "other"):
            show_text(self.query_one(f"#err-{name}", Static), None)

    # -- events up ---------------------------------------------------------------------------

    @on(TextArea.Changed, "#form-content")
    def _content(self, event: TextArea.Changed) -> None:
        event.stop()
        show_text(self.query_one("#err-content", Static), None)
        self.post_message(self.Changed("content"))

    @on(Select.Changed, "#form-type")
    def _type(self, event: Select.Changed) -> None:
        event.stop()
        show_text(self.query_one("#err-type", Static), None)
        self.post_message(self.Changed("type"))

    @on(Input.Changed, "#form-address")
    def _address(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed("address"))

    @on(Checkbox.Changed)
    def _flag(self, event: Checkbox.Changed) -> None:
        event.stop()
        field = (
            "investigation" if event.checkbox.id == "form-investigation" else "leader_instructed"
        )
        self.post_message(self.Changed(field))

    @on(Button.Pressed, "#form-unit")
    def _pick_unit(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.UnitPickRequested())

    # -- attributes down ---------------------------------------------------------------------

    def watch_unit_name(self, name: str) -> None:
        button = self.query_one("#form-unit", Button)
        button.label = safe(name or self.unit or t("form.unit_none"), multiline=False)
        if self.unit:
            show_text(self.query_one("#err-unit", Static), None)

    def watch_unit(self, code: str) -> None:
        self.watch_unit_name(self.unit_name)

    def watch_deadline(self, text: Text | None) -> None:
        self.query_one("#form-deadline", Static).update(
            text or Text(t("form.deadline_none"), style="dim")
        )

    def watch_emergency(self, emergency: EmergencyAlert | None) -> None:
        banner = self.query_one("#form-emergency", Static)
        banner.set_class(emergency is not None, "-active")
        if emergency is None:
            show_text(banner, None)
            return
        from workstation.i18n import language
        from workstation.intake_rules import TRANSFER_NUMBERS

        number = emergency.transfer_to
        info = TRANSFER_NUMBERS.get(number)
        name = (info.zh if language() == "zh" else info.en) if info else ""
        words = "、".join(clean(w, multiline=False) for w in emergency.matched)
        show_text(banner, Text(t("form.emergency", number=number, name=name, words=words)))

    def watch_suggestion(self, suggestion: Text | None) -> None:
        show_text(self.query_one("#form-suggestion", Static), suggestion)
