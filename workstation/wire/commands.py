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
from workstation.wire.text import (
    TEXT_CHECKS,
    AddressText,
    CommandName,
    ContentText,
    DateText,
    IdText,
    KbBodyText,
    KbTitleText,
    LabelText,
    Limits,
    NameText,
    PhoneText,
    ReasonText,
    RequiredId,
    ResultText,
    SeatText,
    UnitText,
    Wire,
    check_nesting,
    parse,
)


def _order_type(value: str) -> str:
    """The English code or the Chinese name (咨询/求助/投诉/建议); empty: not chosen yet."""
    if value:
        from workstation.models import OrderType

        OrderType.parse(value)  # raises ValidationError("type", ...)
    return value


OrderTypeText = Annotated[str, Field(max_length=16), *TEXT_CHECKS, AfterValidator(_order_type)]
ChannelText = Channel | Literal[""]


class _Args(Wire):
    """Base of every command's args."""


# -- the intake form's fields (dispatch, link, answer, reject) ----------------------------


class UnitHint(Wire):
    code: UnitText
    name: LabelText = ""
    score: float = Field(default=0.0, allow_inf_nan=False)
    reasons: list[LabelText] = Field(default_factory=list, max_length=Limits.ITEMS)


class AssistNote(Wire):
    """What the intake assist suggested (kept with the command for the record)."""

    type: OrderTypeText | None = None
    type_confidence: float = Field(default=0.0, allow_inf_nan=False)
    units: list[UnitText] = Field(default_factory=list, max_length=Limits.ITEMS)
    unit_details: list[UnitHint] = Field(default_factory=list, max_length=Limits.ITEMS)
    reject_reason: RejectReason | None = None
    transfer_to: LabelText | None = None
    flags: list[LabelText] = Field(default_factory=list, max_length=Limits.ITEMS)


class OverrideNote(Wire):
    """The agent dispatched although the assist flagged the call (``flag``: what it
    flagged, e.g. ``emergency:120``, ``out_of_area``), and why."""

    flag: LabelText = ""
    reason: ReasonText = ""


class IntakeArgs(_Args):
    """The intake form as a command carries it."""

    contact_id: IdText | None = None
    type: OrderTypeText | None = None
    channel: ChannelText | None = None
    content: ContentText | None = None
    caller_name: NameText | None = None
    caller_phone: PhoneText | None = None
    confidential: StrictBool | None = None
    address: AddressText | None = None
    investigation: StrictBool | None = None
    leader_instructed: StrictBool | None = None
    unit: UnitText | None = None
    co_units: list[UnitText] | None = Field(default=None, max_length=Limits.ITEMS)
    phone_declined: StrictBool | None = None
    assist: AssistNote | None = None


class DispatchArgs(IntakeArgs):
    override: OverrideNote | None = None


class LinkContactArgs(IntakeArgs):
    pass


class AnswerContactArgs(IntakeArgs):
    article_ids: list[IdText] | None = Field(default=None, max_length=Limits.ITEMS)
    explanation: ReasonText | None = None


class RejectContactArgs(IntakeArgs):
    reason: RejectReason | Literal[""] | None = None
    explanation: ReasonText | None = None
    transfer_to: LabelText | None = None


# -- order commands -----------------------------------------------------------------------


class SignArgs(_Args):
    pass


class ReturnOrderArgs(_Args):
    reason: ReasonText | None = None
    basis: ReasonText | None = None


class RequestExtensionArgs(_Args):
    new_deadline: DateText | None = None
    reason: ReasonText | None = None


class ReplyArgs(_Args):
    result: ResultText | None = None


class DecideExtensionArgs(_Args):
    approved: StrictBool | None = None
    comment: ReasonText | None = None


class ReassignArgs(_Args):
    unit: UnitText | None = None
    reason: ReasonText | None = None


class RecallArgs(_Args):
    reason: ReasonText | None = None


class AddCoHandlerArgs(_Args):
    unit: UnitText | None = None
    reason: ReasonText | None = None


class NoticeArgs(_Args):
    """Urging and criticism notices; the server numbers them itself."""

    reason: ReasonText | None = None
    number: IdText | None = None


class NoArgs(_Args):
    """Commands of the scheduled jobs that carry nothing."""


class RecordCallbackArgs(_Args):
    reached: StrictBool | None = None
    resolved: StrictBool | None = None
    satisfaction: Satisfaction | Literal[""] | None = None
    comment: ReasonText | None = None


class RehandleArgs(_Args):
    unit: UnitText | None = None
    reason: ReasonText | None = None


class CloseArgs(_Args):
    explanation: ReasonText | None = None


class NotifyCallerArgs(_Args):
    comment: ReasonText | None = None


# -- knowledge-base proposals ---------------------------------------------------------------


class ArticleDraft(Wire):
    """A proposed (or edited) KB article; kb_index validates what it requires."""

    id: IdText | None = None
    title: KbTitleText | None = None
    body: KbBodyText | None = None
    unit: LabelText | None = None
    category: LabelText | None = None
    tags: list[LabelText] | LabelText | None = Field(default=None)
    updated: DateText | None = None


class ProposeArticleArgs(_Args):
    proposal_id: IdText | None = None
    article: ArticleDraft | None = None
    policy_basis: ReasonText | None = None
    reason: ReasonText | None = None


class PublishArticleArgs(_Args):
    proposal_id: IdText | None = None
    article: ArticleDraft | None = None
    comment: ReasonText | None = None


class RejectProposalArgs(_Args):
    proposal_id: IdText | None = None
    reason: ReasonText | None = None
    comment: ReasonText | None = None


# -- the citizen pages' public answers (公开) -----------------------------------------------


class SetPublicationArgs(_Args):
    """A supervisor publishes (or withholds) a closed order on the public answers page."""

    order_id: IdText | None = None
    published: StrictBool | None = None


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
    "set_publication": SetPublicationArgs,
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


ProofText = Annotated[str, Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]
"""A command's proof: 32 bytes of HMAC-SHA256 as lower-case hex."""


class Command(Wire):
    """One outbox row as a push carries it (the envelope; ``args`` by :data:`ARGS`)."""

    model_config = Wire.model_config | {"extra": "ignore"}
    op_id: RequiredId
    client_id: RequiredId
    mutation_id: StrictInt = Field(ge=1, le=2**53)
    order_id: IdText | None = None
    command: CommandName
    args: dict[str, Any] = Field(default_factory=dict)
    base_version: StrictInt | None = Field(default=None, ge=0, le=2**31)
    user: RequiredId
    seat: SeatText
    client_time: DateText | None = None
    session_id: IdText | None = None
    """The login session whose key signed this command (``command_proof``)."""
    proof: ProofText | None = None
    """HMAC-SHA256 (hex) of ``canonical_command`` with that session's key."""


SIGNED_FIELDS = (
    "op_id",
    "client_id",
    "mutation_id",
    "order_id",
    "command",
    "args",
    "base_version",
    "user",
    "seat",
    "client_time",
    "session_id",
)
"""What a command's proof covers: the whole envelope but the proof itself."""


def canonical_command(fields: dict[str, Any]) -> bytes:
    """The bytes a proof signs: the signed fields as sorted, compact, ASCII-only JSON.

    ASCII-only, so a lone surrogate in the args still has one encoding (the server refuses
    it later, with a reason) and both ends sign the same bytes whatever their JSON library.
    """
    import json

    values = [fields.get(name) for name in SIGNED_FIELDS]
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def command_proof(key: str, fields: dict[str, Any]) -> str:
    """The proof of a command: HMAC-SHA256 with the session key (hex), over
    ``canonical_command``; ``fields`` must already hold ``session_id``."""
    import hashlib
    import hmac

    return hmac.new(bytes.fromhex(key), canonical_command(fields), hashlib.sha256).hexdigest()


def proof_matches(key: str, fields: dict[str, Any], proof: str | None) -> bool:
    """Whether ``proof`` is this key's proof of these fields (constant-time compare)."""
    import hmac

    if not proof:
        return False
    try:
        expected = command_proof(key, fields)
    except ValueError:  # a malformed key on record
        return False
    return hmac.compare_digest(expected, proof)
