"""F11 on the intake screen: web and mobile requests waiting for triage (网络诉求待受理).

Requests posted through the Open311 endpoint (the city's website, the mobile app) arrive
as contacts with outcome ``logged``. This dialog lists them oldest first
(``SeatServices.web_requests``) with the highlighted one's full text; Enter returns the
chosen row, and the intake screen loads it into the form with its contact id, so the
agent's dispatch, answer, rejection or link triages that very contact on the server.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from screens.bindings import HotlineModal, show_text
from screens.safe_text import clean, one_line

_STRINGS: dict[str, tuple[str, str]] = {
    "title": ("网络诉求 · 待受理（{n}）", "Web and mobile requests · waiting ({n})"),
    "hint": (
        "回车载入受理表单，随后派单、答复、不予受理或关联；Esc 关闭。",
        "Enter loads it into the intake form; then dispatch, answer, reject or link. Esc closes.",
    ),
    "empty": ("没有待受理的网络诉求。", "No web or mobile requests are waiting."),
    "loading": ("正在读取…", "Loading…"),
    "col.time": ("提交时间", "Posted"),
    "col.channel": ("渠道", "Channel"),
    "col.service": ("类别", "Category"),
    "col.content": ("诉求", "Request"),
    "channel.web": ("网站", "web"),
    "channel.mobile": ("移动端", "mobile"),
    "channel.mailbox": ("市长信箱", "mailbox"),
    "caller": ("提交人：{name} {phone}", "Submitted by: {name} {phone}"),
    "loaded": ("已载入网络诉求 {id}", "Loaded web request {id}"),
}


def wt(key: str, **values: object) -> str:
    """This dialog's text in the user's language."""
    from workstation.i18n import language

    zh, en = _STRINGS[key]
    text = zh if language() == "zh" else en
    return text.format(**values) if values else text


class WebRequestsScreen(HotlineModal[Any]):
    """The waiting web/mobile requests; dismisses with the chosen ``WebRequestRow``."""

    DEFAULT_CSS = """
    WebRequestsScreen { align: center middle; }
    #web-box { width: 90%; height: 80%; }
    #web-table { height: 1fr; }
    #web-preview { height: auto; max-height: 8; background: $boost; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "key.close", id="web.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, Any] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="web-box", classes="dialog"):
            yield Static(Text(wt("title", n="…"), style="bold"), id="web-title")
            yield Static(Text(wt("hint"), style="dim"))
            yield DataTable(id="web-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="web-preview")

    def on_mount(self) -> None:
        table = self.query_one("#web-table", DataTable)
        table.add_column(wt("col.time"), width=11)
        table.add_column(wt("col.channel"), width=6)
        table.add_column(wt("col.service"), width=10)
        table.add_column(wt("col.content"), width=50)
        show_text(self.query_one("#web-preview", Static), Text(wt("loading"), style="italic"))
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="web-requests", exit_on_error=False)
    def _load(self) -> None:
        rows = self.services.web_requests()
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[Any]) -> None:
        table = self.query_one("#web-table", DataTable)
        table.clear()
        self.rows = {}
        for row in rows:
            self.rows[row.contact_id] = row
            when = row.received_at.strftime("%m-%d %H:%M") if row.received_at else "—"
            table.add_row(
                when,
                wt(f"channel.{row.channel}") if row.channel in ("web", "mobile", "mailbox") else row.channel,
                one_line(row.service_name or "—", 10),
                one_line(row.content, 50),
                key=row.contact_id,
            )
        title = self.query_one("#web-title", Static)
        title.update(Text(wt("title", n=len(rows)), style="bold"))
        self.loaded = True
        self._preview(self.selected)

    @property
    def selected(self) -> Any:
        table = self.query_one("#web-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(key)) if key is not None else None

    def _preview(self, row: Any) -> None:
        preview = self.query_one("#web-preview", Static)
        if row is None:
            show_text(preview, Text(wt("empty"), style="italic"))
            return
        text = Text(f"{row.contact_id}  ", style="bold")
        name, phone = clean(row.caller_name, multiline=False), clean(row.caller_phone)
        if name or phone:
            text.append(wt("caller", name=name, phone=phone) + "\n")
        text.append(clean(row.content))
        show_text(preview, text)

    @on(DataTable.RowHighlighted, "#web-table")
    def _highlighted(self) -> None:
        self._preview(self.selected)

    @on(DataTable.RowSelected, "#web-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self.rows.get(str(event.row_key.value))
        if row is not None:
            self.dismiss(row)
