"""What a call ends in (受理结果): dispatched, answered from the KB, not accepted, linked.

Plain functions the intake screen calls: :func:`call_form` parses what is on screen once
into an ``IntakeForm`` (``FormErrors`` name every field that is missing or too long, so
the screen shows each message under its field and keeps what was typed); :func:`record`
hands the form to the services in the screen's thread worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workstation.intake_form import IntakeForm
from workstation.models import ContactOutcome
from workstation.seat_api import EmergencyAlert, SeatServicesProtocol, Suggestion

OUTCOMES = {
    "dispatch": ContactOutcome.DISPATCHED,
    "answer": ContactOutcome.ANSWERED,
    "reject": ContactOutcome.REJECTED,
    "link": ContactOutcome.LINKED,
}
DONE_MESSAGE = {
    "dispatch": "form.dispatched",
    "answer": "kb.answered",
    "reject": "form.rejected",
    "link": "caller.linked",
}
SCREEN_ONLY = ("unit_name", "kb_query")  # on screen and in the draft, not in the form


def call_form(raw: Mapping[str, Any], kind: str, suggestion: Suggestion | None) -> IntakeForm:
    """The intake form of this call for outcome ``kind``; raises ``FormErrors``."""
    values = {k: v for k, v in raw.items() if k not in SCREEN_ONLY}
    if suggestion is not None:
        values["assist"] = suggestion.to_dict()
    return IntakeForm.parse(values, OUTCOMES[kind])


def answer_values(raw: Mapping[str, Any], kb_query: str, article_id: str) -> dict[str, Any]:
    """A consultation answered from the KB: the request is the KB query when nothing was
    typed as content (the agent searched while the caller talked)."""
    values = {**raw, "type": "consultation"}
    if not str(values.get("content") or "").strip():
        values["content"] = kb_query or article_id
    return values


def reject_defaults(
    suggestion: Suggestion | None, emergency: EmergencyAlert | None
) -> tuple[str | None, str | None]:
    """The reason and transfer number the reject dialog starts with."""
    if emergency is not None:
        return "emergency", emergency.transfer_to
    if suggestion is None:
        return None, None
    reason = suggestion.reject_reason.value if suggestion.reject_reason else None
    return reason, suggestion.transfer_to


def record(services: SeatServicesProtocol, kind: str, form: IntakeForm, *args: Any) -> str:
    """Do the outcome (one local transaction); returns the order number or contact id."""
    if kind == "dispatch":
        return services.dispatch(form)
    if kind == "answer":
        return services.answer(form, list(args[0]))
    if kind == "reject":
        reason, explanation, transfer_to = args
        return services.reject(form, reason, explanation, transfer_to)
    return services.link(form, args[0])


def reference(kind: str, result: str, args: tuple[Any, ...]) -> str:
    """What the success notice names: the article used, the order linked, or the result."""
    if kind == "answer":
        return str(args[0][0])
    if kind == "link":
        return str(args[0])
    return result
