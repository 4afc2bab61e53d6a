"""Logging a contact (来电登记) and its outcome: answered, not accepted, dispatched, linked.

Every contact is recorded, accepted or not. ``build_contact`` validates what the intake
form (or a web/mobile channel) produced, through ``workstation.intake_form.IntakeForm``, and returns the ``Contact`` record; the order
itself, for dispatched and linked contacts, comes from ``workflow.decide``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workstation.errors import ValidationError
from workstation.intake_form import IntakeForm
from workstation.models import (
    Actor,
    Contact,
    ContactOutcome,
    OrderType,
    RejectReason,
)
from workstation.permissions import require_permission

OUTCOME_OF = {
    "answer_contact": ContactOutcome.ANSWERED,
    "reject_contact": ContactOutcome.REJECTED,
    "dispatch": ContactOutcome.DISPATCHED,
    "link_contact": ContactOutcome.LINKED,
}


def build_contact(command: str, args: dict[str, Any], actor: Actor, now: datetime) -> Contact:
    """The contact record a command logs; raises ``ValidationError`` naming the field."""
    require_permission(command, actor)
    outcome = OUTCOME_OF.get(command)
    if outcome is None:
        raise ValidationError("command", f"{command} 不登记来电", f"{command} logs no contact")
    contact_id = str(args.get("contact_id") or "").strip()
    if not contact_id:
        raise ValidationError("contact_id", "缺少来电记录编号", "the contact id is missing")
    form = IntakeForm.parse(args, outcome)
    order_type = form.type
    reject_reason = None
    transfer_to = None
    explanation = str(args.get("explanation") or "").strip()
    article_ids: tuple[str, ...] = ()
    if outcome is ContactOutcome.ANSWERED:
        if order_type not in (None, OrderType.CONSULTATION):
            raise ValidationError(
                "type",
                "只有咨询类诉求可以直接答复办结",
                "only consultations are answered on the call",
            )
        order_type = OrderType.CONSULTATION
        article_ids = tuple(str(a) for a in args.get("article_ids") or ())
        if not article_ids and not explanation:
            raise ValidationError(
                "article_ids",
                "请选择答复所依据的知识库文章或填写答复内容",
                "choose the knowledge-base article used, or write the answer given",
            )
    elif outcome is ContactOutcome.REJECTED:
        from workstation.intake_rules import validate_rejection

        try:
            reject_reason = RejectReason(str(args.get("reason") or ""))
        except ValueError as exc:
            raise ValidationError(
                "reason", "请选择不予受理的理由", "choose why the request is not accepted"
            ) from exc
        transfer_to = args.get("transfer_to") or None
        validate_rejection(reject_reason, transfer_to, explanation)
    return Contact(
        contact_id=contact_id,
        channel=form.channel,
        content=form.content,
        received_at=now,
        seat=actor.seat,
        agent=actor.user,
        caller_name=form.caller_name,
        caller_phone=form.caller_phone,
        confidential=form.confidential,
        type=order_type,
        outcome=outcome,
        reject_reason=reject_reason,
        explanation=explanation,
        transfer_to=transfer_to,
        article_ids=article_ids,
        order_id=args.get("order_id") or None,
    )


def contact_to_dict(contact: Contact) -> dict[str, Any]:
    return {
        "contact_id": contact.contact_id,
        "channel": contact.channel.value,
        "content": contact.content,
        "received_at": contact.received_at.isoformat(),
        "seat": contact.seat,
        "agent": contact.agent,
        "caller_name": contact.caller_name,
        "caller_phone": contact.caller_phone,
        "confidential": contact.confidential,
        "type": contact.type.value if contact.type else None,
        "outcome": contact.outcome.value,
        "reject_reason": contact.reject_reason.value if contact.reject_reason else None,
        "explanation": contact.explanation,
        "transfer_to": contact.transfer_to,
        "article_ids": list(contact.article_ids),
        "order_id": contact.order_id,
    }
