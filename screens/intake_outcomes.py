"""What a call ends in (受理结果): dispatch, answered from the KB, not accepted, linked.

A mixin of :class:`screens.intake.IntakeScreen`, kept apart so each file stays readable:
the services call runs in one exclusive thread worker, a ``ValidationError`` goes back
next to its field with everything typed kept, and success clears the form for the next
call (``last_submit_ms`` measures key to cleared form).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import work

from screens.i18n_strings import t
from screens.widgets.caller_panel import CallerPanel
from screens.widgets.kb_panel import KbPanel
from screens.widgets.order_form import OrderForm
from workstation.errors import UserFacingError, ValidationError

if TYPE_CHECKING:
    from textual.screen import Screen

    _ScreenBase = Screen[None]
else:
    _ScreenBase = object


class IntakeOutcomes(_ScreenBase):
    """Needs ``services``, ``collect()``, ``_contact_id``, ``_suggestion`` from the screen."""

    if TYPE_CHECKING:

        def collect(self) -> dict[str, Any]: ...

        def _queue_draft(self, data: dict[str, Any]) -> None: ...

    services: Any
    _contact_id: str | None
    _suggestion: Any
    last_submit_ms: float | None
    last_result: str | None

    # -- outcomes ------------------------------------------------------------------------------

    def _base_form(self) -> dict[str, Any]:
        form = self.collect()
        if self._suggestion is not None and hasattr(self._suggestion, "to_dict"):
            form["assist"] = self._suggestion.to_dict()
        if self._contact_id is None:
            self._contact_id = form["contact_id"] = self.services.new_contact_id()
        return {k: v for k, v in form.items() if k not in ("unit_name", "kb_query")}

    def action_submit(self) -> None:
        form = self._base_form()
        widget = self.query_one(OrderForm)
        widget.clear_errors()
        for field, key in (
            ("content", "form.content_required"),
            ("type", "form.type_required"),
            ("unit", "form.unit_required"),
        ):
            if not (form.get(field) or "").strip():
                widget.show_error(field, t(key))
                return
        self._record(time.perf_counter(), "dispatch", form)

    def action_answer(self) -> None:
        article_id = self.query_one(KbPanel).current_article_id
        if article_id is None:
            self.notify(t("kb.pick_article"), severity="warning")
            return
        form = self._base_form()
        form["type"] = "consultation"
        if not form.get("content", "").strip():
            form["content"] = self.query_one(KbPanel).query_text or article_id
        self._record(time.perf_counter(), "answer", form, [article_id])

    def action_reject(self) -> None:
        from screens.reject_dialog import RejectDialog

        suggestion = self._suggestion
        emergency = self.query_one(OrderForm).emergency
        reason = (
            "emergency"
            if emergency is not None
            else getattr(getattr(suggestion, "reject_reason", None), "value", None)
        )
        transfer = getattr(emergency, "transfer_to", None) or getattr(
            suggestion, "transfer_to", None
        )

        def done(result: tuple[str, str, str | None] | None) -> None:
            if result is not None:
                self._record(time.perf_counter(), "reject", self._base_form(), *result)

        self.app.push_screen(RejectDialog(reason, transfer), done)

    def action_link(self) -> None:
        self.query_one(CallerPanel).request_link()

    def on_caller_panel_link_requested(self, event: CallerPanel.LinkRequested) -> None:
        form = self._base_form()
        if not form.get("content", "").strip():
            self.query_one(OrderForm).show_error("content", t("form.content_required"))
            return
        self._record(time.perf_counter(), "link", form, event.order_id)

    @work(thread=True, exclusive=True, group="submit", exit_on_error=False)
    def _record(self, started: float, kind: str, form: dict[str, Any], *args: Any) -> None:
        began = time.perf_counter()
        try:
            if kind == "dispatch":
                result, message = self.services.dispatch(form), "form.dispatched"
            elif kind == "answer":
                result = self.services.answer(form, list(args[0]))
                message = "kb.answered"
            elif kind == "reject":
                result, message = self.services.reject(form, *args), "form.rejected"
            else:
                result, message = self.services.link(form, args[0]), "caller.linked"
        except ValidationError as exc:
            self.app.call_from_thread(self._field_error, exc)
            return
        except UserFacingError as exc:
            self.app.call_from_thread(self.notify, exc.message(), severity="error", markup=False)
            return
        self.service_ms = (time.perf_counter() - began) * 1000
        self.queued_ms = (began - started) * 1000
        self.app.call_from_thread(self._after_record, started, kind, result, message, args)

    def _field_error(self, exc: ValidationError) -> None:
        if exc.field in ("caller_phone", "phone"):
            self.query_one(CallerPanel).show_error(exc.message())
        else:
            self.query_one(OrderForm).show_error(exc.field, exc.message())

    def _after_record(
        self, started: float, kind: str, result: str, message: str, args: tuple[Any, ...]
    ) -> None:
        self.action_new_call()
        self.last_submit_ms = (time.perf_counter() - started) * 1000
        self.last_result = result
        ref = args[0][0] if kind == "answer" else (args[0] if kind == "link" else result)
        self.notify(t(message, order=ref, id=ref), markup=False)

    def action_new_call(self) -> None:
        """Clear everything for the next call (the draft goes with it)."""
        self._contact_id = None
        self._suggestion = None
        self._emergency_warned = ""
        self.query_one(CallerPanel).clear()
        self.query_one(OrderForm).clear()
        self.query_one(KbPanel).clear()
        self._queue_draft({})
        self.query_one("#caller-phone").focus()
