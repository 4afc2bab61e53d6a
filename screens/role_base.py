"""What the unit, supervision and callback home screens share.

Each home reads its lists in a thread worker. After a local write or a sync round the app
posts :class:`~screens.host.OrdersChanged` with the order ids that changed: the home then
re-reads only the parts those ids touch (the order lists, the notices; the detail pane only
when its order changed), so a command done here or a change pulled from the server shows
without a key press; a full re-read every minute is the safety net. Order commands go through
:meth:`RoleHome.command_dialog`: the dialog runs the command and keeps what was typed
when the domain refuses it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.text import Text
from textual import work
from textual.widgets import DataTable

from screens.bindings import HotlineScreen
from screens.header_bar import HeaderBar
from screens.host import OrdersChanged
from screens.role_strings import RoleLabels, rt
from screens.safe_text import one_line


def countdown(days: int | None) -> Text:
    """The working-day countdown of an inbox row: 剩2日 / 今日到期 / 超1日."""
    if days is None:
        return Text("—")
    if days < 0:
        return Text(rt("days.over", n=-days), style="bold reverse")
    if days == 0:
        return Text(rt("days.today"), style="bold")
    return Text(rt("days.left", n=days))


def masked_line(text: object, limit: int) -> Text:
    """A list cell of citizen text: literal, one line, phone and ID numbers masked."""
    from workstation.masking import mask_text

    return one_line(mask_text(str(text or "")), limit)


FULL_REFRESH_S = 60.0
"""The safety net: every home re-reads everything this often, changes or not."""
ORDERS, NOTICES, PROPOSALS = "orders", "notices", "proposals"
ALL_PARTS = frozenset({ORDERS, NOTICES, PROPOSALS})


def day(moment: Any) -> str:
    return moment.strftime("%m-%d %H:%M") if moment is not None else "—"


class RowTable(DataTable[Any]):
    """A DataTable keyed by order (or notice) id that keeps the cursor on reload."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.records: dict[str, Any] = {}

    def fill(self, rows: list[tuple[str, Any, list[Any]]]) -> None:
        """Replace the rows: ``(key, record, cells)``; the selected key stays selected."""
        current = self.selected_key
        self.clear()
        self.records = {}
        for key, record, cells in rows:
            if key in self.records:
                continue
            self.records[key] = record
            self.add_row(*cells, key=key)
        if current in self.records:
            self.move_cursor(row=self.get_row_index(current))

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - an empty or shrinking table
            return None
        return str(key) if key is not None else None

    @property
    def selected(self) -> Any:
        key = self.selected_key
        return self.records.get(key) if key is not None else None


class RoleHome(RoleLabels, HotlineScreen):
    """Base of the role homes: header, automatic reloads, command dialogs."""

    HOME_TITLE = "home.unit"

    def __init__(self) -> None:
        super().__init__()
        self._reload_lock = threading.Lock()
        self._wanted: set[str] = set()
        self._changed: set[str] | None = set()  # None: everything may have changed

    def on_mount(self) -> None:
        self.query_one(HeaderBar).show(
            self.services.session, self.services.seat(), rt(self.HOME_TITLE)
        )
        self.set_interval(FULL_REFRESH_S, self.reload)
        self.reload()

    def on_orders_changed(self, event: OrdersChanged) -> None:
        """Orders changed: their lists and notices; no order ids (a KB proposal, a contact
        or a push acknowledged): the notices and proposals."""
        parts = {ORDERS, NOTICES} if event.order_ids else {NOTICES, PROPOSALS}
        self.refresh_parts(parts, event.order_ids)

    def reload(self) -> None:
        """Read every list again."""
        self.refresh_parts(ALL_PARTS, None)

    def refresh_parts(self, parts: Iterable[str], order_ids: Iterable[str] | None) -> None:
        """Re-read ``parts`` in a thread worker; requests made meanwhile are merged."""
        with self._reload_lock:
            self._wanted |= set(parts)
            if order_ids is None or self._changed is None:
                self._changed = None
            else:
                self._changed |= set(order_ids)
        self._read_parts()

    @work(thread=True, exclusive=True, group="home-reload", exit_on_error=False)
    def _read_parts(self) -> None:
        with self._reload_lock:
            parts, self._wanted = frozenset(self._wanted), set()
            changed, self._changed = self._changed, set()
        if not parts:
            return
        data = self.read_parts(parts)
        ids = None if changed is None else frozenset(changed)
        self.app.call_from_thread(self.show_parts, data, ids)

    def read_parts(self, parts: frozenset[str]) -> dict[str, Any]:
        """The lists of ``parts`` from the services (runs in a thread worker)."""
        return {}

    def show_parts(self, data: Mapping[str, Any], changed: frozenset[str] | None) -> None:
        """Show what :meth:`read_parts` read; ``changed``: the order ids that changed (None:
        any may have), so a detail pane re-reads its order only when it is one of them."""

    def action_refresh(self) -> None:
        self.reload()

    def command_dialog(
        self,
        dialog: Any,
        done: Callable[[Any], None] | None = None,
    ) -> None:
        """Push an :class:`~screens.action_dialog.ActionDialog`; reload after success."""

        def finished(result: Any) -> None:
            if result is None:
                return
            if isinstance(result, str):
                self.notify(result, markup=False)
            if done is not None:
                done(result)
            self.reload()

        self.app.push_screen(dialog, finished)

    def open_with_order(self, order_id: str, build: Callable[[Any], Any]) -> None:
        """Read the order (thread worker), then push the dialog ``build(order)`` makes."""
        self._fetch_then_open(order_id, build)

    @work(thread=True, group="open-dialog", exit_on_error=False)
    def _fetch_then_open(self, order_id: str, build: Callable[[Any], Any]) -> None:
        order = self.services.order(order_id)
        self.app.call_from_thread(lambda: self.command_dialog(build(order)))

    def run_order_command(
        self, order_id: str, command: str, args: dict[str, Any]
    ) -> Callable[[dict[str, Any]], Any]:
        """A dialog's ``run``: the command with fixed ``args`` plus what the dialog collected."""

        def run(values: dict[str, Any]) -> Any:
            self.services.order_command(order_id, command, {**args, **values})
            return rt(f"done.{command}", order=order_id)

        return run

    def need_order(self, row: Any) -> bool:
        if row is None:
            self.notify(rt("pick.order"), severity="warning")
            return False
        return True
