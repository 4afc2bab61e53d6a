"""The callback operator's home (回访): the queue, oldest first, and the callers to tell.

The queue shows each order's content and the unit's reply; Enter opens the single-key
callback record. The second page lists approved extensions whose caller still has to
be told (告知来电人). City-leader orders are in the supervision center's own queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import TabbedContent, TabPane

from screens import order_dialogs as dialogs
from screens.callback_queue_view import QueueView
from screens.callback_record import CallbackRecord
from screens.header_bar import HeaderBar
from screens.role_base import ORDERS, RoleHome
from screens.role_details import DetailedHome
from screens.role_strings import rt
from screens.safe_text import clean
from screens.widgets.sync_footer import SyncFooter
from workstation.orders import WorkOrder
from workstation.seat_api import OrderRow


def callback_dialog(home: RoleHome, row: OrderRow, order: WorkOrder | None) -> CallbackRecord:
    """The record dialog of ``row`` with the order's content and reply shown."""
    services = home.services
    summary = Text()
    summary.append(clean(row.content), style="")
    reply = order.reply if order is not None else ""
    if reply:
        summary.append(f"\n{rt('cb.reply')}：", style="bold")
        summary.append(clean(reply))
    rules = services.settings.rules
    note = rt("cb.retry_note", hours=rules.callback_retry_hours, n=rules.callback_attempts)
    return CallbackRecord(
        row.order_id, summary, home.run_order_command(row.order_id, "record_callback", {}), note
    )


class CallbackHome(DetailedHome):
    QUEUE = "operators"
    HOME_TITLE = "home.callback"
    HELP_ROLE = "callback"
    BINDINGS = [
        Binding("f2", "record", "rk.record", id="callback.record"),
        Binding("f4", "notify_caller", "rk.notify", id="callback.notify"),
        Binding("f8", "next_tab", "rk.next_tab", id="callback.next_tab"),
        Binding("ctrl+r", "refresh", "rk.refresh", id="callback.refresh", show=False),
        Binding("ctrl+o", "app.logout", "key.logout", id="logout", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = 0

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        with TabbedContent(id="callback-tabs", initial="queue"):
            with TabPane(rt("tab.queue"), id="queue"):
                yield QueueView(id="queue-view", empty=rt("empty.queue"))
            with TabPane(rt("tab.tell"), id="tell"):
                yield QueueView(id="tell-view", empty=rt("empty.board"))
        yield SyncFooter()

    def on_mount(self) -> None:
        self.query_one("#queue-view", QueueView).table.focus()
        super().on_mount()

    def read_parts(self, parts: frozenset[str]) -> dict[str, Any]:
        if ORDERS not in parts:  # the operators' queues show orders only
            return {}
        s = self.services
        return {ORDERS: (s.callback_queue(self.QUEUE), s.supervision_board().caller_notifications)}

    def show_parts(self, data: Mapping[str, Any], changed: frozenset[str] | None) -> None:
        if ORDERS in data:
            queue, tell = data[ORDERS]
            self.query_one("#queue-view", QueueView).rows = [
                (r.order_id, "queue", r) for r in queue
            ]
            self.query_one("#tell-view", QueueView).rows = [(r.order_id, "notify", r) for r in tell]
        self.loaded += 1

    @on(QueueView.Chosen)
    def _chosen(self, event: QueueView.Chosen) -> None:
        if event.view.id == "tell-view":
            self.action_notify_caller()
        else:
            self.action_record()

    @property
    def active_view(self) -> QueueView:
        tabs = self.query_one("#callback-tabs", TabbedContent)
        return self.query_one("#tell-view" if tabs.active == "tell" else "#queue-view", QueueView)

    def action_record(self) -> None:
        row = self.query_one("#queue-view", QueueView).selected
        if self.need_order(row):
            self.open_with_order(row.order_id, lambda order: callback_dialog(self, row, order))

    def action_notify_caller(self) -> None:
        row = self.query_one("#tell-view", QueueView).selected
        if not self.need_order(row):
            return
        run = self.run_order_command(row.order_id, "notify_caller", {})
        self.open_with_order(row.order_id, lambda order: dialogs.notify_dialog(order or row, run))

    def action_next_tab(self) -> None:
        tabs = self.query_one("#callback-tabs", TabbedContent)
        tabs.active = "tell" if tabs.active == "queue" else "queue"
        self.active_view.table.focus()
