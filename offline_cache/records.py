"""The records the seat's views return: defined once, in :mod:`workstation.seat_api`."""

from workstation.seat_api import (
    Board,
    ContactRow,
    InboxRow,
    NoticeRow,
    OrderRow,
    ProposalRow,
    SeatInfo,
    Session,
    SyncProblem,
    SyncStatus,
    WebRequestRow,
)

__all__ = [
    "Board",
    "ContactRow",
    "InboxRow",
    "NoticeRow",
    "OrderRow",
    "ProposalRow",
    "SeatInfo",
    "Session",
    "SyncProblem",
    "SyncStatus",
    "WebRequestRow",
]
