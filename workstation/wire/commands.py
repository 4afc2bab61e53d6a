"""The command (docs/sync-protocol.md, Commands): its envelope and typed args per command.

One model per command name of ``workstation.permissions.PERMISSIONS``. The seat parses a
command's args with it before the command enters the outbox, and the server parses them
before the domain runs, so both refuse the same input with the same field-level reason.
The models check shape only (types, lengths, allowed values, unknown args); what the
workflow requires in a given state (a reason to return, an approved flag to decide) stays
with the domain rules, which word it for the person at the seat.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictInt

from workstation.models import Channel, RejectReason, Satisfaction
from workstation.wire.text import Limits, Wire, check_nesting, parse, text

Id = text(Limits.ID)
UnitCode = text(Limits.UNIT)
Reason = text(Limits.REASON)
Label = text(Limits.LABEL)


def _order_type(value: str) -> str:
    """The English code or the Chinese name (咨询/求助/投诉/建议); empty: not chosen yet."""
    if value:
        from workstation.models import OrderType

        OrderType.parse(value)  # raises ValidationError("type", ...)
    return value


OrderTypeText = Annotated[text(16), AfterValidator(_order_type)]
ChannelText = Channel | Literal[""]


class _Args(Wire):
    """Base of every command's args."""


# -- the intake form's fields (dispatch, link, answer, reject) ----------------------------


class UnitHint(Wire):
    code: UnitCode
    name: text(Limits.LABEL) = ""
    score: float = Field(default=0.0, allow_inf_nan=False)
    reasons: list[Label] = Field(default_factory=list, max_length=Limits.ITEMS)


class AssistNote(Wire):
    """What the intake assist suggested (kept with the command for the record)."""

    type: OrderTypeText | None = None
    type_confidence: float = Field(default=0.0, allow_inf_nan=False)
    units: list[UnitCode] = Field(default_factory=list, max_length=Limits.ITEMS)
    unit_details: list[UnitHint] = Field(default_factory=list, max_length=Limits.ITEMS)
    reject_reason: RejectReason | None = None
    transfer_to: Label | None = None
    flags: list[Label] = Field(default_factory=list, max_length=Limits.ITEMS)


class IntakeArgs(_Args):
    """The intake form as a command carries it."""

    contact_id: Id | None = None
    type: OrderTypeText | None = None
    channel: ChannelText | None = None
    content: text(Limits.CONTENT) | None = None
    caller_name: text(Limits.NAME) | None = None
    caller_phone: text(Limits.PHONE) | None = None
    confidential: StrictBool | None = None
    address: text(Limits.ADDRESS) | None = None
    investigation: StrictBool | None = None
    leader_instructed: StrictBool | None = None
    unit: UnitCode | None = None
    co_units: list[UnitCode] | None = Field(default=None, max_length=Limits.ITEMS)
    assist: AssistNote | None = None


class DispatchArgs(IntakeArgs):
    pass


class LinkContactArgs(IntakeArgs):
    pass


class AnswerContactArgs(IntakeArgs):
    article_ids: list[Id] | None = Field(default=None, max_length=Limits.ITEMS)
    explanation: Reason | None = None


class RejectContactArgs(IntakeArgs):
    reason: RejectReason | Literal[""] | None = None
    explanation: Reason | None = None
    transfer_to: Label | None = None


# -- order commands -----------------------------------------------------------------------


class SignArgs(_Args):
    pass


class ReturnOrderArgs(_Args):
    reason: Reason | None = None
    basis: Reason | None = None


class RequestExtensionArgs(_Args):
    new_deadline: text(Limits.DATE) | None = None
    reason: Reason | None = None


class ReplyArgs(_Args):
    result: text(Limits.RESULT) | None = None


class DecideExtensionArgs(_Args):
    approved: StrictBool | None = None
    comment: Reason | None = None


class ReassignArgs(_Args):
    unit: UnitCode | None = None
    reason: Reason | None = None


class RecallArgs(_Args):
    reason: Reason | None = None


class AddCoHandlerArgs(_Args):
    unit: UnitCode | None = None
    reason: Reason | None = None


class NoticeArgs(_Args):
    """Urging and criticism notices; the server numbers them itself."""

    reason: Reason | None = None
    number: Id | None = None


class NoArgs(_Args):
    """Commands of the scheduled jobs that carry nothing."""


class RecordCallbackArgs(_Args):
    reached: StrictBool | None = None
    resolved: StrictBool | None = None
    satisfaction: Satisfaction | Literal[""] | None = None
    comment: Reason | None = None


class RehandleArgs(_Args):
    unit: UnitCode | None = None
    reason: Reason | None = None


class CloseArgs(_Args):
    explanation: Reason | None = None


class NotifyCallerArgs(_Args):
    comment: Reason | None = None


# -- knowledge-base proposals ---------------------------------------------------------------


class ArticleDraft(Wire):
    """A proposed (or edited) KB article; kb_index validates what it requires."""

    id: Id | None = None
    title: text(Limits.KB_TITLE) | None = None
    body: text(Limits.KB_BODY) | None = None
    unit: Label | None = None
    category: Label | None = None
    tags: list[Label] | Label | None = Field(default=None)
    updated: text(Limits.DATE) | None = None


class ProposeArticleArgs(_Args):
    proposal_id: Id | None = None
    article: ArticleDraft | None = None
    policy_basis: Reason | None = None
    reason: Reason | None = None


class PublishArticleArgs(_Args):
    proposal_id: Id | None = None
    article: ArticleDraft | None = None
    comment: Reason | None = None


class RejectProposalArgs(_Args):
    proposal_id: Id | None = None
    reason: Reason | None = None
    comment: Reason | None = None


ARGS: dict[str, type[_Args]] = {
    "dispatch": DispatchArgs,
    "link_contact": LinkContactArgs,
    "answer_contact": AnswerContactArgs,
    "reject_contact": RejectContactArgs,
    "sign": SignArgs,
    "return_order": ReturnOrderArgs,
    "request_extension": RequestExtensionArgs,
    "reply": ReplyArgs,
    "decide_extension": DecideExtensionArgs,
    "reassign": ReassignArgs,
    "recall": RecallArgs,
    "add_co_handler": AddCoHandlerArgs,
    "urge": NoticeArgs,
    "criticise": NoticeArgs,
    "mark_overdue": NoArgs,
    "create_callback": NoArgs,
    "record_callback": RecordCallbackArgs,
    "rehandle": RehandleArgs,
    "close": CloseArgs,
    "notify_caller": NotifyCallerArgs,
    "propose_article": ProposeArticleArgs,
    "publish_article": PublishArticleArgs,
    "reject_proposal": RejectProposalArgs,
}
"""Command name -> the model of its args (every command of the permission table)."""


def parse_args(command: str, args: Any) -> dict[str, Any]:
    """Check a command's args; returns them as JSON values (exactly what was given).

    Raises ``ValidationError`` naming the field for an unknown command's
    args, an unknown arg, a wrong type, a text too long or not valid Unicode, or nesting
    beyond ``Limits.DEPTH``.
    """
    from workstation.errors import ValidationError

    model = ARGS.get(command)
    if model is None:
        raise ValidationError("command", f"未知的操作：{command}", f"unknown command {command!r}")
    if not isinstance(args, dict):
        raise ValidationError("args", "命令参数须为对象", "the arguments must be an object")
    check_nesting(args)
    parsed = parse(model, args)
    return parsed.model_dump(mode="json", exclude_unset=True)


class Command(Wire):
    """One outbox row as a push carries it (the envelope; ``args`` by :data:`ARGS`)."""

    model_config = Wire.model_config | {"extra": "ignore"}
    op_id: text(Limits.ID, 1)
    client_id: text(Limits.ID, 1)
    mutation_id: StrictInt = Field(ge=1, le=2**53)
    order_id: text(Limits.ID) | None = None
    command: text(40, 1)
    args: dict[str, Any] = Field(default_factory=dict)
    base_version: StrictInt | None = Field(default=None, ge=0, le=2**31)
    user: text(Limits.ID, 1)
    seat: text(Limits.SEAT, 1)
    client_time: text(Limits.DATE) | None = None
