"""Ctrl+F (every role, also from the palette): find an order by number, phone or words.

The seat's cache answers (``services.find_orders``: a unit user finds only the unit's
orders, and confidential callers stay masked); Down moves from the search box into the
results, and the highlighted order shows in full below with its event trail (who did
what, when and why).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Static

from screens.bindings import HotlineModal, show_text
from screens.i18n_strings import t
from screens.order_detail import OrderView, render_order, state_text
from screens.safe_text import clean, one_line
from workstation.masking import mask_text
from workstation.seat_api import FIND_LIMIT

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "created": ("登记", "created"),
    "dispatched": ("派单", "dispatched"),
    "signed": ("签收", "signed"),
    "returned": ("退回", "returned"),
    "reassigned": ("改派", "reassigned"),
    "rehandled": ("重办", "re-handled"),
    "recalled": ("撤回", "recalled"),
    "co_handler_added": ("增加协办", "co-handler added"),
    "extension_requested": ("申请延期", "extension requested"),
    "extension_decided": ("审批延期", "extension decided"),
    "caller_notified": ("告知来电人", "caller told"),
    "replied": ("答复", "replied"),
    "callback_created": ("待回访", "callback due"),
    "callback_recorded": ("回访", "callback recorded"),
    "closed": ("办结", "closed"),
    "marked_overdue": ("超期", "overdue"),
    "urged": ("催办", "urged"),
    "criticised": ("通报批评", "criticised"),
    "contact_linked": ("关联来电", "call linked"),
}


def event_label(kind: str) -> str:
    from workstation.i18n import language

    pair = EVENT_LABELS.get(kind)
    if pair is None:
        return kind
    return pair[0] if language() == "zh" else pair[1]


def render_trail(order: Any) -> Text:
    """The order's events, oldest first: time, what, who (role, unit), why."""
    text = Text(t("find.trail"), style="bold")
    for event in getattr(order, "events", ()) or ():
        text.append("\n")
        text.append(event.at.strftime("%Y-%m-%d %H:%M") + "  ")
        text.append(event_label(event.kind), style="bold")
        who = " ".join(x for x in (event.actor, event.unit or "") if x)
        if who:
            text.append(f"  {clean(who, multiline=False)}")
        reason = event.reason or str((event.data or {}).get("note") or "")
        if reason:
            text.append("  ")
            text.append(mask_text(clean(reason, multiline=False)))
    return text


class FindDialog(HotlineModal[None]):
    DEFAULT_CSS = """
    FindDialog { align: center middle; }
    #find-box { width: 96%; height: 90%; }
    #find-query { width: 1fr; margin-bottom: 1; }
    #find-table { height: auto; max-height: 40%; overflow-x: hidden; }
    #find-detail { height: 1fr; background: $boost; padding: 0 1; }
    #find-detail > Static { width: 1fr; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "key.close", id="find.close")]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query
        self.rows: dict[str, Any] = {}
        self.searched: str | None = None
        self.shown_order: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="find-box", classes="dialog"):
            yield Static(Text(t("find.title"), style="bold"), classes="dialog-title")
            yield Static(Text(t("find.hint"), style="dim"))
            yield Input(
                self.query_text,
                id="find-query",
                compact=True,
                max_length=200,
                placeholder=t("find.placeholder"),
            )
            yield Static(id="find-count", classes="dim-line")
            yield DataTable(id="find-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="find-detail"):
                yield Static(id="find-text")

    def on_mount(self) -> None:
        table = self.query_one("#find-table", DataTable)
        for width in (17, 8, 6, 32):
            table.add_column("", width=width)
        table.show_header = False
        self.query_one("#find-query", Input).focus()
        if self.query_text.strip():
            self._search(self.query_text)

    @on(Input.Changed, "#find-query")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#find-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one("#find-table", DataTable)
        if table.row_count:
            table.focus()
            self._show_selected()

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _search(self, query: str) -> None:
        rows = self.services.find_orders(query) if query.strip() else []
        self.app.call_from_thread(self._results, query, rows)

    def _results(self, query: str, rows: list[Any]) -> None:
        if query != self.query_one("#find-query", Input).value:
            return  # typed on meanwhile: a newer search is coming
        self.searched = query
        table = self.query_one("#find-table", DataTable)
        table.clear()
        self.rows = {}
        for row in rows:
            self.rows[row.order_id] = row
            table.add_row(
                row.order_id,
                one_line(state_text(row.state), 8),
                one_line(row.unit, 6),
                one_line(mask_text(row.content), 32),
                key=row.order_id,
            )
        count = self.query_one("#find-count", Static)
        if not query.strip():
            show_text(count, None)
        elif not rows:
            show_text(count, Text(t("find.none", query=clean(query, multiline=False))))
        else:
            line = t("find.count", n=len(rows))
            if len(rows) >= FIND_LIMIT:
                line += t("find.more", n=FIND_LIMIT)
            show_text(count, Text(line))
        if rows:
            self._show_selected()
        else:
            self.query_one("#find-text", Static).update("")
            self.shown_order = None

    def on_key(self, event: Any) -> None:
        """Down in the search box moves into the results."""
        if event.key == "down" and self.focused is self.query_one("#find-query"):
            table = self.query_one("#find-table", DataTable)
            if table.row_count:
                table.focus()
                event.stop()

    @on(DataTable.RowHighlighted, "#find-table")
    def _highlighted(self) -> None:
        self._show_selected()

    @on(DataTable.RowSelected, "#find-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._show_selected()

    @property
    def selected(self) -> Any:
        table = self.query_one("#find-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(key)) if key is not None else None

    def _show_selected(self) -> None:
        row = self.selected
        if row is not None:
            self._load_order(row)

    @work(thread=True, exclusive=True, group="find-order", exit_on_error=False)
    def _load_order(self, row: Any) -> None:
        order = self.services.order(row.order_id)
        self.app.call_from_thread(self._order_loaded, row, order)

    def _order_loaded(self, row: Any, order: Any) -> None:
        if self.selected is not row:
            return
        text = render_order(OrderView(order, row))
        text.append("\n\n")
        text.append_text(render_trail(order))
        self.query_one("#find-text", Static).update(text)
        self.shown_order = row.order_id

    @property
    def shown_text(self) -> str:
        return str(self.query_one("#find-text", Static).render())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
