"""The seat's services as the screens see them: one ``Protocol`` and the frozen records.

The screens import this module, the other domain types and Textual, nothing else: the
concrete ``offline_cache.services.SeatServices`` (SQLite, outbox, sync, the knowledge base
and the intake assist behind it) is built by the program (``hotline.seat_cli``) and passed
in. Every method is synchronous and fast (local SQLite), safe to call from a thread worker;
only ``sync_once`` and the sync loop's ``run`` are async. Actions raise ``workstation.errors``
(``ValidationError`` with ``.field``, ``FormErrors``, ``DomainError``) before writing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from workstation.models import OrderType, RejectReason, Role, Unit

if TYPE_CHECKING:
    from workstation.assessment import Assessment
    from workstation.calendar import WorkingCalendar
    from workstation.config import Settings
    from workstation.intake_form import IntakeForm
    from workstation.orders import WorkOrder

# -- seat and session --------------------------------------------------------------------


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


# -- sync --------------------------------------------------------------------------------


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
    connecting: bool = False  # started, and the server has not answered yet


@dataclass(frozen=True)
class SeatChange:
    """What changed in the seat's cache: after a local write (``local_write``) or a sync
    round (``sync``), with the orders it touched (the screens refresh just those)."""

    kind: str
    orders: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, change: Mapping[str, Any]) -> SeatChange:
        return cls(str(change.get("kind", "")), tuple(str(o) for o in change.get("orders") or ()))


class SyncLoopHandle(Protocol):
    """The background sync (an async worker runs ``run()``); ``wake()`` from any thread."""

    def run(self) -> Awaitable[None]: ...

    def wake(self) -> None: ...

    def stop(self) -> None: ...


FIND_LIMIT = 50
"""``find_orders`` lists at most this many orders (newest first)."""


# -- list rows -----------------------------------------------------------------------------


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
    published: bool | None = None
    """公开: a closed order published (True) or withheld (False) on the citizens' page;
    None while the supervision center has not decided (the type's default applies)."""


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
class CallerHistory:
    """A caller's orders and contacts for the caller panel, and where they came from:
    ``online`` (the server, everyone's calls) or ``local`` (this seat's cache: offline, or
    the lookup failed: ``error`` says why)."""

    orders: list[OrderRow]
    contacts: list[ContactRow]
    source: str  # online | local
    error: str | None = None


@dataclass(frozen=True)
class Board:
    """The supervision center's board (督查看板)."""

    overdue: list[OrderRow] = field(default_factory=list)
    extension_requests: list[OrderRow] = field(default_factory=list)
    returned: list[OrderRow] = field(default_factory=list)
    dissatisfied: list[OrderRow] = field(default_factory=list)
    caller_notifications: list[OrderRow] = field(default_factory=list)
    overridden: list[OrderRow] = field(default_factory=list)
    """Open orders dispatched although the assist flagged the call (派单理由 on the trail)."""
    closed: list[OrderRow] = field(default_factory=list)
    """The latest closed orders, each with its publication state (公开 / 不公开)."""


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
        """The intake form's raw values as the citizen gave them, with this contact's id."""
        return {
            "contact_id": self.contact_id,
            "channel": self.channel,
            "type": self.type,
            "content": self.content,
            "caller_name": self.caller_name,
            "caller_phone": self.caller_phone,
            "address": self.address,
        }


# -- knowledge base and intake assist --------------------------------------------------------


@dataclass(frozen=True)
class KbHit:
    """One search result; ``spans`` are ``(field, start, end)`` character offsets."""

    id: str
    title: str
    score: float = 0.0
    unit: str = ""
    category: str = ""
    spans: tuple[tuple[str, int, int], ...] = ()
    snippet: str = ""


@dataclass(frozen=True)
class KbArticle:
    """A knowledge-base article as the agent reads it (知识库文章)."""

    id: str
    title: str
    body: str = ""
    unit: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    updated: str = ""


@dataclass(frozen=True)
class KbSearchResult:
    """The fused (lexical + semantic) result list, and whether the semantic stage ran.

    ``dense_used`` is False when the query is pinyin/ASCII or very short, or when the
    seat's article vectors are missing; ``reason`` says which (for logs and tests)."""

    hits: tuple[KbHit, ...] = ()
    dense_used: bool = False
    reason: str = ""


@dataclass(frozen=True)
class KbSearchStatus:
    """How many articles have a vector from the seat's encoder (语义检索是否就绪)."""

    articles: int = 0
    with_vectors: int = 0
    version: str = ""
    semantic_on: bool = False
    """Enough current vectors for the fused search to use its semantic stage."""


@dataclass(frozen=True)
class EmergencyAlert:
    """Words in the request that call for a transfer now (110/119/120/122)."""

    transfer_to: str
    category: str = ""
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitHint:
    """A handling unit the assist suggests, with why."""

    code: str
    name: str
    score: float = 0.0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """What the intake assist suggests for a request; the agent decides (辅助，不代替)."""

    type: OrderType
    type_confidence: float
    units: tuple[UnitHint, ...] = ()
    reject_reason: RejectReason | None = None
    transfer_to: str | None = None
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """What was suggested, recorded with the command (``assist``)."""
        return {
            "type": self.type.value,
            "type_confidence": round(self.type_confidence, 4),
            "units": [u.code for u in self.units],
            "unit_details": [
                {
                    "code": u.code,
                    "name": u.name,
                    "score": round(u.score, 4),
                    "reasons": list(u.reasons),
                }
                for u in self.units
            ],  # fmt: skip
            "reject_reason": self.reject_reason.value if self.reject_reason else None,
            "transfer_to": self.transfer_to,
            "flags": list(self.flags),
        }


# -- the services ------------------------------------------------------------------------------


@runtime_checkable
class SeatServicesProtocol(Protocol):
    """Everything the screens call; ``offline_cache.services.SeatServices`` implements it."""

    settings: Settings
    data_dir: Path
    session: Session | None

    # seat and session
    def seat(self) -> SeatInfo | None: ...
    def enroll(self, server_url: str, seat: str, token: str) -> SeatInfo: ...
    def login(self, user: str, password: str) -> Session: ...
    def logout(self) -> None: ...
    def units(self) -> list[Unit]: ...
    def unit(self, code: str) -> Unit | None: ...
    def calendar(self) -> WorkingCalendar: ...
    def now(self) -> datetime: ...
    def preview_deadline(
        self, type: OrderType | str, investigation: bool
    ) -> tuple[datetime, str]: ...

    # knowledge base and intake assist (never raise: no KB or no assist gives nothing)
    def search_kb(self, query: str, limit: int = 20) -> list[KbHit]: ...
    def search_kb_fused(self, query: str, limit: int = 20) -> KbSearchResult: ...
    def kb_search_status(self) -> KbSearchStatus: ...
    def kb_article(self, article_id: str) -> KbArticle | None: ...
    def suggest(self, text: str) -> Suggestion | None: ...
    def detect_emergency(self, text: str) -> EmergencyAlert | None: ...
    def warm_up(self) -> None: ...

    # reads: local views
    def order(self, order_id: str) -> WorkOrder | None: ...
    def caller_history(self, phone: str, limit: int = 20) -> list[OrderRow]: ...
    def find_orders(self, query: str) -> list[OrderRow]: ...
    def caller_contacts(self, phone: str, limit: int = 20) -> list[ContactRow]: ...
    def caller_lookup(self, phone: str, limit: int = 20) -> CallerHistory: ...
    def my_intake_history(self, limit: int = 50) -> list[ContactRow]: ...
    def unit_inbox(self, unit: str | None = None) -> list[InboxRow]: ...
    def callback_queue(self, queue: str = "operators") -> list[OrderRow]: ...
    def supervision_board(self) -> Board: ...
    def notices(self, unit: str | None = None) -> list[NoticeRow]: ...
    def kb_proposals(self) -> list[ProposalRow]: ...
    def web_requests(self) -> list[WebRequestRow]: ...
    def all_orders(self) -> list[WorkOrder]: ...
    def assessment(
        self, start: datetime, end: datetime, as_of: datetime | None = None
    ) -> Assessment: ...

    # actions: each one local transaction, durable when it returns
    def new_contact_id(self) -> str: ...
    def dispatch(self, form: IntakeForm) -> str: ...
    def answer(self, form: IntakeForm, article_ids: list[str], answer_text: str = "") -> str: ...
    def reject(
        self, form: IntakeForm, reason: str, explanation: str, transfer_to: str | None
    ) -> str: ...
    def link(self, form: IntakeForm, order_id: str) -> str: ...
    def order_command(
        self, order_id: str, command: str, args: dict[str, Any], contact: bool = False
    ) -> WorkOrder: ...
    def propose_article(self, article: dict[str, Any], policy_basis: str) -> str: ...
    def review_proposal(self, proposal_id: str, publish: bool, comment: str = "") -> None: ...
    def set_publication(self, order_id: str, published: bool) -> None: ...

    # drafts (the screen's raw values, saved as typed)
    def save_draft(self, key: str, data: dict[str, Any]) -> None: ...
    def load_draft(self, key: str) -> dict[str, Any] | None: ...
    def clear_draft(self, key: str) -> None: ...

    # sync
    def status(self) -> SyncStatus: ...
    def problems(self) -> list[SyncProblem]: ...
    def dismiss_problem(self, op_id: str) -> None: ...
    async def sync_once(self) -> SyncStatus: ...
    def sync_loop(self) -> SyncLoopHandle: ...
    def add_listener(self, callback: Callable[[SeatChange], None]) -> None: ...
