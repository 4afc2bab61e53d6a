"""Caller area (来电人): phone, name, channel, confidentiality, and the caller's earlier orders.

Attributes down: the intake screen sets :attr:`history` after looking the phone up.
Messages up: :class:`PhoneChanged` (look up history), :class:`Changed` (save the draft),
:class:`LinkRequested` (join this call to an open order).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from screens.bindings import show_text
from screens.i18n_strings import t
from screens.safe_text import clean, one_line
from workstation.intake_form import MAX_CALLER_NAME, MAX_CALLER_PHONE
from workstation.models import Channel, OrderState
from workstation.orders import OPEN_STATES
from workstation.seat_api import ContactRow, OrderRow

_OPEN = OPEN_STATES | {OrderState.RETURNED}  # still in a unit's hands: link, don't duplicate


def state_label(state: str) -> str:
    from workstation.i18n import language
    from workstation.permissions import STATE_LABELS

    try:
        zh, en = STATE_LABELS[OrderState(state)]
    except (ValueError, KeyError):
        return str(state)
    return zh if language() == "zh" else en


class CallerPanel(Vertical):
    """The caller's identity and history; knows nothing about services."""

    class PhoneChanged(Message):
        def __init__(self, phone: str) -> None:
            super().__init__()
            self.phone = phone

    class Changed(Message):
        """Any caller field changed (for the draft)."""

    class LinkRequested(Message):
        def __init__(self, order_id: str) -> None:
            super().__init__()
            self.order_id = order_id

    history: reactive[list[OrderRow]] = reactive(list, always_update=True)
    contacts: list[ContactRow]
    """The caller's calls that made no order (answered, not accepted), shown under them."""
    source: str | None
    """Where the history shown came from: ``online`` (the server), ``local`` (this seat's
    cache), None before any lookup; said on screen beside the count."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: dict[str, OrderRow] = {}
        self.contacts = []
        self.source = None

    def compose(self) -> ComposeResult:
        with Grid(id="caller-grid"):
            yield Label(t("caller.phone"), classes="field-label")
            yield Input(
                id="caller-phone", compact=True, max_length=MAX_CALLER_PHONE,
                restrict=r"[0-9+\- ]*",
            )  # fmt: skip
            yield Label(t("caller.name"), classes="field-label")
            yield Input(id="caller-name", compact=True, max_length=MAX_CALLER_NAME)
            yield Label(t("caller.channel"), classes="field-label")
            yield Select(
                [(t(f"channel.{c.value}"), c.value) for c in Channel],
                value=Channel.PHONE.value,
                allow_blank=False,
                compact=True,
                id="caller-channel",
            )
            yield Checkbox(t("caller.confidential"), id="caller-confidential", compact=True)
        yield Checkbox(t("caller.phone_declined"), id="caller-phone-declined", compact=True)
        yield Static(id="caller-phone-error", classes="field-error")
        yield Static(id="caller-name-error", classes="field-error")
        yield Label(t("caller.history"), id="caller-history-label", classes="section-label")
        yield OptionList(id="caller-history", compact=True)

    # -- values ------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "caller_phone": self.query_one("#caller-phone", Input).value.strip(),
            "caller_name": clean(
                self.query_one("#caller-name", Input).value, multiline=False
            ).strip(),
            "channel": self.query_one("#caller-channel", Select).value,
            "confidential": self.query_one("#caller-confidential", Checkbox).value,
            "phone_declined": self.query_one("#caller-phone-declined", Checkbox).value,
        }

    def load(self, data: dict[str, Any]) -> None:
        """Fill the fields (a restored draft or an incoming call) without losing anything."""
        with self.prevent(Input.Changed, Checkbox.Changed, Select.Changed):
            if "caller_phone" in data:
                self.query_one("#caller-phone", Input).value = str(data["caller_phone"] or "")
            if "caller_name" in data:
                self.query_one("#caller-name", Input).value = clean(
                    data["caller_name"] or "", multiline=False
                )
            if data.get("channel") in {c.value for c in Channel}:
                self.query_one("#caller-channel", Select).value = data["channel"]
            if "confidential" in data:
                self.query_one("#caller-confidential", Checkbox).value = bool(data["confidential"])
            if "phone_declined" in data:
                declined = self.query_one("#caller-phone-declined", Checkbox)
                declined.value = bool(data["phone_declined"])
        self.post_message(self.PhoneChanged(self.values()["caller_phone"]))

    def clear(self) -> None:
        self.load(
            {"caller_phone": "", "caller_name": "", "channel": "phone", "confidential": False,
             "phone_declined": False}
        )  # fmt: skip
        self.show_history([], [])

    def show_error(self, message: str, field: str = "caller_phone") -> None:
        """``message`` under the phone (or, for ``caller_name``, the name); "" clears it."""
        target = "#caller-name-error" if field == "caller_name" else "#caller-phone-error"
        show_text(self.query_one(target, Static), Text(message) if message else None)

    # -- events ------------------------------------------------------------------------------

    @on(Input.Changed, "#caller-phone")
    def _phone_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_error("")
        self.post_message(self.PhoneChanged(event.value.strip()))
        self.post_message(self.Changed())

    @on(Checkbox.Changed, "#caller-phone-declined")
    def _declined_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.show_error("")
        self.post_message(self.Changed())

    @on(Input.Changed, "#caller-name")
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _other_changed(self, event: Message) -> None:
        event.stop()
        self.show_error("", "caller_name")
        self.post_message(self.Changed())

    def show_history(
        self, rows: list[OrderRow], contacts: list[ContactRow], source: str | None = None
    ) -> None:
        """The caller's orders and, after them, the calls that made none; ``source``
        (``online`` or ``local``) is named beside the count."""
        self.contacts = list(contacts)
        self.source = source
        self.history = rows

    def watch_history(self, rows: list[OrderRow]) -> None:
        options = self.query_one("#caller-history", OptionList)
        options.clear_options()
        label = self.query_one("#caller-history-label", Label)
        contacts = self.contacts
        options.display = bool(rows or contacts)
        self._rows = {}
        source = t("caller.source_" + self.source) if self.source else ""
        if not rows and not contacts:
            where = t("caller.where_alone", source=source) if source else ""
            label.update(t("caller.history_none", where=where))
            return
        count = len(rows) + len(contacts)
        where = f" · {source}" if source else ""
        label.update(
            f"{t('caller.history_count', count=count, where=where)} · {t('caller.history_hint')}"
        )
        for row in rows:
            line = Text(row.order_id + " ", style="bold")
            line.append(
                f"[{state_label(row.state)}] ", style="italic" if row.state in _OPEN else "dim"
            )
            line.append_text(one_line(row.content, 60))
            options.add_option(Option(line, id=row.order_id))
        self._rows = {r.order_id: r for r in rows}
        for contact in contacts:
            when = contact.received_at.strftime("%m-%d ") if contact.received_at else ""
            line = Text(when, style="dim")
            line.append(f"[{t('caller.contact_' + contact.outcome)}] ", style="dim")
            line.append_text(one_line(contact.content, 60))
            options.add_option(Option(line, id=f"contact:{contact.contact_id}"))
        options.highlighted = 0

    @property
    def shown_orders(self) -> frozenset[str]:
        """The order ids of the caller's history on screen."""
        return frozenset(self._rows)

    def selected_order(self) -> OrderRow | None:
        options = self.query_one("#caller-history", OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return self._rows.get(option.id) if option.id else None

    def request_link(self) -> None:
        row = self.selected_order()
        if row is None:
            self.app.notify(t("caller.link_pick"), severity="warning")
            return
        if row.state not in _OPEN:
            self.app.notify(t("caller.link_closed"), severity="warning")
            return
        self.post_message(self.LinkRequested(row.order_id))

    @on(OptionList.OptionSelected, "#caller-history")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.request_link()
