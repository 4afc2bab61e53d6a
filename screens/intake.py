"""The agent's intake screen (受理): caller, knowledge base and work-order form on one screen.

The screen is the only part that talks to the services: children post messages up, the
screen does the work in thread workers (SQLite, search, assist) and sets attributes down.
The draft is written through to SQLite on every change (a thread worker; a synchronous
flush on quit, screen change, SIGTERM and SIGHUP) and offered back on the next start; the
offer is made when the screen mounts, before the form takes a key, so nothing arriving
later (a start-up worker, a late login) can overwrite what is being typed. What a call ends in is
parsed once into an ``IntakeForm`` (:mod:`screens.intake_outcomes`); each refused field
shows its message under the field, with everything typed kept.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.worker import get_current_worker

from screens import intake_outcomes as outcomes
from screens.bindings import HotlineScreen, hotline_app
from screens.call_events import IncomingCall
from screens.header_bar import HeaderBar
from screens.host import OrdersChanged
from screens.i18n_strings import t
from screens.latest_only import LatestOnly
from screens.widgets.caller_panel import CallerPanel
from screens.widgets.kb_panel import KbPanel
from screens.widgets.order_form import OrderForm, type_label
from screens.widgets.sync_footer import SyncFooter
from workstation.errors import UserFacingError, ValidationError
from workstation.intake_form import FormErrors
from workstation.models import Unit
from workstation.seat_api import (
    EmergencyAlert,
    KbHit,
    KbSearchResult,
    KbSearchStatus,
    Suggestion,
    WebRequestRow,
)

DRAFT_KEY = "intake"
CALL_FIELDS = ("content", "caller_phone", "caller_name", "address")  # typed for a call
ASSIST_DELAY = 0.15
FUSED_DELAY = 0.25
"""Seconds of no typing in the KB search before the fused (semantic) list is computed."""


class IntakeScreen(HotlineScreen):
    BINDINGS = [
        Binding("f2", "focus_form", "key.form", id="form", priority=True),
        Binding("f3", "focus_kb", "key.kb", id="kb", priority=True),
        Binding("f4", "take_call", "key.take_call", id="take_call", priority=True),
        Binding("f6", "answer", "key.answer", id="answer", priority=True),
        Binding("f7", "reject", "key.reject", id="reject", priority=True),
        Binding("f8", "pick_unit", "key.unit", id="unit", priority=True),
        Binding("f9", "link", "key.link", id="link", priority=True),
        Binding("f10", "submit", "key.dispatch", id="submit", priority=True),
        Binding("f11", "web_requests", "key.web", id="web", priority=True),
        Binding("ctrl+g", "apply_when_ready", "key.apply", id="apply", show=False),
        Binding("ctrl+n", "new_call", "key.new_call", id="new_call", show=False),
        Binding("ctrl+o", "app.logout", "key.logout", id="logout", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._drafts: LatestOnly[tuple[int, dict[str, Any]]] = LatestOnly()
        self._draft_seq = 0
        self._draft_written = 0
        self._draft_lock = threading.Lock()  # one draft write at a time, newest wins
        self._latest_draft: dict[str, Any] | None = None
        self._draft_ready = False
        self._apply_pending = False  # Ctrl+G waits for the suggestion of the text on screen
        self._suggested_for: str | None = None
        self._contact_id: str | None = None
        self._suggestion: Suggestion | None = None
        self._emergency_warned = ""
        self._units: list[Unit] = []
        self._assist_timer: Any = None
        self._searches: LatestOnly[str] = LatestOnly()
        self._fused_timer: Any = None
        self.fused_for: str | None = None  # the last query a fused search finished for
        self.warmed_up = False
        self.last_submit_ms: float | None = None
        self.last_result: str | None = None
        self.last_message: str | None = None
        self.service_ms: float | None = None
        self.queued_ms: float | None = None

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        with Horizontal(id="intake-body"):
            with Vertical(id="intake-left"):
                yield CallerPanel(id="caller")
                yield OrderForm(id="form")
            yield KbPanel(id="kb")
        yield SyncFooter()

    def on_mount(self) -> None:
        self.query_one("#caller").border_title = t("caller.title")
        self.query_one("#form").border_title = t("form.title")
        self.query_one("#kb").border_title = t("kb.title")
        self.query_one(HeaderBar).show(self.services.session, self.services.seat())
        self.query_one("#caller-phone").focus()
        # The draft is read here, before the form takes a key: an offer (or a restore)
        # arriving seconds later from a worker would overwrite what was typed meanwhile.
        self._offer_draft(self.services.load_draft(DRAFT_KEY))
        self._load_startup()
        self.watch(hotline_app(self.app), "incoming_call", self._incoming, init=False)

    @work(thread=True, exclusive=True, group="startup", exit_on_error=False)
    def _load_startup(self) -> None:
        units = self.services.units()
        self.app.call_from_thread(setattr, self, "_units", units)
        self.services.warm_up()  # the assistant (cached on disk: ~0.05 s), then the KB
        status = self.services.kb_search_status()
        self.app.call_from_thread(self.query_one(KbPanel).show_search_status, status)
        self.warmed_up = True

    def _offer_draft(self, draft: dict[str, Any] | None) -> None:
        if draft and any(
            draft.get(k) for k in ("content", "caller_phone", "caller_name", "address")
        ):
            from screens.draft_offer import DraftOffer

            preview = draft.get("content") or draft.get("caller_phone") or ""
            saved = str(draft.get("saved_at", ""))[:16].replace("T", " ")
            self.app.push_screen(
                DraftOffer(saved, preview), lambda ok: self._draft_answer(ok, draft)
            )
        else:
            self._draft_ready = True

    def _draft_answer(self, restore: bool | None, draft: dict[str, Any]) -> None:
        if restore:
            self._restore(draft)
            self.notify(t("form.draft_restored"))
        self._draft_ready = True
        if not restore:
            self._save_draft_now()

    def _restore(self, draft: dict[str, Any]) -> None:
        """Fill the form from ``draft``; a field that already holds something typed keeps it."""
        typed = self.collect()
        if any(typed.get(k) for k in CALL_FIELDS):
            draft = {k: (typed[k] if typed.get(k) else v) for k, v in draft.items()}
            for name in ("type", "unit", "unit_name"):
                if typed.get(name):
                    draft[name] = typed[name]
        self._contact_id = self._contact_id or draft.get("contact_id")
        self.query_one(CallerPanel).load(draft)
        self.query_one(OrderForm).load(draft)
        if draft.get("kb_query") and not typed.get("kb_query"):
            self.query_one(KbPanel).set_query(str(draft["kb_query"]))

    # -- the draft ---------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        """Everything on screen for this call, as the services' form dict."""
        form = {**self.query_one(CallerPanel).values(), **self.query_one(OrderForm).values()}
        form["unit_name"] = self.query_one(OrderForm).unit_name
        form["kb_query"] = self.query_one(KbPanel).query_text
        form["contact_id"] = self._contact_id
        return form

    def _save_draft_now(self) -> None:
        if not self._draft_ready:
            return
        data = self.collect()
        data["saved_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        self._queue_draft(data)

    def _queue_draft(self, data: dict[str, Any]) -> None:
        """Write-through: each change goes to SQLite at once, in a thread worker; only the
        newest waits while a write runs, so fast typing never queues fsyncs."""
        self._draft_seq += 1
        self._latest_draft = data
        if self._drafts.offer((self._draft_seq, data)):
            self._write_drafts()

    @work(thread=True, group="draft", exit_on_error=False)
    def _write_drafts(self) -> None:
        while (pending := self._drafts.take()) is not None:
            try:
                self._write_draft(*pending)
            except BaseException:
                self._drafts.abort()
                raise

    def _write_draft(self, seq: int, data: dict[str, Any]) -> None:
        with self._draft_lock:
            if seq <= self._draft_written:  # a flush already wrote something newer
                return
            if any(data.get(k) for k in CALL_FIELDS):
                self.services.save_draft(DRAFT_KEY, data)
            else:
                self.services.clear_draft(DRAFT_KEY)
            self._draft_written = seq

    def flush_draft(self) -> None:
        """Write the newest draft now, on this thread (quit, screen change, SIGTERM)."""
        if self._latest_draft is not None and not self.draft_saved:
            self._write_draft(self._draft_seq, self._latest_draft)

    @property
    def draft_saved(self) -> bool:
        return self._draft_written >= self._draft_seq

    @property
    def call_in_progress(self) -> bool:
        """Something is typed for the current call (quitting asks first)."""
        data = self._latest_draft if self._latest_draft is not None else {}
        return any(data.get(k) for k in CALL_FIELDS)

    def on_unmount(self) -> None:
        self.flush_draft()

    # -- caller --------------------------------------------------------------------------------

    @on(CallerPanel.Changed)
    def _caller_changed(self) -> None:
        if self._contact_id is None:
            self._contact_id = self.services.new_contact_id()
        self._save_draft_now()

    @on(CallerPanel.PhoneChanged)
    def _phone_changed(self, event: CallerPanel.PhoneChanged) -> None:
        self._load_history(event.phone)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _load_history(self, phone: str) -> None:
        panel = self.query_one(CallerPanel)
        if len(phone) < 5:
            self.app.call_from_thread(panel.show_history, [], [])
            return
        found = self.services.caller_lookup(phone)  # online briefly, else the cache
        if get_current_worker().is_cancelled:  # the phone changed meanwhile
            return
        self.app.call_from_thread(panel.show_history, found.orders, found.contacts, found.source)

    def on_orders_changed(self, event: OrdersChanged) -> None:
        """The caller's history shows one of the changed orders: read it again."""
        panel = self.query_one(CallerPanel)
        if event.order_ids & panel.shown_orders:
            self._load_history(panel.values()["caller_phone"])

    def _incoming(self, call: IncomingCall | None) -> None:
        if call is None:
            return
        from screens.safe_text import clean

        self.notify(t("caller.incoming", phone=clean(call.phone, multiline=False)), markup=False)
        typed = self.collect()
        if not any(typed.get(k) for k in CALL_FIELDS):  # never over what is being typed
            self.action_take_call()

    def action_take_call(self) -> None:
        app = hotline_app(self.app)
        call = app.incoming_call
        if call is None:
            self.notify(t("caller.no_incoming"), severity="warning")
            return
        panel = self.query_one(CallerPanel)
        panel.load({"caller_phone": call.phone, "caller_name": call.name})
        panel.add_class("-ringing")
        self.set_timer(2, lambda: panel.remove_class("-ringing"))
        self.query_one("#caller-name").focus()
        app.incoming_call = None
        self._caller_changed()

    # -- form: assist, emergency, deadline ------------------------------------------------------

    @on(OrderForm.Changed)
    def _form_changed(self, event: OrderForm.Changed) -> None:
        if self._contact_id is None and event.field != "load":
            self._contact_id = self.services.new_contact_id()
        form = self.query_one(OrderForm)
        if event.field in ("content", "load"):
            content = form.values()["content"]
            self._flag_emergency(self.services.detect_emergency(content))
            if self._assist_timer is not None:
                self._assist_timer.stop()
            self._assist_timer = self.set_timer(ASSIST_DELAY, lambda: self._run_assist(content))
        if event.field in ("type", "investigation", "load"):
            values = form.values()
            self._preview_deadline(values["type"], values["investigation"])
        if event.field != "load":
            self._save_draft_now()

    def _flag_emergency(self, emergency: EmergencyAlert | None) -> None:
        form = self.query_one(OrderForm)
        form.emergency = emergency
        if emergency is not None:
            key = emergency.transfer_to
            if key != self._emergency_warned:
                self._emergency_warned = key
                self.app.bell()
                self.notify(
                    form.query_one("#form-emergency").render().__str__(),
                    severity="error",
                    markup=False,
                )
        else:
            self._emergency_warned = ""

    @work(thread=True, exclusive=True, group="assist", exit_on_error=False)
    def _run_assist(self, content: str) -> None:
        suggestion = self.services.suggest(content)
        self.app.call_from_thread(self._suggested, content, suggestion)

    def _suggested(self, content: str, suggestion: Suggestion | None) -> None:
        self._suggested_for = content
        self._show_suggestion(suggestion)
        if self._apply_pending and content == self.query_one(OrderForm).values()["content"]:
            self._apply_pending = False
            self.action_apply_suggestion()

    def action_apply_when_ready(self) -> None:
        """Ctrl+G right after typing: wait for the suggestion of the text on screen."""
        content = self.query_one(OrderForm).values()["content"]
        if self._suggested_for == content:
            self.action_apply_suggestion()
            return
        self._apply_pending = True
        if self._assist_timer is not None:
            self._assist_timer.stop()
        self._run_assist(content)

    def _show_suggestion(self, suggestion: Suggestion | None) -> None:
        self._suggestion = suggestion
        form = self.query_one(OrderForm)
        if suggestion is None:
            form.suggestion = None
            return
        from workstation.i18n import language
        from workstation.intake_rules import REJECT_REASONS
        from workstation.models import RejectReason

        text = Text(t("form.suggest"), style="bold")
        text.append(
            f"{type_label(suggestion.type.value)} {round(100 * suggestion.type_confidence)}%"
        )
        units = suggestion.units
        reason = suggestion.reject_reason
        if units and reason is not RejectReason.EMERGENCY:  # transferred, not dispatched
            text.append(" · " + t("form.suggest_unit", unit=units[0].name))
        if reason is not None:
            label = REJECT_REASONS[reason].label(language())
            text.append(" · ")
            text.append(t("form.suggest_reject", reason=label), style="bold reverse")
            if reason is RejectReason.EMERGENCY and form.emergency is None:
                self._flag_emergency(EmergencyAlert(suggestion.transfer_to or "110"))
        text.append("  " + t("form.apply_suggestion"), style="dim")
        form.suggestion = text

    def action_apply_suggestion(self) -> None:
        """Ctrl+G: take what the assist suggests. A call it flags (an emergency, a reason
        not to accept) is transferred or refused, never given a unit: the not-accepted
        dialog opens with the reason and the number to transfer to filled in."""
        suggestion = self._suggestion
        form = self.query_one(OrderForm)
        if form.emergency is not None or (suggestion and suggestion.reject_reason):
            if suggestion is not None and not form.values()["type"]:
                form.set_type(suggestion.type.value)
            self.action_reject()
            return
        if suggestion is None:
            return
        form.set_type(suggestion.type.value)
        if suggestion.units:
            form.unit, form.unit_name = suggestion.units[0].code, suggestion.units[0].name
            self._save_draft_now()

    @work(thread=True, exclusive=True, group="deadline", exit_on_error=False)
    def _preview_deadline(self, kind: str | None, investigation: bool) -> None:
        if not kind:
            self.app.call_from_thread(setattr, self.query_one(OrderForm), "deadline", None)
            return
        deadline, source = self.services.preview_deadline(kind, investigation)
        from workstation.models import OrderType

        days = self.services.settings.rules.days_for(OrderType(kind), investigation)
        text = Text(
            t(
                "form.deadline",
                deadline=deadline.strftime("%Y-%m-%d %H:%M"),
                days=t("form.working_days", n=days),
            ),
            style="bold",
        )
        if "fallback" in source.lower() or "weekday" in source.lower():
            text.append(f" · {t('form.fallback_calendar')}", style="italic")
        self.app.call_from_thread(setattr, self.query_one(OrderForm), "deadline", text)

    # -- unit ----------------------------------------------------------------------------------

    @on(OrderForm.UnitPickRequested)
    def action_pick_unit(self) -> None:
        from screens.unit_picker import UnitPicker

        hints = self._suggestion.units if self._suggestion is not None else ()
        suggested = [(u.code, "；".join(u.reasons[:2])) for u in hints]

        def chosen(code: str | None) -> None:
            if code:
                form = self.query_one(OrderForm)
                unit = next((u for u in self._units if u.code == code), None)
                form.unit, form.unit_name = code, unit.name if unit else code
                self._save_draft_now()
                self.query_one("#form-submit").focus()

        self.app.push_screen(UnitPicker(self._units, suggested), chosen)

    # -- focus ---------------------------------------------------------------------------------

    def action_focus_form(self) -> None:
        self.query_one("#form-content").focus()

    def action_web_requests(self) -> None:
        """F11: pick a waiting web/mobile request; it fills the form with its contact id."""
        from screens.web_requests import WebRequestsScreen

        def chosen(row: WebRequestRow | None) -> None:
            if row is not None:
                self.action_new_call()
                self._restore(row.form())
                self._save_draft_now()
                self.action_focus_form()

        self.app.push_screen(WebRequestsScreen(), chosen)

    def action_focus_kb(self) -> None:
        self.query_one(KbPanel).focus_search()

    # -- knowledge base ------------------------------------------------------------------------

    @on(KbPanel.SearchRequested)
    def _search(self, event: KbPanel.SearchRequested) -> None:
        self._queue_search(event.query)
        self._schedule_fused(event.query)
        self._save_draft_now()

    def _schedule_fused(self, query: str) -> None:
        """Each keystroke cancels the fused search in flight and waits for the next pause."""
        self.workers.cancel_group(self, "kb-fused")
        if self._fused_timer is not None:
            self._fused_timer.stop()
            self._fused_timer = None
        if query.strip():
            self._fused_timer = self.set_timer(FUSED_DELAY, lambda: self._run_fused(query))

    @on(KbPanel.FusedRequested)
    def _fused_now(self, event: KbPanel.FusedRequested) -> None:
        if self._fused_timer is not None:
            self._fused_timer.stop()
            self._fused_timer = None
        self._run_fused(event.query)

    def _queue_search(self, query: str) -> None:
        """Keep only the newest query, one search thread at a time: fast typing coalesces
        instead of piling up threads that fight the event loop for the GIL."""
        if self._searches.offer(query):
            self._run_searches()

    @work(thread=True, group="kb-search", exit_on_error=False)
    def _run_searches(self) -> None:
        from screens.widgets.kb_results import prepare_rows

        try:
            while (query := self._searches.take()) is not None:
                hits = self.services.search_kb(query, limit=20) if query.strip() else []
                rows = prepare_rows(query, hits)  # the display rows, off the event loop
                self.app.call_from_thread(self._show_hits, query, hits, rows)
        except BaseException:
            self._searches.abort()
            raise

    def _show_hits(self, query: str, hits: list[KbHit], rows: list[Any]) -> None:
        panel = self.query_one(KbPanel)
        # a slower, older search must not overwrite a newer one, nor the fused list its own
        if panel.query_text == query and panel.fused_query != query:
            panel.show_results(query, hits, rows)

    @work(thread=True, exclusive=True, group="kb-fused", exit_on_error=False)
    def _run_fused(self, query: str) -> None:
        """The fused (lexical + semantic) list, about 20 ms of encoder time: off the event
        loop, once typing pauses; a keystroke meanwhile cancels it (its result is dropped)."""
        from textual.worker import get_current_worker

        from screens.widgets.kb_results import prepare_rows

        worker = get_current_worker()
        status = self.services.kb_search_status()  # cached by kb_index until a sync
        if not status.semantic_on:  # the fused list would be the lexical one again
            self.app.call_from_thread(self._show_fused, query, KbSearchResult(), [], status)
            return
        result = self.services.search_kb_fused(query, limit=20)
        if worker.is_cancelled:
            return
        rows = prepare_rows(query, result.hits)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_fused, query, result, rows, status)

    def _show_fused(
        self, query: str, result: KbSearchResult, rows: list[Any], status: KbSearchStatus
    ) -> None:
        panel = self.query_one(KbPanel)
        panel.show_search_status(status)
        self.fused_for = query
        if panel.query_text == query and result.dense_used:
            panel.show_results(query, list(result.hits), rows, fused=True)

    @on(KbPanel.ArticleRequested)
    def _open_article(self, event: KbPanel.ArticleRequested) -> None:
        self._load_article(event.article_id)

    @work(thread=True, exclusive=True, group="kb-article", exit_on_error=False)
    def _load_article(self, article_id: str) -> None:
        found = self.services.kb_article(article_id)
        if found is not None:
            self.app.call_from_thread(setattr, self.query_one(KbPanel), "article", found)

    # -- outcomes (受理结果) -----------------------------------------------------------------

    def action_submit(self) -> None:
        self._finish("dispatch", self.collect())

    def action_answer(self) -> None:
        kb = self.query_one(KbPanel)
        article_id = kb.current_article_id
        if article_id is None:
            self.notify(t("kb.pick_article"), severity="warning")
            return
        form = self.query_one(OrderForm)
        if not form.values()["type"]:
            form.set_type("consultation")  # what is recorded is what the agent sees
        self._finish("answer", outcomes.answer_values(self.collect()), [article_id])

    def action_reject(self) -> None:
        from screens.reject_dialog import RejectDialog

        emergency = self.query_one(OrderForm).emergency
        reason, transfer = outcomes.reject_defaults(self._suggestion, emergency)

        def done(result: tuple[str, str, str | None] | None) -> None:
            if result is not None:
                self._finish("reject", self.collect(), *result)

        self.app.push_screen(RejectDialog(reason, transfer), done)

    def action_link(self) -> None:
        self.query_one(CallerPanel).request_link()

    def on_caller_panel_link_requested(self, event: CallerPanel.LinkRequested) -> None:
        self._finish("link", self.collect(), event.order_id)

    def _finish(self, kind: str, raw: dict[str, Any], *args: Any) -> None:
        """Parse the form once for outcome ``kind``; refused fields show under themselves."""
        started = time.perf_counter()
        self._clear_errors()
        if self._contact_id is None:
            self._contact_id = raw["contact_id"] = self.services.new_contact_id()
        emergency = self.query_one(OrderForm).emergency
        try:
            form = outcomes.call_form(raw, kind, self._suggestion, emergency)
        except FormErrors as exc:
            self._show_errors(exc)
            return
        self._record(started, kind, form, *args)

    def _ask_override(self, warning: str) -> None:
        """F10 on a call the assist flagged: transfer or refuse it (F7), or dispatch anyway
        with a reason that the order's event trail keeps."""
        from screens.override_dialog import OverrideDialog

        def done(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            kind, reason = choice
            if kind == "reject":
                self.action_reject()
            else:
                self._finish("dispatch", {**self.collect(), "override": reason})

        self.app.push_screen(OverrideDialog(warning), done)

    @work(thread=True, exclusive=True, group="submit", exit_on_error=False)
    def _record(self, started: float, kind: str, form: Any, *args: Any) -> None:
        began = time.perf_counter()
        try:
            result = outcomes.record(self.services, kind, form, *args)
        except ValidationError as exc:
            self.app.call_from_thread(self._show_errors, exc)
            return
        except UserFacingError as exc:
            self.app.call_from_thread(self.notify, exc.message(), severity="error", markup=False)
            return
        self.service_ms = (time.perf_counter() - began) * 1000
        self.queued_ms = (began - started) * 1000
        self.app.call_from_thread(self._after_record, started, kind, result, args, form)

    def _clear_errors(self) -> None:
        self.query_one(OrderForm).clear_errors()
        panel = self.query_one(CallerPanel)
        panel.show_error("")
        panel.show_error("", "caller_name")

    def _show_errors(self, exc: ValidationError) -> None:
        """Each message under its field; the cursor goes to the first one."""
        if isinstance(exc, FormErrors):
            messages = {name: exc.message_for(name) or "" for name in exc.errors}
        else:
            messages = {exc.field: exc.message()}
        if list(messages) == ["override"]:  # all else is fine: transfer, or say why not
            self._ask_override(messages["override"])
            return
        first = True
        for name, message in messages.items():
            if name in ("caller_phone", "phone", "caller_name"):
                self.query_one(CallerPanel).show_error(message, name)
                if first:
                    field = "#caller-name" if name == "caller_name" else "#caller-phone"
                    self.query_one(field).focus()
            else:
                self.query_one(OrderForm).show_error(name, message, focus=first)
            first = False

    def _after_record(
        self, started: float, kind: str, result: str, args: tuple[Any, ...], form: Any
    ) -> None:
        self.action_new_call()
        self.last_submit_ms = (time.perf_counter() - started) * 1000
        self.last_result = result
        self.last_message = outcomes.done_message(kind, result, args, form)
        self.notify(self.last_message, markup=False)

    def action_new_call(self) -> None:
        """Clear everything for the next call (the draft goes with it)."""
        self._contact_id = None
        self._suggestion = None
        self._emergency_warned = ""
        self.query_one(CallerPanel).clear()
        self.query_one(OrderForm).clear()
        self._schedule_fused("")  # no fused list for the last call's query
        self.query_one(KbPanel).clear()
        self._queue_draft({})
        self.query_one("#caller-phone").focus()
