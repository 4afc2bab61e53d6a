"""The intake form (受理单): every field of a call, parsed once, with an error per field.

The intake screen parses what was typed with :meth:`IntakeForm.parse` and shows each
error of :class:`FormErrors` under its field; the seat builds the command's arguments with
:meth:`IntakeForm.to_args`; the domain (``workstation.contacts``, ``workstation.workflow``)
parses those arguments again on the server with the same method. The required fields of
each outcome and the length limits are defined here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from workstation.errors import ValidationError
from workstation.models import Channel, ContactOutcome, OrderType, RejectReason
from workstation.wire.text import Limits

MAX_CONTENT = Limits.CONTENT
MAX_ADDRESS = Limits.ADDRESS
MAX_CALLER_NAME = Limits.NAME
MAX_CALLER_PHONE = Limits.PHONE
LIMITS = {
    "content": MAX_CONTENT,
    "address": MAX_ADDRESS,
    "caller_name": MAX_CALLER_NAME,
    "caller_phone": MAX_CALLER_PHONE,
}

REQUIRED: dict[ContactOutcome, tuple[str, ...]] = {
    ContactOutcome.DISPATCHED: ("caller_phone", "content", "type", "unit", "override"),
    ContactOutcome.ANSWERED: ("content", "type"),
    ContactOutcome.REJECTED: ("content",),
    ContactOutcome.LINKED: ("content",),
}
"""What each outcome needs; checked in the order the form shows the fields.

- A work order (派单) needs a phone to call the caller back (回访), or the explicit flag
  that the caller declined to give one (``phone_declined``: anonymous callers, a web
  request without a phone); a confidential caller still gives a phone, which units see
  masked.
- A work order is never dispatched while the intake assist flags the call as an emergency
  (转接 110/119/120/122) or as not accepted (不予受理: another city, a court case, secrets;
  see ``BLOCKING``), unless the agent overrides that with a reason (``override``), which the
  dispatch event keeps for the supervisor.
- A consultation answered on the call (直接答复办结) records what was asked and its type.
- The address stays optional: the content names the place when the matter is about one.
"""

_REQUIRED_MESSAGES = {
    "caller_phone": (
        "请填写回访电话；来电人不愿留电话时请勾选“来电人不留电话”",
        "Enter a phone for the callback, or tick 'Caller gives no phone' if they declined",
    ),
    "content": ("请填写诉求内容", "Enter what the caller asks"),
    "type": ("请选择诉求类型", "Choose a request type"),
    "unit": ("请选择承办单位", "Choose a handling unit"),
}
_NAMES = {
    "content": ("诉求内容", "the request"),
    "address": ("地址", "the address"),
    "caller_name": ("来电人姓名", "the caller's name"),
    "caller_phone": ("来电号码", "the phone number"),
}
_FLAGS = {
    "confidential": ("保密选项须为是或否", "confidential must be true or false"),
    "investigation": ("需调查选项须为是或否", "investigation must be true or false"),
    "leader_instructed": ("市领导批办选项须为是或否", "leader_instructed must be true or false"),
    "phone_declined": ("不留电话选项须为是或否", "phone_declined must be true or false"),
}


@dataclass(frozen=True)
class AssistFlag:
    """What the intake assist flagged about a call: an emergency to transfer, or a reason
    not to accept it. Dispatching such a call needs the agent's override reason."""

    reason: RejectReason
    transfer_to: str | None = None

    @property
    def code(self) -> str:
        """``emergency:120``, ``out_of_area``: recorded with an override."""
        if self.reason is RejectReason.EMERGENCY and self.transfer_to:
            return f"{self.reason.value}:{self.transfer_to}"
        return self.reason.value

    def label(self, lang: str = "zh") -> str:
        """What the agent reads: ``紧急求助，应转接 120 医疗急救`` or the reason's label."""
        from workstation.intake_rules import REJECT_REASONS, TRANSFER_NUMBERS

        if self.reason is RejectReason.EMERGENCY and self.transfer_to in TRANSFER_NUMBERS:
            info = TRANSFER_NUMBERS[self.transfer_to]
            if lang == "zh":
                return f"紧急求助，应转接 {info.label('zh')}"
            return f"emergency: transfer to {info.label('en')}"
        return REJECT_REASONS[self.reason].label(lang)

    def blocked(self) -> tuple[str, str]:
        """The message under the form when dispatch is refused for this flag."""
        zh, en = self.label("zh"), self.label("en")
        if self.reason is RejectReason.EMERGENCY:
            return (
                f"助手提示：{zh}，不能派单。请按 F7 转接；确需派单须填写理由",
                f"The assist flags: {en}; do not dispatch. Press F7 to transfer, or give "
                "a reason to dispatch anyway",
            )
        return (
            f"助手提示可能不予受理：{zh}。请按 F7 登记不予受理；确需派单须填写理由",
            f"The assist flags a possible non-acceptance: {en}. Press F7 to log it, or "
            "give a reason to dispatch anyway",
        )


BLOCKING = frozenset(RejectReason) - {RejectReason.VAGUE}
"""The assist's reasons that stop a dispatch: what it finds in the words (emergency words,
another city's places, a court case, secrets). ``vague`` is only shown: it judges the
text's length, and the agent on the line knows more than the text."""


def assist_flag(assist: Mapping[str, Any] | None) -> AssistFlag | None:
    """The emergency or non-accepted reason in the assist's verdict (``assist`` of the form
    and of the dispatch args) that stops a dispatch, or None."""
    if not isinstance(assist, Mapping):
        return None
    try:
        reason = RejectReason(str(assist.get("reject_reason") or ""))
    except ValueError:
        return None
    if reason not in BLOCKING:
        return None
    transfer = assist.get("transfer_to")
    return AssistFlag(reason, str(transfer) if transfer else None)


class FormErrors(ValidationError):
    """Every field the form refused, each with its message (zh, en); ``field`` is the first
    one, so code that handles a single ``ValidationError`` still shows something useful."""

    def __init__(self, errors: Mapping[str, tuple[str, str]]) -> None:
        if not errors:
            raise ValueError("FormErrors needs at least one field")
        self.errors: dict[str, tuple[str, str]] = dict(errors)
        first, (zh, en) = next(iter(self.errors.items()))
        super().__init__(first, zh, en)
        self.details["fields"] = {f: {"zh": z, "en": e} for f, (z, e) in self.errors.items()}

    def message_for(self, field_name: str, lang: str | None = None) -> str | None:
        """The message of one field in the user's language, or None when it is fine."""
        from workstation.i18n import language

        pair = self.errors.get(field_name)
        if pair is None:
            return None
        return pair[0] if (lang or language()) == "zh" else pair[1]


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class IntakeForm:
    """One call as the agent typed it; ``parse`` is the only way in from raw values."""

    content: str = ""
    type: OrderType | None = None
    channel: Channel = Channel.PHONE
    caller_name: str = ""
    caller_phone: str = ""
    confidential: bool = False
    address: str = ""
    investigation: bool = False
    leader_instructed: bool = False
    unit: str | None = None
    co_units: tuple[str, ...] = ()
    contact_id: str | None = None
    phone_declined: bool = False
    override: str = ""
    """Why the agent dispatches although the assist flagged the call (see ``REQUIRED``)."""
    assist: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], outcome: ContactOutcome | None = None) -> IntakeForm:
        """The form from raw values (the screen's widgets, a draft, a command's ``args``);
        with ``outcome``, also what that outcome requires. Raises :class:`FormErrors`."""
        errors: dict[str, tuple[str, str]] = {}
        texts = {name: _text(raw, name) for name in ("content", *LIMITS)}
        for name, limit in LIMITS.items():
            if len(texts[name]) > limit:
                zh, en = _NAMES[name]
                n = len(texts[name])
                errors[name] = (
                    f"{zh}过长（{n} 字，上限 {limit}）",
                    f"{en} is too long ({n} characters, at most {limit})",
                )
        order_type = None
        if raw.get("type"):
            try:
                order_type = OrderType.parse(str(raw["type"]))
            except ValidationError as exc:
                errors["type"] = (exc.zh, exc.en)
        try:
            channel = Channel(raw.get("channel") or "phone")
        except ValueError:
            errors["channel"] = ("未知的来源渠道", "unknown channel")
            channel = Channel.PHONE
        co_raw = raw.get("co_units") or ()
        if not isinstance(co_raw, list | tuple) or not all(isinstance(c, str) for c in co_raw):
            errors["co_units"] = ("协办单位格式不正确", "co_units must be a list of unit codes")
            co_raw = ()
        flags = {name: raw.get(name, False) for name in _FLAGS}
        for name, value in flags.items():
            if value is None:
                flags[name] = False
            elif not isinstance(value, bool):
                errors[name] = _FLAGS[name]
                flags[name] = False
        assist = raw.get("assist")
        override = raw.get("override")
        if isinstance(override, Mapping):
            override = override.get("reason")
        override_text = "" if override is None else str(override).strip()
        if len(override_text) > Limits.REASON:
            errors["override"] = (
                f"派单理由过长（上限 {Limits.REASON} 字）",
                f"the override reason is too long (at most {Limits.REASON} characters)",
            )
        form = cls(
            content=texts["content"],
            type=order_type,
            channel=channel,
            caller_name=texts["caller_name"],
            caller_phone=texts["caller_phone"],
            confidential=flags["confidential"],
            address=texts["address"],
            investigation=flags["investigation"],
            leader_instructed=flags["leader_instructed"],
            unit=_text(raw, "unit") or None,
            co_units=tuple(co_raw),
            contact_id=_text(raw, "contact_id") or None,
            phone_declined=flags["phone_declined"],
            override=override_text,
            assist=dict(assist) if isinstance(assist, Mapping) else None,
        )
        if outcome is not None:
            for name, pair in form.missing(outcome).items():
                errors.setdefault(name, pair)
        if errors:
            raise FormErrors(_in_form_order(errors))
        return form

    def missing(self, outcome: ContactOutcome) -> dict[str, tuple[str, str]]:
        """The required fields of ``outcome`` this form lacks, with their messages."""
        present = {"content": bool(self.content), "type": self.type is not None,
                   "unit": bool(self.unit), "override": True,
                   "caller_phone": bool(self.caller_phone) or self.phone_declined}  # fmt: skip
        missing = {
            name: _REQUIRED_MESSAGES[name] for name in REQUIRED[outcome] if not present[name]
        }
        flag = self.flag
        if "override" in REQUIRED[outcome] and flag is not None and not self.override:
            missing["override"] = flag.blocked()
        return missing

    @property
    def flag(self) -> AssistFlag | None:
        """What the assist flagged about this call (emergency, not accepted), if anything."""
        return assist_flag(self.assist)

    def require(self, outcome: ContactOutcome) -> IntakeForm:
        """This form, or :class:`FormErrors` naming what ``outcome`` still needs."""
        missing = self.missing(outcome)
        if missing:
            raise FormErrors(missing)
        return self

    def with_contact_id(self, contact_id: str) -> IntakeForm:
        return replace(self, contact_id=contact_id)

    def to_args(self) -> dict[str, Any]:
        """The command's arguments (the outbox and the server read these keys)."""
        args: dict[str, Any] = {
            "type": self.type.value if self.type else None,
            "channel": self.channel.value,
            "content": self.content,
            "caller_name": self.caller_name,
            "caller_phone": self.caller_phone,
            "confidential": self.confidential,
            "address": self.address,
            "investigation": self.investigation,
            "leader_instructed": self.leader_instructed,
            "unit": self.unit,
            "co_units": list(self.co_units),
            "contact_id": self.contact_id,
        }
        if self.phone_declined:
            args["phone_declined"] = True
        if self.override:
            flag = self.flag
            args["override"] = {"flag": flag.code if flag else "", "reason": self.override}
        if self.assist is not None:
            args["assist"] = self.assist
        return args


FIELD_ORDER = (
    "caller_phone", "caller_name", "channel", "content", "type", "unit", "co_units", "address",
    "override",
)  # fmt: skip


def _in_form_order(errors: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))
