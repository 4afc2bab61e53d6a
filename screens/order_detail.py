"""The selected order in full: content, caller, deadline, reply, extension, return.

Attributes down: a home sets :attr:`OrderDetail.view` to an :class:`OrderView`. The caller
comes from the list row, which SeatServices already masked for unit users when the
caller asked for confidentiality; citizen text is rendered literally (safe_text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from screens.role_strings import rt
from screens.safe_text import clean
from workstation.orders import WorkOrder
from workstation.seat_api import OrderRow


@dataclass(frozen=True)
class OrderView:
    """What the detail pane shows: the order, its list row and extra lines (e.g. window)."""

    order: WorkOrder | None = None
    row: OrderRow | None = None
    extra: tuple[Text, ...] = field(default=())


def state_text(state: str) -> str:
    from screens.widgets.caller_panel import state_label

    return state_label(state)


def type_text(kind: str) -> str:
    from screens.widgets.order_form import type_label

    try:
        return type_label(kind)
    except ValueError:
        return str(kind)


def colon() -> str:
    from workstation.i18n import language

    return "：" if language() == "zh" else ": "


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "—"


def render_order(view: OrderView) -> Text:
    order, row = view.order, view.row
    if order is None and row is None:
        if view.extra:
            return Text("\n").join(view.extra)
        return Text(rt("detail.none"), style="dim")
    src: WorkOrder | OrderRow = order if order is not None else row  # type: ignore[assignment]
    text = Text()
    text.append(str(src.order_id), style="bold")
    text.append(f"  {type_text(src.type)} · {state_text(src.state)}")
    if src.confidential:
        text.append(f" [{rt('detail.confidential')}]", style="bold")
    if src.leader_instructed:
        text.append(f" [{rt('detail.leader')}]", style="bold")
    if row is not None and row.pending:
        text.append(f" ({rt('detail.pending')})", style="italic")
    text.append(f"\n{rt('detail.unit')} {src.unit}")
    if src.co_units:
        text.append(" + " + "、".join(src.co_units))
    text.append(f"  {rt('detail.deadline')} {_when(src.deadline)}")
    caller: WorkOrder | OrderRow = row if row is not None else src
    name = clean(caller.caller_name, multiline=False)
    phone = clean(caller.caller_phone, multiline=False)
    if name or phone:
        text.append(f"\n{rt('detail.caller')} {name} {phone}")
    text.append(f"\n{rt('detail.content')}" + colon(), style="bold")
    text.append(clean(src.content))
    if order is not None:
        _order_extras(text, order)
    for line in view.extra:
        text.append("\n")
        text.append_text(line)
    return text


def _order_extras(text: Text, order: WorkOrder) -> None:
    override = order.events[0].data.get("override") if order.events else None
    if isinstance(override, dict):  # dispatched against the assist's flag
        text.append(f"\n{rt('board.override')}" + colon(), style="bold reverse")
        text.append(clean(f"{override.get('flag', '')} · {override.get('reason', '')}"))
    if order.address:
        text.append(f"\n{rt('detail.address')} ")
        text.append(clean(order.address, multiline=False))
    if order.returned:
        r = order.returned
        text.append(f"\n{rt('detail.returned')}" + colon(), style="bold")
        text.append(
            rt(
                "detail.return_text",
                unit=clean(r.get("unit") or "", multiline=False),
                reason=clean(r.get("reason") or "", multiline=False),
                basis=clean(r.get("basis") or "", multiline=False),
            )
        )
    ext = order.extension
    if ext is not None:
        text.append(f"\n{rt('detail.extension')}" + colon(), style="bold")
        text.append(
            rt(
                "detail.ext_text",
                date=_when(ext.new_deadline),
                status=rt(f"ext.{ext.status}"),
                reason=clean(ext.reason, multiline=False),
            )
        )
    if order.reply:
        text.append(f"\n{rt('detail.reply')}" + colon(), style="bold")
        text.append(clean(order.reply))
    if order.callback_attempts:
        text.append(f"\n{rt('detail.callback')}" + colon(), style="bold")
        text.append(rt("detail.callback_text", n=order.callback_attempts))
        if order.satisfaction:
            text.append(" · " + rt(f"sat.{order.satisfaction}"))


class OrderDetail(VerticalScroll):
    """A scrollable, read-only view of one order."""

    DEFAULT_CSS = """
    OrderDetail { height: 1fr; padding: 0 1; }
    OrderDetail > Static { width: 1fr; height: auto; }
    """

    view: reactive[OrderView] = reactive(OrderView, always_update=True)

    def compose(self) -> ComposeResult:
        yield Static(id="detail-text")

    def watch_view(self, view: OrderView) -> None:
        self.query_one("#detail-text", Static).update(render_order(view))
        self.scroll_home(animate=False)

    @property
    def shown_text(self) -> str:
        return render_order(self.view).plain
