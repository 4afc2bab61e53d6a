"""``SeatServices``: everything the screens call (docs/seat-services.md).

Every action is checked with the domain rules first (nothing is written when they
refuse), then done as ONE local transaction: the optimistic view, the contact record and
the outbox command with its mutation id. Reads are plain local queries.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offline_cache import session as sess
from offline_cache import views
from offline_cache.db import DB_FILE, SeatDB
from offline_cache.records import (
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
from offline_cache.seat_actions import SeatActions, crash_point
from workstation.models import Actor, Role, Unit

if TYPE_CHECKING:
    from offline_cache.sync_client import SyncClient, SyncLoop, SyncReport
    from workstation.calendar import WorkingCalendar
    from workstation.config import Settings
    from workstation.orders import WorkOrder


class SeatServices(SeatActions):
    """The seat: local SQLite cache, outbox and sync, behind one object."""

    def __init__(self, settings: Settings, db: SeatDB) -> None:
        self.settings = settings
        self.data_dir: Path = settings.data_dir
        self.db = db
        self.session: Session | None = sess.load_session(db)
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._loop: SyncLoop | None = None
        self._kb: Any = None
        self._kb_writer: Any = None
        self._kb_lock = threading.Lock()
        self.online = False
        self.last_error: str | None = None
        self.sync_timeouts: Any = None  # offline_cache.sync_client.Timeouts; None: the defaults
        self.push_limit: int | None = None  # adapted by the sync client to the link

    @classmethod
    def open(cls, data_dir: Path | None = None, settings: Settings | None = None) -> SeatServices:
        if settings is None:
            from workstation.config import load_settings

            settings = load_settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": Path(data_dir)})
        return cls(settings, SeatDB(settings.data_dir / DB_FILE))

    def close(self) -> None:
        if self._kb is not None:
            self._kb.close()
        self.db.close()

    # -- seat and session ---------------------------------------------------------------

    def seat(self) -> SeatInfo | None:
        return sess.seat_info(self.db)

    def enroll(self, server_url: str, seat: str, token: str) -> SeatInfo:
        return sess.enroll(self.db, server_url, seat, token)

    def login(self, user: str, password: str) -> Session:
        self.session = sess.login(self.db, user, password, self.now())
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

    def preview_deadline(self, type: Any, investigation: bool) -> tuple[datetime, str]:
        from workstation.deadlines import deadline_for
        from workstation.models import OrderType

        now = self.now()
        order_type = type if isinstance(type, OrderType) else OrderType.parse(str(type))
        cal = self.calendar()
        deadline = deadline_for(
            order_type, now, cal, self.settings.rules, investigation, tz=self.settings.timezone
        )
        return deadline, str(cal.span_source(now.date(), deadline.date()))

    @property
    def kb(self) -> Any:
        """The knowledge base on the same SQLite file (kb_* tables), opened on first use.

        Its own connection, for searches from worker threads; it sees what the pull wrote
        through ``kb_writer`` once that transaction commits (kb_index follows versions).
        """
        with self._kb_lock:
            if self._kb is None:
                from kb_index.knowledge_base import KnowledgeBase

                self._kb = KnowledgeBase(self.db.path)
            return self._kb

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

    def context(self) -> Any:
        from workstation.workflow import Context

        codes = [r["code"] for r in self.db.query("SELECT code FROM units")]
        return Context(
            calendar=self.calendar(),
            rules=self.settings.rules,
            tz=self.settings.timezone,
            unit_codes=frozenset(codes) if codes else None,
        )

    def _actor(self) -> Actor:
        if self.session is None:
            raise sess.LoginRequired("请先登录", "log in first")
        info = self.seat()
        return Actor(
            self.session.user, self.session.role, self.session.unit, info.seat if info else None
        )

    def _mask(self) -> bool:
        return self.session is not None and self.session.role is Role.UNIT

    # -- reads --------------------------------------------------------------------------

    def order(self, order_id: str) -> WorkOrder | None:
        from workstation.orders import from_snapshot

        raw = self.db.scalar("SELECT snapshot FROM orders WHERE order_id=?", (order_id,))
        return from_snapshot(json.loads(raw)) if raw else None

    def caller_history(self, phone: str, limit: int = 20) -> list[OrderRow]:
        return views.caller_history(self.db, phone, limit, self._mask())

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
        self.online, self.last_error = True, None
        return report

    async def sync_once(self, server_url: str | None = None) -> SyncStatus:
        await self._sync_round(self.sync_client(server_url))
        return self.status()

    def sync_loop(self, **options: Any) -> SyncLoop:
        from offline_cache.sync_client import SyncLoop

        if self._loop is None:
            self._loop = SyncLoop(self._sync_round, **options)
        return self._loop

    def wake(self) -> None:
        if self._loop is not None:
            self._loop.wake()

    def add_listener(self, callback: Callable[[dict[str, Any]], None]) -> None:
        self._listeners.append(callback)

    def notify(self, change: dict[str, Any]) -> None:
        for callback in list(self._listeners):
            callback(change)

    def _after_write(self, order_ids: list[str]) -> None:
        crash_point("after_local_commit")
        self.notify({"kind": "local_write", "orders": order_ids})
        self.wake()
