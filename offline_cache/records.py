"""The small frozen records the screens receive (docs/seat-services.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workstation.models import Role


@dataclass(frozen=True)
class SeatInfo:
    seat: str
    prefix: str
    server_url: str
    client_id: str
    city: str = ""


@dataclass(frozen=True)
class Session:
    user: str
    display_name: str
    role: Role
    unit: str | None
    online: bool


@dataclass(frozen=True)
class SyncProblem:
    """A command the server rejected: final, kept for a person to read (同步问题)."""

    op_id: str
    mutation_id: int
    command: str
    order_id: str | None
    user: str
    args: dict[str, Any]
    reason: dict[str, Any]
    at: datetime | None

    def message(self, lang: str = "zh") -> str:
        return str(self.reason.get(lang) or self.reason.get("en") or self.reason.get("code"))


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    pending: int
    oldest_pending_age: timedelta | None
    last_success: datetime | None
    problems: int
    needs_login: bool = False
    last_error: str | None = None


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    state: str
    type: str
    unit: str
    content: str
    caller_name: str
    caller_phone: str
    deadline: datetime | None
    created_at: datetime | None
    flags: dict[str, bool]
    version: int
    pending: bool
    confidential: bool = False
    leader_instructed: bool = False
    co_units: tuple[str, ...] = ()
    next_callback_at: datetime | None = None


@dataclass(frozen=True)
class InboxRow(OrderRow):
    bucket: str = "new"  # new | signed | due_soon | overdue | returned | extension
    working_days_left: int | None = None


@dataclass(frozen=True)
class ContactRow:
    contact_id: str
    received_at: datetime | None
    outcome: str
    type: str | None
    content: str
    caller_name: str
    caller_phone: str
    order_id: str | None
    pending: bool
    reject_reason: str | None = None


@dataclass(frozen=True)
class Board:
    """The supervision center's board (督查看板)."""

    overdue: list[OrderRow] = field(default_factory=list)
    extension_requests: list[OrderRow] = field(default_factory=list)
    returned: list[OrderRow] = field(default_factory=list)
    dissatisfied: list[OrderRow] = field(default_factory=list)
    caller_notifications: list[OrderRow] = field(default_factory=list)


@dataclass(frozen=True)
class NoticeRow:
    number: str
    kind: str
    order_id: str
    unit: str
    issued_at: datetime | None
    text: str
    copied_to: str = ""


@dataclass(frozen=True)
class ProposalRow:
    proposal_id: str
    status: str
    title: str
    unit: str
    data: dict[str, Any]
    pending: bool


@dataclass(frozen=True)
class WebRequestRow:
    """A request from the web or mobile channel waiting for an agent (网络诉求待受理)."""

    contact_id: str
    received_at: datetime | None
    channel: str
    type: str | None
    content: str
    caller_name: str
    caller_phone: str
    service_name: str = ""
    address: str = ""

    def form(self) -> dict[str, Any]:
        """The intake form's fields as the citizen gave them, with this contact's id."""
        return {
            "contact_id": self.contact_id,
            "channel": self.channel,
            "type": self.type,
            "content": self.content,
            "caller_name": self.caller_name,
            "caller_phone": self.caller_phone,
            "address": self.address,
        }
