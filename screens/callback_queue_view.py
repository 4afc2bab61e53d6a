"""A queue of orders with the selected one in full below (回访队列、延期告知、看板).

Attributes down: the screen sets :attr:`rows` (``(key, section, row)`` triples) and
:attr:`detail`. Messages up: :class:`Picked` when the cursor moves to another order,
:class:`Chosen` on Enter. The widget knows nothing of services.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable

from screens.order_detail import OrderDetail, OrderView
from screens.role_base import RowTable, day, masked_line
from screens.role_strings import rt

SECTION_STYLE = {
    "overdue": "bold reverse",
    "dissatisfied": "bold",
    "extension": "bold",
    "override": "bold reverse",
}


class QueueView(Vertical):
    """Table of orders (section, number, date, unit, request) and the order below it."""

    class Picked(Message):
        def __init__(self, view: QueueView, row: Any) -> None:
            super().__init__()
            self.view = view
            self.row = row

    class Chosen(Message):
        def __init__(self, view: QueueView, row: Any) -> None:
            super().__init__()
            self.view = view
            self.row = row

    rows: reactive[list[tuple[str, str, Any]]] = reactive(list, always_update=True)
    detail: reactive[OrderView] = reactive(OrderView, always_update=True)

    def __init__(self, *, empty: str, sections: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.empty = empty
        self.sections = sections

    def compose(self) -> ComposeResult:
        yield RowTable(classes="role-table")
        yield OrderDetail()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        if self.sections:
            table.add_column(rt("col.kind"), width=8)
        table.add_column(rt("col.order"), width=16)
        table.add_column(rt("col.date"), width=11)
        table.add_column(rt("col.unit"), width=5)
        table.add_column(rt("col.content"), width=26 if self.sections else 36)

    @property
    def table(self) -> RowTable:
        return self.query_one(RowTable)

    @property
    def selected(self) -> Any:
        picked = self.table.selected
        return picked[1] if picked is not None else None

    @property
    def selected_section(self) -> str | None:
        picked = self.table.selected
        return picked[0] if picked is not None else None

    def watch_rows(self, rows: list[tuple[str, str, Any]]) -> None:
        filled = []
        for key, section, row in rows:
            cells: list[Any] = [
                row.order_id,
                day(row.next_callback_at or row.created_at),
                row.unit,
                masked_line(row.content, 34),
            ]
            if self.sections:
                cells.insert(0, Text(rt(f"board.{section}"), style=SECTION_STYLE.get(section, "")))
            filled.append((key, (section, row), cells))
        self.table.fill(filled)
        if not rows:
            self.detail = OrderView(extra=(Text(self.empty, style="dim"),))
        else:
            self.post_message(self.Picked(self, self.selected))

    def watch_detail(self, view: OrderView) -> None:
        self.query_one(OrderDetail).view = view

    @on(DataTable.RowHighlighted)
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        picked = self.table.records.get(str(event.row_key.value))
        if picked is not None:
            self.post_message(self.Picked(self, picked[1]))

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        picked = self.table.records.get(str(event.row_key.value))
        if picked is not None:
            self.post_message(self.Chosen(self, picked[1]))
