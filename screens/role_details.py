"""The detail panes the role homes share: the notice under the notice list, and the order
behind the row picked in a queue (read in a thread worker, shown if still selected)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.widgets import DataTable

from screens.callback_queue_view import QueueView
from screens.order_detail import OrderDetail, OrderView
from screens.role_base import RoleHome, RowTable
from screens.role_strings import rt
from screens.safe_text import clean


class DetailedHome(RoleHome):
    """A role home with a ``#notice-table``/``#notice-detail`` pair and/or queue views."""

    @on(DataTable.RowHighlighted, "#notice-table")
    def _notice_moved(self, event: DataTable.RowHighlighted) -> None:
        self._show_notice(
            self.query_one("#notice-table", RowTable).records.get(str(event.row_key.value))
        )

    def _show_notice(self, notice: Any) -> None:
        text = Text()
        if notice is not None:
            text.append(f"{notice.number}  {rt(f'notice.{notice.kind}')}\n", style="bold")
            if notice.copied_to:
                text.append(
                    rt("notice.copied", who=clean(notice.copied_to, multiline=False)) + "\n"
                )
            text.append(clean(notice.text))
        self.query_one("#notice-detail", OrderDetail).view = OrderView(
            extra=(text,) if notice else ()
        )

    @on(QueueView.Picked)
    def _picked(self, event: QueueView.Picked) -> None:
        if event.row is not None:
            self._load_order(event.view, event.row)

    @work(thread=True, group="queue-detail", exit_on_error=False)
    def _load_order(self, view: QueueView, row: Any) -> None:
        order = self.services.order(row.order_id)
        self.app.call_from_thread(self._order_loaded, view, row, order)

    def _order_loaded(self, view: QueueView, row: Any, order: Any) -> None:
        if view.selected is not None and view.selected.order_id == row.order_id:
            view.detail = OrderView(order, row)
