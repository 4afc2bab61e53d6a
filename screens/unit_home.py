"""The handling unit's home (承办单位): inbox with countdown, sign, return, extend, reply.

Three pages: the inbox (new, signed, due-soon, overdue, returned orders, most urgent
first, with the selected order in full below), the urging and criticism notices
addressed to the unit, and the unit's knowledge-base proposals. Every command is checked
by SeatServices before anything is written; a refusal is shown in the dialog, or on the
message line for keyless commands such as signing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from screens import order_dialogs as dialogs
from screens.bindings import show_text
from screens.header_bar import HeaderBar
from screens.order_detail import OrderDetail, OrderView
from screens.role_base import (
    NOTICES,
    ORDERS,
    PROPOSALS,
    RowTable,
    countdown,
    day,
    masked_line,
)
from screens.role_details import DetailedHome
from screens.role_strings import rt
from screens.safe_text import one_line
from screens.widgets.sync_footer import SyncFooter
from workstation.errors import UserFacingError
from workstation.seat_api import InboxRow, NoticeRow, ProposalRow

TABS = ("inbox", "notices", "kb")
_BUCKET_STYLE = {"overdue": "bold reverse", "due_soon": "bold", "returned": "dim"}


class UnitHome(DetailedHome):
    HELP_ROLE = "unit"
    BINDINGS = [
        Binding("f2", "sign", "rk.sign", id="unit.sign"),
        Binding("f3", "return_order", "rk.return", id="unit.return"),
        Binding("f4", "extension", "rk.extend", id="unit.extension"),
        Binding("f6", "reply", "rk.reply", id="unit.reply"),
        Binding("f7", "propose", "rk.propose", id="unit.propose"),
        Binding("f8", "next_tab", "rk.next_tab", id="unit.next_tab"),
        Binding("ctrl+r", "refresh", "rk.refresh", id="unit.refresh", show=False),
        Binding("ctrl+o", "app.logout", "key.logout", id="logout", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.now: datetime | None = None
        self.detail_order: Any = None
        self.window_end: datetime | None = None
        self.loaded = 0

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        with TabbedContent(id="unit-tabs", initial="inbox"):
            with TabPane(rt("tab.inbox"), id="inbox"):
                with Vertical(classes="list-and-detail"):
                    yield RowTable(id="inbox-table", classes="role-table")
                    yield Static(id="home-message", classes="home-message")
                    yield OrderDetail(id="inbox-detail")
            with TabPane(rt("tab.notices"), id="notices"):
                yield RowTable(id="notice-table", classes="role-table")
                yield OrderDetail(id="notice-detail")
            with TabPane(rt("tab.kb"), id="kb"):
                yield RowTable(id="kb-table", classes="role-table")
        yield SyncFooter()

    def on_mount(self) -> None:
        inbox = self.query_one("#inbox-table", RowTable)
        inbox.add_column(rt("col.kind"), width=8)
        inbox.add_column(rt("col.order"), width=16)
        inbox.add_column(rt("col.left"), width=8)
        inbox.add_column(rt("col.content"), width=36)
        notices = self.query_one("#notice-table", RowTable)
        for label, width in (
            ("col.number", 20),
            ("col.kind", 10),
            ("col.order", 16),
            ("col.date", 12),
        ):
            notices.add_column(rt(label), width=width)
        kb = self.query_one("#kb-table", RowTable)
        kb.add_column(rt("col.status"), width=8)
        kb.add_column(rt("col.title"), width=56)
        show_text(self.query_one("#home-message", Static), None)
        inbox.focus()
        super().on_mount()

    # -- reading ---------------------------------------------------------------------------

    def read_parts(self, parts: frozenset[str]) -> dict[str, Any]:
        s = self.services
        unit = s.session.unit if s.session else None
        data: dict[str, Any] = {"now": s.now()}
        if ORDERS in parts:
            data[ORDERS] = s.unit_inbox()
        if NOTICES in parts:
            data[NOTICES] = s.notices(unit)
        if PROPOSALS in parts:
            data[PROPOSALS] = s.kb_proposals()
        return data

    def show_parts(self, data: Mapping[str, Any], changed: frozenset[str] | None) -> None:
        self.now = data["now"]
        if ORDERS in data:
            self._show_inbox(data[ORDERS], changed)
        if NOTICES in data:
            self._show_notices(data[NOTICES])
        if PROPOSALS in data:
            self._show_proposals(data[PROPOSALS])
        self.loaded += 1

    def _show_inbox(self, inbox: list[InboxRow], changed: frozenset[str] | None) -> None:
        table = self.query_one("#inbox-table", RowTable)
        before = table.selected_key
        table.fill(
            [
                (
                    r.order_id,
                    r,
                    [
                        Text(rt(f"bucket.{r.bucket}"), style=_BUCKET_STYLE.get(r.bucket, "")),
                        r.order_id,
                        countdown(r.working_days_left),
                        masked_line(r.content, 34),
                    ],
                )
                for r in inbox
            ]
        )
        if not inbox:
            self.query_one("#inbox-detail", OrderDetail).view = OrderView(
                extra=(Text(rt("empty.inbox"), style="dim"),)
            )
        selected = table.selected_key
        if changed is None or selected != before or selected in changed:
            self._load_detail(table.selected)  # the detail pane: only when its order changed

    def _show_notices(self, notices: list[NoticeRow]) -> None:
        self.query_one("#notice-table", RowTable).fill(
            [
                (
                    n.number,
                    n,
                    [one_line(n.number, 20), rt(f"notice.{n.kind}"), n.order_id, day(n.issued_at)],
                )
                for n in notices
            ]
        )
        self._show_notice(self.query_one("#notice-table", RowTable).selected)

    def _show_proposals(self, proposals: list[ProposalRow]) -> None:
        session_unit = self.services.session.unit if self.services.session else None
        self.query_one("#kb-table", RowTable).fill(
            [
                (p.proposal_id, p, [rt(f"kb.status.{p.status}"), one_line(p.title, 54)])
                for p in proposals
                if not p.unit or p.unit == session_unit
            ]
        )

    @on(DataTable.RowHighlighted, "#inbox-table")
    def _inbox_moved(self, event: DataTable.RowHighlighted) -> None:
        self._load_detail(
            self.query_one("#inbox-table", RowTable).records.get(str(event.row_key.value))
        )

    @work(thread=True, exclusive=True, group="unit-detail", exit_on_error=False)
    def _load_detail(self, row: Any) -> None:
        if row is None:
            return
        s = self.services
        order = s.order(row.order_id)
        window_end = self.window_of(order)
        extra: list[Text] = []
        if window_end is not None:
            now = s.now()
            key = "detail.window_closed" if now > window_end else "detail.window_open"
            extra.append(Text(rt(key, end=window_end.strftime("%Y-%m-%d %H:%M")), style="italic"))
        self.app.call_from_thread(self._detail_loaded, row, order, window_end, tuple(extra))

    def window_of(self, order: Any) -> datetime | None:
        """The end of the return window (退回期限) of an order the unit may still return."""
        if order is None or order.state.value not in ("dispatched", "signed"):
            return None
        from workstation.deadlines import return_window_end

        s = self.services
        return return_window_end(
            order.dispatched_at,
            s.calendar(),
            s.settings.rules,
            tz=s.settings.timezone,
            end=s.settings.deadline_end,
        )

    def _detail_loaded(
        self, row: Any, order: Any, window_end: Any, extra: tuple[Text, ...]
    ) -> None:
        if self.query_one("#inbox-table", RowTable).selected_key != row.order_id:
            return
        self.detail_order = order
        self.window_end = window_end
        self.query_one("#inbox-detail", OrderDetail).view = OrderView(order, row, extra)

    # -- commands --------------------------------------------------------------------------

    @property
    def selected(self) -> Any:
        return self.query_one("#inbox-table", RowTable).selected

    def _message(self, text: str | None) -> None:
        show_text(self.query_one("#home-message", Static), Text(text) if text else None)

    def action_sign(self) -> None:
        row = self.selected
        if self.need_order(row):
            self._message(None)
            self._sign(row.order_id)

    @work(thread=True, exclusive=True, group="unit-sign", exit_on_error=False)
    def _sign(self, order_id: str) -> None:
        try:
            self.services.order_command(order_id, "sign", {})
        except UserFacingError as exc:
            self.app.call_from_thread(self._message, exc.message())
            return
        self.app.call_from_thread(self.notify, rt("done.sign", order=order_id), markup=False)

    def action_return_order(self) -> None:
        row = self.selected
        if not self.need_order(row):
            return
        self._message(None)
        now = self.now or self.services.now()
        run = self.run_order_command(row.order_id, "return_order", {})
        self.open_with_order(
            row.order_id,
            lambda order: dialogs.return_dialog(row.order_id, self.window_of(order), now, run),
        )

    def action_extension(self) -> None:
        row = self.selected
        if not self.need_order(row):
            return
        self._message(None)
        now = self.now or self.services.now()
        run = self.run_order_command(row.order_id, "request_extension", {})
        self.open_with_order(
            row.order_id,
            lambda order: dialogs.extension_dialog(
                row.order_id, order.deadline if order else row.deadline, now, run
            ),
        )

    def action_reply(self) -> None:
        row = self.selected
        if self.need_order(row):
            self._message(None)
            run = self.run_order_command(row.order_id, "reply", {})
            self.command_dialog(dialogs.reply_dialog(row.order_id, run))

    def action_propose(self) -> None:
        services = self.services

        def run(values: dict[str, Any]) -> str:
            unit = services.session.unit if services.session else ""
            article = {k: values[k] for k in ("title", "body", "category", "id") if values.get(k)}
            article["unit"] = unit or ""
            services.propose_article(article, values.get("policy_basis") or "")
            return rt("done.propose")

        self.command_dialog(dialogs.proposal_dialog(run))

    def action_next_tab(self) -> None:
        tabs = self.query_one("#unit-tabs", TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + 1) % len(TABS)]
        table = {"inbox": "#inbox-table", "notices": "#notice-table", "kb": "#kb-table"}[
            tabs.active
        ]
        self.query_one(table).focus()
