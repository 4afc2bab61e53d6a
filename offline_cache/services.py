"""``SeatServices``: everything the screens call, the implementation of
``workstation.seat_api.SeatServicesProtocol`` (docs/seat-services.md).

It composes the parts: :class:`~offline_cache.seat_actions.SeatActions` (each action one
local transaction), :class:`~offline_cache.seat_assist.SeatAssist` (the knowledge base and
the intake assist), the local views and the sync client. Reads are plain local queries.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from offline_cache import session as sess
from offline_cache import views
from offline_cache.crash_points import crash_point
from offline_cache.db import DB_FILE, SeatDB
from offline_cache.seat_actions import SeatActions, read_order
from offline_cache.seat_assist import SeatAssist
from workstation.models import OrderType, Role, Unit
from workstation.seat_api import (
    Board,
    CallerHistory,
    ContactRow,
    EmergencyAlert,
    InboxRow,
    KbArticle,
    KbHit,
    KbSearchResult,
    KbSearchStatus,
    NoticeRow,
    OrderRow,
    ProposalRow,
    SeatChange,
    SeatInfo,
    Session,
    Suggestion,
    SyncProblem,
    SyncStatus,
    WebRequestRow,
)

CALLER_READERS = frozenset({Role.AGENT, Role.CALLBACK, Role.SUPERVISOR})
"""Who looks callers up on the server (``central.callers_api.READERS``)."""

if TYPE_CHECKING:
    from offline_cache.sync_client import SyncClient, SyncLoop, SyncReport
    from workstation.calendar import WorkingCalendar
    from workstation.config import Settings
    from workstation.intake_form import IntakeForm
    from workstation.orders import WorkOrder
    from workstation.rule_checks import Context


class SeatServices:
    """The seat: local SQLite cache, outbox and sync, behind one object."""

    def __init__(self, settings: Settings, db: SeatDB) -> None:
        self.settings = settings
        self.data_dir: Path = settings.data_dir
        self.db = db
        self.session: Session | None = sess.load_session(db)
        self._listeners: list[Callable[[SeatChange], None]] = []
        self._loop: SyncLoop | None = None
        self._kb_writer: Any = None
        self._kb_lock = threading.Lock()
        self.online = False
        self.answered = False  # until the server first answers (or fails to): "connecting"
        self.last_error: str | None = None
        self.sync_timeouts: Any = None  # offline_cache.sync_client.Timeouts; None: the defaults
        self.push_limit: int | None = None  # adapted by the sync client to the link
        self.caller_lookup_timeout = 1.5  # seconds; an agent is on the line
        self.actions = SeatActions(
            db, settings, lambda: self.session, clock=lambda: self.now(),
            context=lambda: self.context(),
            after_write=self._after_write,
        )  # fmt: skip
        self.assist = SeatAssist(db.path, self.data_dir, self.units, self.assist_model_path)

    @classmethod
    def open(cls, data_dir: Path | None = None, settings: Settings | None = None) -> Self:
        if settings is None:
            from workstation.config import load_settings

            settings = load_settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": Path(data_dir)})
        return cls(settings, SeatDB(settings.data_dir / DB_FILE))

    def close(self) -> None:
        self.assist.close()
        self.db.close()

    # -- seat and session ---------------------------------------------------------------

    def seat(self) -> SeatInfo | None:
        return self.actions.seat()

    def enroll(self, server_url: str, seat: str, token: str) -> SeatInfo:
        return sess.enroll(self.db, server_url, seat, token)

    def login(self, user: str, password: str) -> Session:
        self.session = sess.login(self.db, user, password, self.now())
        self.answered = True  # online, or the offline fallback after a failed attempt
        if self.session.online:
            self.online = True
            self.wake()
        return self.session

    def logout(self) -> None:
        sess.logout(self.db)
        self.session = None

    def units(self) -> list[Unit]:
        rows = self.db.query("SELECT data FROM units ORDER BY code")
        if rows:
            return [Unit.from_dict(json.loads(r["data"])) for r in rows]
        from importlib.resources import files

        from workstation.models import load_units

        return load_units(Path(str(files("workstation") / "data" / "units.jsonl")))

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units() if u.code == code), None)

    def calendar(self) -> WorkingCalendar:
        return self.settings.calendar()

    def now(self) -> datetime:
        from workstation.deadlines import zone

        return datetime.now(zone(self.settings.timezone))

    def preview_deadline(self, type: OrderType | str, investigation: bool) -> tuple[datetime, str]:
        from workstation.deadlines import deadline_for

        now = self.now()
        order_type = type if isinstance(type, OrderType) else OrderType.parse(str(type))
        cal = self.calendar()
        deadline = deadline_for(
            order_type, now, cal, self.settings.rules, investigation, tz=self.settings.timezone
        )
        return deadline, str(cal.span_source(now.date(), deadline.date()))

    @property
    def kb(self) -> Any:
        """``kb_index.KnowledgeBase`` on the seat file (for tools and tests; the screens
        call :meth:`search_kb` and :meth:`kb_article`)."""
        return self.assist.kb

    @property
    def kb_writer(self) -> Any:
        """kb_index on the seat's own connection: pulled KB deltas commit with the cursor."""
        with self._kb_lock:
            if self._kb_writer is None:
                from kb_index.knowledge_base import KnowledgeBase

                with self.db.lock:  # its schema script must not run inside a transaction
                    self._kb_writer = KnowledgeBase(self.db.conn)
            return self._kb_writer

    def assist_model_path(self) -> Path | None:
        """The newest intake-assist model received by sync and verified (SHA-256), or None."""
        from offline_cache.assist_model import newest_path

        return newest_path(self)

    # -- knowledge base and intake assist -------------------------------------------------

    def search_kb(self, query: str, limit: int = 20) -> list[KbHit]:
        return self.assist.search_kb(query, limit)

    def search_kb_fused(self, query: str, limit: int = 20) -> KbSearchResult:
        """Lexical and semantic results fused (about 20 ms more: call it when typing pauses)."""
        return self.assist.search_kb_fused(query, limit)

    def kb_search_status(self) -> KbSearchStatus:
        return self.assist.kb_search_status()

    def kb_article(self, article_id: str) -> KbArticle | None:
        return self.assist.kb_article(article_id)

    def suggest(self, text: str) -> Suggestion | None:
        return self.assist.suggest(text)

    def detect_emergency(self, text: str) -> EmergencyAlert | None:
        return self.assist.detect_emergency(text)

    def warm_up(self) -> None:
        self.assist.warm_up()

    def context(self) -> Context:
        from workstation.workflow import Context

        codes = [r["code"] for r in self.db.query("SELECT code FROM units")]
        return Context(
            calendar=self.calendar(),
            rules=self.settings.rules,
            tz=self.settings.timezone,
            unit_codes=frozenset(codes) if codes else None,
        )

    def _mask(self) -> bool:
        return self.session is not None and self.session.role is Role.UNIT

    # -- reads --------------------------------------------------------------------------

    def order(self, order_id: str) -> WorkOrder | None:
        return read_order(self.db, order_id)

    def caller_history(self, phone: str, limit: int = 20) -> list[OrderRow]:
        return views.caller_history(self.db, phone, limit, self._mask())

    def find_orders(self, query: str) -> list[OrderRow]:
        """Orders by number, phone or words of the content (unit users: their own, masked)."""
        unit = self.session.unit if self._mask() and self.session is not None else None
        return views.find_orders(self.db, query, self._mask(), unit)

    def caller_contacts(self, phone: str, limit: int = 20) -> list[ContactRow]:
        """The caller's calls answered on the line or not accepted (no order to show)."""
        return views.caller_contacts(self.db, phone, limit, self._mask())

    def caller_lookup(self, phone: str, limit: int = 20) -> CallerHistory:
        """The caller's orders and contacts: from the server (briefly), else this seat's
        cache; the record says which (``source``), so the panel can say it on screen."""
        from offline_cache import caller_lookup as lookup

        phone = phone.strip()
        orders, contacts = self.caller_history(phone, limit), self.caller_contacts(phone, limit)
        local = CallerHistory(orders, contacts, source="local")
        info, token = self.seat(), sess.session_token(self.db)
        staff = self.session is not None and self.session.role in CALLER_READERS
        if not phone or not staff or info is None or not info.server_url or not token:
            return local
        try:
            page = lookup.fetch(info.server_url, token, phone, limit, self.caller_lookup_timeout)
        except lookup.LookupFailed as exc:
            return CallerHistory(orders, contacts, source="local", error=str(exc))
        return CallerHistory(
            lookup.merged_orders(lookup.order_rows(page), orders, limit),
            lookup.merged_contacts(lookup.contact_rows(page), contacts, limit),
            source="online",
        )

    def my_intake_history(self, limit: int = 50) -> list[ContactRow]:
        if self.session is None:
            return []
        return views.my_intake_history(self.db, self.session.user, limit)

    def unit_inbox(self, unit: str | None = None) -> list[InboxRow]:
        unit = unit or (self.session.unit if self.session else None)
        if not unit:
            return []
        s = self.settings
        return views.unit_inbox(
            self.db, unit, self.now(), self.calendar(), s.rules, s.timezone, self._mask()
        )

    def callback_queue(self, queue: str = "operators") -> list[OrderRow]:
        return views.callback_queue(self.db, queue, self.now(), self._mask())

    def supervision_board(self) -> Board:
        return views.supervision_board(self.db, self.now())

    def notices(self, unit: str | None = None) -> list[NoticeRow]:
        return views.notices(self.db, unit)

    def kb_proposals(self) -> list[ProposalRow]:
        return views.kb_proposals(self.db)

    def web_requests(self) -> list[WebRequestRow]:
        """Web/mobile requests still waiting for triage (网络诉求), oldest first.

        Load one into the intake form with ``row.form()``: dispatch/answer/reject/link
        with its ``contact_id`` then triage that contact (the server refuses a second one).
        """
        if self._mask():
            return []
        return views.web_requests(self.db)

    def all_orders(self) -> list[WorkOrder]:
        """Every order in the seat's cache (optimistic view), e.g. for the assessment."""
        from workstation.orders import from_snapshot

        rows = self.db.query("SELECT snapshot FROM orders ORDER BY order_id")
        return [from_snapshot(json.loads(r["snapshot"])) for r in rows]

    def assessment(self, start: datetime, end: datetime, as_of: datetime | None = None) -> Any:
        """The units' assessment of ``[start, end)`` from the cached orders (考核).

        ``as_of`` defaults to now or ``end``, whichever is earlier; every known unit gets
        a row (named by its short name), so units that received nothing show zeros.
        """
        from workstation.assessment import assess

        s = self.settings
        units = {u.code: u.short or u.name for u in self.units()}
        return assess(
            self.all_orders(), start, end, calendar=self.calendar(), rules=s.rules,
            tz=s.timezone, day_end=s.deadline_end, as_of=as_of or min(self.now(), end),
            units=units,
        )  # fmt: skip

    # -- actions (SeatActions) ---------------------------------------------------------------

    def new_contact_id(self) -> str:
        return self.actions.new_contact_id()

    def dispatch(self, form: IntakeForm) -> str:
        return self.actions.dispatch(self.with_verdict(form))

    def with_verdict(self, form: IntakeForm) -> IntakeForm:
        """``form`` with the assist's verdict on its text: the one it carries, or (the
        command line, a dispatch sent before the suggestion came) the assist's own; and
        emergency words always count, so no path dispatches an emergency unnoticed."""
        from dataclasses import replace

        assist = dict(form.assist) if form.assist is not None else None
        if assist is None:
            suggestion = self.suggest(form.content)
            assist = suggestion.to_dict() if suggestion is not None else {}
        if not assist.get("reject_reason"):
            alert = self.detect_emergency(form.content)
            if alert is not None:
                assist.update(reject_reason="emergency", transfer_to=alert.transfer_to)
        return replace(form, assist=assist or None)

    def answer(self, form: IntakeForm, article_ids: list[str], answer_text: str = "") -> str:
        return self.actions.answer(form, article_ids, answer_text)

    def reject(
        self, form: IntakeForm, reason: str, explanation: str, transfer_to: str | None
    ) -> str:
        return self.actions.reject(form, reason, explanation, transfer_to)

    def link(self, form: IntakeForm, order_id: str) -> str:
        return self.actions.link(form, order_id)

    def order_command(
        self, order_id: str, command: str, args: dict[str, Any], contact: bool = False
    ) -> WorkOrder:
        return self.actions.order_command(order_id, command, args, contact)

    def propose_article(self, article: dict[str, Any], policy_basis: str) -> str:
        return self.actions.propose_article(article, policy_basis)

    def review_proposal(self, proposal_id: str, publish: bool, comment: str = "") -> None:
        self.actions.review_proposal(proposal_id, publish, comment)

    def set_publication(self, order_id: str, published: bool) -> None:
        self.actions.set_publication(order_id, published)

    def save_draft(self, key: str, data: dict[str, Any]) -> None:
        self.actions.save_draft(key, data)

    def load_draft(self, key: str) -> dict[str, Any] | None:
        return self.actions.load_draft(key)

    def clear_draft(self, key: str) -> None:
        self.actions.clear_draft(key)

    # -- sync ---------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        pending, oldest = self.db.query(
            "SELECT COUNT(*) AS n, MIN(client_time) AS t FROM outbox WHERE status='pending'"
        )[0].values()
        last = self.db.get_meta("last_success")
        return SyncStatus(
            online=self.online,
            pending=int(pending),
            oldest_pending_age=self.now() - datetime.fromisoformat(oldest) if oldest else None,
            last_success=datetime.fromisoformat(last) if last else None,
            problems=int(self.db.scalar("SELECT COUNT(*) FROM problems WHERE dismissed=0")),
            needs_login=self.db.get_meta("needs_login") == "1",
            last_error=self.last_error,
            connecting=not self.online and not self.answered,
        )

    def problems(self) -> list[SyncProblem]:
        rows = self.db.query("SELECT * FROM problems WHERE dismissed=0 ORDER BY mutation_id")
        return [
            SyncProblem(
                op_id=r["op_id"],
                mutation_id=r["mutation_id"],
                command=r["command"],
                order_id=r["order_id"],
                user=r["user"],
                args=json.loads(r["args"] or "{}"),
                reason=json.loads(r["reason"] or "{}"),
                at=datetime.fromisoformat(r["at"]) if r["at"] else None,
            )
            for r in rows
        ]

    def dismiss_problem(self, op_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE problems SET dismissed=1 WHERE op_id=?", (op_id,))

    def sync_client(self, server_url: str | None = None, **options: Any) -> SyncClient:
        """A sync client for one round: this seat's database, identity and rules."""
        from offline_cache.sync_client import SeatIdentity, SyncClient

        info = self.seat()
        identity = SeatIdentity(
            server_url or (info.server_url if info else ""), info.client_id if info else ""
        )
        return SyncClient(
            self.db, identity, context=self.context, now=lambda: self.now(),
            kb_writer=lambda: self.kb_writer,
            on_change=lambda ids: self.notify({"kind": "sync", "orders": ids}),
            timeouts=self.sync_timeouts, push_limit=self.push_limit, **options,
        )  # fmt: skip

    async def _sync_round(self, client: SyncClient | None = None) -> SyncReport:
        """One round; what the seat keeps of its report (online, last error, batch size)."""
        from offline_cache.assist_model import fetch_soon
        from offline_cache.sync_client import Offline, SyncError

        client = client or self.sync_client()
        try:
            report = await client.sync_once()
        except SyncError as exc:
            self.answered = True
            report = exc.report or client.report
            if isinstance(exc, Offline):
                self.online, self.last_error = False, str(exc)
            elif report.online:
                self.online = True
            raise
        finally:
            report = client.report
            self.push_limit = report.push_limit
            if report.completed or "assist_model" in report.entities:
                fetch_soon(self)  # an announced model, or one whose download failed before
        self.online, self.last_error, self.answered = True, None, True
        return report

    async def sync_once(self, server_url: str | None = None) -> SyncStatus:
        await self._sync_round(self.sync_client(server_url))
        return self.status()

    def sync_loop(self, **options: Any) -> SyncLoop:
        from offline_cache.sync_client import SyncLoop

        if self._loop is None:
            options.setdefault("watch", self._watch)
            self._loop = SyncLoop(self._sync_round, **options)
        return self._loop

    async def _watch(self, wait: float) -> bool | None:
        """One long-poll for the sync loop (``SyncClient.watch``)."""
        if self.session is None:
            return None
        return await self.sync_client().watch(wait)

    def wake(self) -> None:
        if self._loop is not None:
            self._loop.wake()

    def add_listener(self, callback: Callable[[SeatChange], None]) -> None:
        """``callback`` (from any thread) after each local write and each sync round."""
        self._listeners.append(callback)

    def notify(self, change: dict[str, Any]) -> None:
        record = SeatChange.from_dict(change)
        for callback in list(self._listeners):
            callback(record)

    def _after_write(self, order_ids: list[str]) -> None:
        crash_point("after_local_commit")
        self.notify({"kind": "local_write", "orders": order_ids})
        self.wake()
