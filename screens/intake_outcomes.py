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
from workstation.models import ContactOutcome, RejectReason
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


def call_form(
    raw: Mapping[str, Any],
    kind: str,
    suggestion: Suggestion | None,
    emergency: EmergencyAlert | None = None,
) -> IntakeForm:
    """The intake form of this call for outcome ``kind``, with the assist's verdict (the
    suggestion, and the emergency banner even before the suggestion came); raises
    ``FormErrors``, with ``override`` when the domain refuses to dispatch a flagged call."""
    values = {k: v for k, v in raw.items() if k not in SCREEN_ONLY}
    assist = suggestion.to_dict() if suggestion is not None else None
    if emergency is not None and not (assist or {}).get("reject_reason"):
        assist = {**(assist or {}), "reject_reason": "emergency"}
        assist["transfer_to"] = emergency.transfer_to
    if assist is not None:
        values["assist"] = assist
    return IntakeForm.parse(values, OUTCOMES[kind])


def answer_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A consultation answered from the KB: a request with no type chosen is a 咨询; what
    was asked must be typed (the domain refuses an empty request under its field)."""
    values = dict(raw)
    if not values.get("type"):
        values["type"] = "consultation"
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


def done_message(kind: str, result: str, args: tuple[Any, ...], form: IntakeForm) -> str:
    """The success notice in words the agent needs: for a refusal the reason, the number
    to transfer to and the caller, never the contact's internal id."""
    from screens.i18n_strings import t

    if kind == "reject":
        from workstation.i18n import language
        from workstation.intake_rules import REJECT_REASONS, parse_reason

        reason, _explanation, transfer_to = args
        parsed = parse_reason(reason)
        label = REJECT_REASONS[parsed].label(language())
        if parsed is RejectReason.EMERGENCY:  # 紧急求助，需转接 110/119/120/122 -> 紧急求助
            label = label.split("，")[0].split(":")[0]
        transfer = t("form.rejected_transfer", number=transfer_to) if transfer_to else ""
        who = " ".join(p for p in (form.caller_name, form.caller_phone) if p)
        caller = t("form.rejected_caller", caller=who) if who else ""
        return t("form.rejected", reason=label, transfer=transfer, caller=caller)
    ref = reference(kind, result, args)
    if kind == "dispatch" and form.override:
        return t("form.override_done", order=ref)
    return t(DONE_MESSAGE[kind], order=ref, id=ref)
