"""What the screens may ask of the app they run in, without importing the app itself.

``screens.app`` imports every screen (it routes to them); the screens reach the app only
through :class:`HostApp`, its base, so no screen closes an import cycle through the app.
"""

from __future__ import annotations

from textual.app import App
from textual.message import Message
from textual.reactive import reactive

from screens.call_events import IncomingCall
from workstation.seat_api import SeatServicesProtocol, Session, SyncStatus


class OrdersChanged(Message):
    """Orders changed in the seat's cache (a local write or a sync round): the current
    screen refreshes what shows them. ``order_ids`` empty: something else changed."""

    def __init__(self, kind: str, order_ids: frozenset[str]) -> None:
        super().__init__()
        self.kind = kind
        self.order_ids = order_ids


class HostApp(App[None]):
    """The app as the screens see it: the seat's services, the sync status and incoming
    call they watch, and what they ask of it (show a home, report an error, open the find dialog)."""

    sync_status: reactive[SyncStatus | None] = reactive(None, always_update=True)
    incoming_call: reactive[IncomingCall | None] = reactive(None, always_update=True)
    services: SeatServicesProtocol

    def show_home(self, session: Session) -> None:
        raise NotImplementedError

    def report_worker_error(self, error: BaseException | None) -> None:
        raise NotImplementedError

    def open_find(self, query: str) -> None:
        raise NotImplementedError
