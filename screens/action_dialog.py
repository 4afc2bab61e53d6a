"""One dialog for every order command that needs a few fields (退回、延期、答复、改派…).

The dialog runs the command itself (``run(values)`` in a thread worker) and closes only
when it succeeded. SeatServices raises domain errors before writing anything, so a
refusal is shown beside its field (``ValidationError.field``) or under the fields, in
the current language, with the next step when the order's state refused it (sign first,
wait for the decision…), and everything typed stays where it was. Cancelled after a
refusal, what was typed is kept (for this session) and filled in on the next open of the
same dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static, TextArea

from screens.bindings import HotlineModal, show_text
from screens.role_strings import RoleLabels, rt
from workstation.errors import InvalidTransition, UserFacingError, ValidationError

# What to do next when an order's state refuses a command, by that state (zh, en).
NEXT_STEP: dict[str, tuple[str, str]] = {
    "dispatched": ("下一步：请先签收（F2 签收），再操作。", "Next: sign for it first (F2 Sign)."),
    "extension_requested": (
        "下一步：延期申请待督查中心审批，审批后再操作。",
        "Next: wait for the supervision center to decide the extension.",
    ),
    "returned": (
        "下一步：工单已退回督查中心，等待重新派单。",
        "Next: the order is back with the supervision center to be dispatched again.",
    ),
    "replied": (
        "下一步：已答复，等待回访，无需再操作。",
        "Next: already replied; it waits for the callback.",
    ),
    "callback_pending": (
        "下一步：已答复，等待回访，无需再操作。",
        "Next: already replied; it waits for the callback.",
    ),
    "rehandling": (
        "下一步：重办工单请先签收（F2 签收）。",
        "Next: sign for the re-handled order first (F2 Sign).",
    ),
    "signed": (
        "下一步：工单已签收，可答复（F6）、退回（F3）或申请延期（F4）。",
        "Next: it is signed; reply (F6), return (F3) or ask for an extension (F4).",
    ),
    "closed": ("工单已归档，无需再操作。", "The order is closed; nothing more to do."),
    "recalled": (
        "工单已被督查中心撤回，无需再操作。",
        "The supervision center recalled it; nothing more to do.",
    ),
}


def refusal_text(exc: UserFacingError) -> str:
    """The refusal in the user's language, with the next step where the state refused it."""
    from workstation.i18n import language

    message = exc.message()
    if isinstance(exc, InvalidTransition):
        hint = NEXT_STEP.get(str(exc.details.get("state", "")))
        if hint is not None:
            message += "\n" + (hint[0] if language() == "zh" else hint[1])
    return message


@dataclass(frozen=True)
class Field:
    """A field of the dialog; ``kind`` is ``input``, ``area``, ``select``, ``choice`` or
    ``unit`` (a button that opens the fuzzy unit picker over ``units``; its value is the
    chosen unit's code)."""

    name: str
    label: str
    kind: str = "input"
    value: Any = ""
    options: tuple[tuple[str, Any], ...] = ()
    units: tuple[Any, ...] = ()


class ActionDialog(RoleLabels, HotlineModal[Any]):
    BINDINGS = [
        Binding("escape", "cancel", "rk.cancel", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "rk.save", id="dialog.submit"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[Field],
        run: Callable[[dict[str, Any]], Any],
        note: Text | str | None = None,
        warning: Text | str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.run = run
        self.note = note
        self.warning = warning
        self.busy = False
        self.chosen: dict[str, Any] = {f.name: f.value or None for f in fields if f.kind == "unit"}

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog action-dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(id="dialog-note", classes="script")
            yield Static(id="dialog-warning", classes="dialog-warning")
            for f in self.fields:
                yield Label(f.label, classes="field-label")
                yield self._widget(f)
                yield Static(id=f"err-{f.name}", classes="field-error")
            yield Static(id="err-general", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(rt("dlg.submit"), id="dialog-ok", variant="primary", compact=True)
                yield Button(rt("dlg.cancel"), id="dialog-cancel", compact=True)

    def _widget(self, f: Field) -> Any:
        wid = f"field-{f.name}"
        if f.kind == "area":
            area = TextArea(str(f.value or ""), id=wid, classes="dialog-area", soft_wrap=True)
            area.show_line_numbers = False
            return area
        if f.kind == "select":
            return Select(
                list(f.options),
                value=f.value if f.value not in ("", None) else Select.NULL,
                id=wid,
                compact=True,
                type_to_search=True,
                prompt="—",  # never Textual's English "Select"
            )
        if f.kind == "unit":
            return Button(self._unit_text(f, f.value), id=wid, compact=True, classes="unit-field")
        if f.kind == "choice":
            return RadioSet(
                *[
                    RadioButton(text, value=value == f.value, id=f"{wid}-{i}", compact=True)
                    for i, (text, value) in enumerate(f.options)
                ],
                id=wid,
                compact=True,
            )
        return Input(str(f.value or ""), id=wid, compact=True, max_length=2000)

    @staticmethod
    def _unit_text(f: Field, code: Any) -> str:
        from screens.i18n_strings import t

        unit = next((u for u in f.units if u.code == code), None)
        if unit is None:
            return t("unit.none")
        return f"{unit.name}（{unit.code}）"

    @on(Button.Pressed, ".unit-field")
    def _pick_unit(self, event: Button.Pressed) -> None:
        event.stop()
        from screens.unit_picker import UnitPicker

        name = str(event.button.id).removeprefix("field-")
        f = next(f for f in self.fields if f.name == name)

        def picked(code: str | None) -> None:
            if code:
                self.set_value(name, code)
                self.focus_next()

        self.app.push_screen(UnitPicker(list(f.units), []), picked)

    def on_mount(self) -> None:
        show_text(self.query_one("#dialog-note", Static), self._text(self.note))
        show_text(self.query_one("#dialog-warning", Static), self._text(self.warning))
        for name in [f.name for f in self.fields] + ["general"]:
            show_text(self.query_one(f"#err-{name}", Static), None)
        kept = self._kept.pop(self._keep_key, None)
        if kept:
            for name, value in kept.items():
                if value not in ("", None):
                    self.set_value(name, value)
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    @property
    def _kept(self) -> dict[tuple[str, ...], dict[str, Any]]:
        """Values typed into cancelled dialogs, kept on the running app (this session)."""
        kept: dict[tuple[str, ...], dict[str, Any]]
        kept = self.app.__dict__.setdefault("_kept_dialog_values", {})
        return kept

    @property
    def _keep_key(self) -> tuple[str, ...]:
        return (type(self).__name__, self.title_text, *(f.name for f in self.fields))

    @staticmethod
    def _text(value: Text | str | None) -> Text | None:
        if value is None or isinstance(value, Text):
            return value
        return Text(value)

    def values(self) -> dict[str, Any]:
        """What was entered, by field name (text stripped; ``None`` for no choice)."""
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                out[f.name] = widget.text.strip()
            elif isinstance(widget, Input):
                out[f.name] = widget.value.strip()
            elif isinstance(widget, Select):
                out[f.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, RadioSet):
                index = widget.pressed_index
                out[f.name] = f.options[index][1] if index >= 0 else None
            elif f.kind == "unit":
                out[f.name] = self.chosen.get(f.name)
        return out

    def set_value(self, name: str, value: Any) -> None:
        """Fill a field (tests and the palette use it)."""
        widget = self.query_one(f"#field-{name}")
        field = next(f for f in self.fields if f.name == name)
        if field.kind == "unit" and isinstance(widget, Button):
            self.chosen[name] = value
            widget.label = self._unit_text(field, value)
        elif isinstance(widget, TextArea):
            widget.text = str(value)
        elif isinstance(widget, Input):
            widget.value = str(value)
        elif isinstance(widget, Select):
            widget.value = value
        elif isinstance(widget, RadioSet):
            index = [v for _, v in field.options].index(value)
            self.query_one(f"#field-{name}-{index}", RadioButton).value = True

    def error_text(self, name: str = "general") -> str:
        widget = self.query_one(f"#err-{name}", Static)
        return str(widget.render()) if widget.display else ""

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#dialog-ok")
    def action_submit(self) -> None:
        if self.busy:
            return
        for name in [f.name for f in self.fields] + ["general"]:
            show_text(self.query_one(f"#err-{name}", Static), None)
        self.busy = True
        self._run(self.values())

    @work(thread=True, exclusive=True, group="dialog", exit_on_error=False)
    def _run(self, values: dict[str, Any]) -> None:
        try:
            result = self.run(values)
        except UserFacingError as exc:
            self.busy = False
            self.app.call_from_thread(self._refused, exc)
            return
        except BaseException:
            self.busy = False
            raise
        self.app.call_from_thread(self.dismiss, result if result is not None else True)

    def _refused(self, exc: UserFacingError) -> None:
        name = exc.field if isinstance(exc, ValidationError) else "general"
        if not any(f.name == name for f in self.fields):
            name = "general"
        show_text(self.query_one(f"#err-{name}", Static), Text(refusal_text(exc)))
        if name != "general":
            self.query_one(f"#field-{name}").focus()

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        typed = {k: v for k, v in self.values().items() if isinstance(v, str) and v}
        if typed:  # nothing typed is lost: the next open of this dialog has it again
            self._kept[self._keep_key] = typed
        self.dismiss(None)
