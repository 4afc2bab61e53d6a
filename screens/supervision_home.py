"""The supervision center's home (督查中心): board, its callbacks, notices, assessment, KB.

The board lists overdue orders, extension requests, returned orders, dissatisfied
callbacks and the approved extensions whose caller must still be told; Enter does the
row's obvious next step (decide, reassign, re-handle, tell), F-keys the others. Notices
export as text and PDF, the assessment as CSV and XLSX (files under the seat's data
directory, ``exports/``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, TabbedContent, TabPane

from screens import order_dialogs as dialogs
from screens.assessment_view import AssessmentView
from screens.callback_home import callback_dialog
from screens.callback_queue_view import QueueView
from screens.header_bar import HeaderBar
from screens.order_detail import OrderDetail, OrderView
from screens.role_base import NOTICES, ORDERS, PROPOSALS, RowTable, day
from screens.role_details import DetailedHome
from screens.role_strings import rt
from screens.safe_text import clean, one_line
from screens.widgets.sync_footer import SyncFooter
from workstation.seat_api import Board, NoticeRow, OrderRow, ProposalRow

TABS = ("board", "callbacks", "notices", "assessment", "kb")
SECTIONS = ("overdue", "extension", "returned", "dissatisfied", "notify", "override")
CLOSED_SECTIONS = ("published", "withheld", "default_public", "default_withheld", "confidential")
"""A closed order's row on the board, by its publication state: decided (公开 / 不公开), the
type's default while undecided (``[web] publish_by_default``), or confidential (保密)."""
PUBLIC_SECTIONS = ("published", "default_public")
ENTER_ACTION = {
    "extension": "decide",
    "returned": "reassign",
    "dissatisfied": "rehandle",
    "notify": "notify_caller",
}


def publication(row: OrderRow, by_default: Collection[str]) -> str:
    """The board section of a closed order: why it is or is not on the citizens' page."""
    if row.confidential:
        return "confidential"
    if row.published is None:
        return "default_public" if row.type in by_default else "default_withheld"
    return "published" if row.published else "withheld"


def month_start(moment: datetime, shift: int = 0) -> datetime:
    """The first instant of the month ``shift`` months from ``moment``'s (same zone)."""
    index = moment.year * 12 + moment.month - 1 + shift
    return moment.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


class SupervisionHome(DetailedHome):
    HOME_TITLE = "home.supervision"
    HELP_ROLE = "supervisor"
    BINDINGS = [
        Binding("f2", "decide", "rk.decide", id="super.decide"),
        Binding("f3", "reassign", "rk.reassign", id="super.reassign"),
        Binding("f4", "rehandle", "rk.rehandle", id="super.rehandle"),
        Binding("f6", "close_order", "rk.close", id="super.close"),
        Binding("f7", "notify_caller", "rk.notify", id="super.notify"),
        Binding("f8", "next_tab", "rk.next_tab", id="super.next_tab"),
        Binding("f9", "export", "rk.export", id="super.export"),
        Binding("f10", "publication", "rk.publication", id="super.publication"),
        Binding("f12", "add_co_handler", "rk.co_handler", id="super.co_handler"),
        Binding("[", "period(-1)", "rk.prev", id="super.prev", show=False),
        Binding("]", "period(1)", "rk.next", id="super.next", show=False),
        Binding("g", "toggle_chart", "rk.chart", id="super.chart", show=False),
        Binding("ctrl+r", "refresh", "rk.refresh", id="super.refresh", show=False),
        Binding("ctrl+o", "app.logout", "key.logout", id="logout", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[Any] = []
        self.units: list[Any] = []
        self.period_shift = 0
        self.loaded = 0
        self.last_export: list[Path] = []
        self._follow: str | None = None  # the board row to highlight after the next reload

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        with TabbedContent(id="super-tabs", initial="board"):
            with TabPane(rt("tab.board"), id="board"):
                yield QueueView(id="board-view", empty=rt("empty.board"), sections=True)
            with TabPane(rt("tab.callbacks"), id="callbacks"):
                yield QueueView(id="super-queue", empty=rt("empty.queue"))
            with TabPane(rt("tab.notices"), id="notices"):
                yield RowTable(id="notice-table", classes="role-table")
                yield OrderDetail(id="notice-detail")
            with TabPane(rt("tab.assessment"), id="assessment"):
                yield AssessmentView(id="assessment-view")
            with TabPane(rt("tab.kb"), id="kb"):
                yield RowTable(id="kb-table", classes="role-table")
                yield OrderDetail(id="kb-detail")
        yield SyncFooter()

    def on_mount(self) -> None:
        notices = self.query_one("#notice-table", RowTable)
        for label, width in (
            ("col.number", 20),
            ("col.kind", 10),
            ("col.unit", 6),
            ("col.order", 16),
            ("col.date", 11),
        ):
            notices.add_column(rt(label), width=width)
        kb = self.query_one("#kb-table", RowTable)
        kb.add_column(rt("col.status"), width=8)
        kb.add_column(rt("col.unit"), width=6)
        kb.add_column(rt("col.title"), width=50)
        self.query_one("#board-view", QueueView).table.focus()
        super().on_mount()
        self.load_assessment()

    # -- reading ---------------------------------------------------------------------------

    def read_parts(self, parts: frozenset[str]) -> dict[str, Any]:
        s = self.services
        data: dict[str, Any] = {}
        if ORDERS in parts:
            data[ORDERS] = (s.supervision_board(), s.callback_queue("supervision"))
        if NOTICES in parts:
            data[NOTICES] = s.notices()
        if PROPOSALS in parts:
            data[PROPOSALS] = s.kb_proposals()
        if not self.units:
            self.units = s.units()
        return data

    def show_parts(self, data: Mapping[str, Any], changed: frozenset[str] | None) -> None:
        if ORDERS in data:
            self._show_orders(*data[ORDERS])
        if NOTICES in data:
            self._show_notices(data[NOTICES])
        if PROPOSALS in data:
            self._show_proposals(data[PROPOSALS])
        self.loaded += 1

    def _show_orders(self, board: Board, queue: list[OrderRow]) -> None:
        lists = (
            board.overdue,
            board.extension_requests,
            board.returned,
            board.dissatisfied,
            board.caller_notifications,
            board.overridden,  # dispatched against the assist's flag: the reason is on the trail
        )
        rows = [
            (f"{sec}:{r.order_id}", sec, r)
            for sec, items in zip(SECTIONS, lists, strict=True)
            for r in items
        ]
        by_default = self.services.settings.web.publish_by_default
        for r in board.closed:
            section = publication(r, by_default)
            rows.append((f"{section}:{r.order_id}", section, r))
        self.query_one("#board-view", QueueView).rows = rows
        follow, self._follow = self._follow, None
        table = self.board.table
        if follow in table.records:
            table.move_cursor(row=table.get_row_index(follow))
        self.query_one("#super-queue", QueueView).rows = [(r.order_id, "queue", r) for r in queue]

    def _show_notices(self, notices: list[NoticeRow]) -> None:
        self.notices = notices
        self.query_one("#notice-table", RowTable).fill(
            [
                (
                    n.number,
                    n,
                    [
                        one_line(n.number, 20),
                        rt(f"notice.{n.kind}"),
                        n.unit,
                        n.order_id,
                        day(n.issued_at),
                    ],
                )
                for n in notices
            ]
        )
        self._show_notice(self.query_one("#notice-table", RowTable).selected)

    def _show_proposals(self, proposals: list[ProposalRow]) -> None:
        self.query_one("#kb-table", RowTable).fill(
            [
                (p.proposal_id, p, [rt(f"kb.status.{p.status}"), p.unit, one_line(p.title, 48)])
                for p in proposals
            ]
        )
        self._show_proposal(self.query_one("#kb-table", RowTable).selected)

    @on(DataTable.RowHighlighted, "#kb-table")
    def _proposal_moved(self, event: DataTable.RowHighlighted) -> None:
        self._show_proposal(
            self.query_one("#kb-table", RowTable).records.get(str(event.row_key.value))
        )

    def _show_proposal(self, proposal: Any) -> None:
        text = Text()
        if proposal is not None:
            article = proposal.data.get("article") or {}
            text.append(clean(article.get("title") or "", multiline=False) + "\n", style="bold")
            text.append(clean(article.get("body") or "") + "\n")
            text.append(f"{rt('kb.basis')}：", style="bold")
            text.append(clean(proposal.data.get("policy_basis") or ""))
        self.query_one("#kb-detail", OrderDetail).view = OrderView(
            extra=(text,) if proposal else ()
        )

    # -- board commands --------------------------------------------------------------------

    @property
    def board(self) -> QueueView:
        return self.query_one("#board-view", QueueView)

    def _board_row(self, section: str) -> Any:
        row = self.board.selected
        if not self.need_order(row):
            return None
        if self.board.selected_section != section:
            self.notify(rt("not.section"), severity="warning")
            return None
        return row

    @on(QueueView.Chosen)
    def _chosen(self, event: QueueView.Chosen) -> None:
        if event.view.id == "super-queue":
            self.action_record()
            return
        action = ENTER_ACTION.get(self.board.selected_section or "")
        if action is not None:
            getattr(self, f"action_{action}")()

    def action_decide(self) -> None:
        row = self._board_row("extension")
        if row is not None:
            run = self.run_order_command(row.order_id, "decide_extension", {})
            self.open_with_order(row.order_id, lambda order: dialogs.decision_dialog(order, run))

    def action_reassign(self) -> None:
        row = self._board_row("returned")
        if row is not None:
            run = self.run_order_command(row.order_id, "reassign", {})
            self.open_with_order(
                row.order_id, lambda order: dialogs.reassign_dialog(order, self.units, run)
            )

    def action_rehandle(self) -> None:
        row = self._board_row("dissatisfied")
        if row is not None:
            run = self.run_order_command(row.order_id, "rehandle", {})
            self.open_with_order(
                row.order_id, lambda order: dialogs.rehandle_dialog(order, self.units, run)
            )

    def action_add_co_handler(self) -> None:
        row = self.board.selected
        if self.need_order(row):
            run = self.run_order_command(row.order_id, "add_co_handler", {})
            self.open_with_order(
                row.order_id, lambda order: dialogs.co_handler_dialog(order, self.units, run)
            )

    def action_close_order(self) -> None:
        row = self._board_row("dissatisfied")
        if row is not None:
            run = self.run_order_command(row.order_id, "close", {})
            self.command_dialog(dialogs.close_dialog(row.order_id, run))

    def action_notify_caller(self) -> None:
        row = self._board_row("notify")
        if row is not None:
            run = self.run_order_command(row.order_id, "notify_caller", {})
            self.open_with_order(row.order_id, lambda order: dialogs.notify_dialog(order, run))

    def action_publication(self) -> None:
        """Publish the highlighted closed order on the citizens' page, or withhold it."""
        row = self.board.selected
        if not self.need_order(row):
            return
        section = self.board.selected_section
        if section not in CLOSED_SECTIONS:
            self.notify(rt("pub.not_closed"), severity="warning")
        elif section == "confidential":
            self.notify(rt("pub.confidential"), severity="warning", timeout=8)
        else:
            self._set_publication(row.order_id, section not in PUBLIC_SECTIONS)

    @work(thread=True, group="publication", exit_on_error=False)
    def _set_publication(self, order_id: str, published: bool) -> None:
        self.services.set_publication(order_id, published)
        self._follow = f"{'published' if published else 'withheld'}:{order_id}"
        done = rt("pub.done_publish" if published else "pub.done_withhold", order=order_id)
        self.app.call_from_thread(self.notify, done, markup=False)
        self.app.call_from_thread(self.reload)

    def action_record(self) -> None:
        row = self.query_one("#super-queue", QueueView).selected
        if self.need_order(row):
            self.open_with_order(row.order_id, lambda order: callback_dialog(self, row, order))

    def action_review(self) -> None:
        proposal = self.query_one("#kb-table", RowTable).selected
        if proposal is None:
            self.notify(rt("pick.proposal"), severity="warning")
            return
        services = self.services

        def run(values: dict[str, Any]) -> str:
            services.review_proposal(
                proposal.proposal_id, bool(values.get("publish")), values.get("comment") or ""
            )
            return rt("done.review")

        self.command_dialog(dialogs.review_dialog(proposal, run))

    @on(DataTable.RowSelected, "#kb-table")
    def _review_selected(self) -> None:
        self.action_review()

    # -- tabs, assessment, exports ---------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return str(self.query_one("#super-tabs", TabbedContent).active)

    def action_next_tab(self) -> None:
        tabs = self.query_one("#super-tabs", TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + 1) % len(TABS)]
        focus = {
            "board": "#board-view RowTable",
            "callbacks": "#super-queue RowTable",
            "notices": "#notice-table",
            "assessment": "#assessment-table",
            "kb": "#kb-table",
        }[tabs.active]
        self.query_one(focus).focus()

    def action_period(self, shift: int) -> None:
        self.period_shift += shift
        self.load_assessment()

    def action_toggle_chart(self) -> None:
        view = self.query_one(AssessmentView)
        view.show_chart = not view.show_chart

    @work(thread=True, exclusive=True, group="assessment", exit_on_error=False)
    def load_assessment(self) -> None:
        s = self.services
        now = s.now()
        start = month_start(now, self.period_shift)
        result = s.assessment(start, month_start(now, self.period_shift + 1))
        self.app.call_from_thread(setattr, self.query_one(AssessmentView), "assessment", result)

    def action_export(self) -> None:
        tab = self.active_tab
        if tab == "assessment":
            self._export_assessment(self.query_one(AssessmentView).assessment)
        elif self.notices:
            self._export_notices(list(self.notices))
        else:
            self.notify(rt("pick.notice"), severity="warning")

    def _export_dir(self) -> Path:
        return Path(self.services.data_dir) / "exports"

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export_notices(self, notices: list[Any]) -> None:
        from workstation.exports import write_notices_pdf, write_notices_text
        from workstation.i18n import language

        stamp = self.services.now().strftime("%Y%m%d-%H%M%S")
        base = self._export_dir() / f"notices-{stamp}"
        paths = [
            write_notices_text(notices, base.with_suffix(".txt"), language()),
            write_notices_pdf(notices, base.with_suffix(".pdf"), language()),
        ]
        self.app.call_from_thread(self._exported, paths)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export_assessment(self, result: Any) -> None:
        if result is None:
            return
        from workstation.exports import write_assessment_csv, write_assessment_xlsx
        from workstation.i18n import language

        base = self._export_dir() / f"assessment-{result.start:%Y%m}"
        paths = [
            write_assessment_csv(result, base.with_suffix(".csv"), language()),
            write_assessment_xlsx(result, base.with_suffix(".xlsx"), language()),
        ]
        self.app.call_from_thread(self._exported, paths)

    def _exported(self, paths: list[Path]) -> None:
        self.last_export = paths
        self.notify(
            rt("done.export", path=", ".join(str(p) for p in paths)), markup=False, timeout=8
        )
