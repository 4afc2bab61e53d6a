"""Intake rules (受理规则): why a contact is not accepted, and where emergencies go.

Each non-accepted reason (不予受理) comes with the words the agent reads to the caller, so
every caller hears the same explanation; an emergency is transferred to 110/119/120/122
and the form shows the number to dial.
"""

from __future__ import annotations

from dataclasses import dataclass

from workstation.errors import ValidationError
from workstation.models import RejectReason


@dataclass(frozen=True)
class RejectInfo:
    """A non-accepted reason: its label and the script the agent reads (坐席答复口径)."""

    reason: RejectReason
    zh: str
    en: str
    script_zh: str
    script_en: str
    needs_transfer: bool = False

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def script(self, lang: str = "zh") -> str:
        return self.script_zh if lang == "zh" else self.script_en


@dataclass(frozen=True)
class TransferInfo:
    """An emergency line the agent transfers the caller to (转接)."""

    number: str
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        return f"{self.number} {self.zh if lang == 'zh' else self.en}"


REJECT_REASONS: dict[RejectReason, RejectInfo] = {
    RejectReason.OUT_OF_AREA: RejectInfo(
        RejectReason.OUT_OF_AREA,
        "不属于本市管辖",
        "Outside this city's jurisdiction",
        "您反映的事项不属于本市管辖范围，建议您联系事发地的 12345 热线或相关主管部门，"
        "我可以告诉您对方的联系方式。",
        "The matter you describe is outside this city's jurisdiction. Please contact the "
        "12345 hotline of the place where it happened or the responsible authority; I can "
        "give you their contact details.",
    ),
    RejectReason.EMERGENCY: RejectInfo(
        RejectReason.EMERGENCY,
        "紧急求助，需转接 110/119/120/122",
        "Emergency: transfer to 110/119/120/122",
        "您反映的是紧急情况，我现在为您转接{number}{name}，请不要挂机。"
        "如转接不成功，请直接拨打{number}。",
        "This is an emergency. I am transferring you to {number} ({name_en}) now, please "
        "stay on the line. If the transfer fails, dial {number} directly.",
        needs_transfer=True,
    ),
    RejectReason.LITIGATION: RejectInfo(
        RejectReason.LITIGATION,
        "已进入诉讼、仲裁或行政复议程序",
        "Already in litigation, arbitration or administrative review",
        "您反映的事项已进入诉讼（仲裁、行政复议）程序，依法应由相关机关处理，"
        "热线不能受理。请您按照该程序的要求继续办理。",
        "Your matter is already before a court, an arbitration body or an administrative "
        "review, which must decide it by law; the hotline cannot take it. Please continue "
        "through that procedure.",
    ),
    RejectReason.SECRET: RejectInfo(
        RejectReason.SECRET,
        "涉及国家秘密、商业秘密或个人隐私",
        "Involves state or commercial secrets or another person's privacy",
        "您反映的内容涉及国家秘密、商业秘密或他人隐私，热线不能受理。"
        "如有需要，请向有关主管机关反映。",
        "What you describe involves state or commercial secrets or another person's "
        "privacy, which the hotline cannot take. If needed, please raise it with the "
        "competent authority.",
    ),
    RejectReason.VAGUE: RejectInfo(
        RejectReason.VAGUE,
        "诉求不明确，无法办理",
        "Too unspecific to handle",
        "您反映的事项缺少具体的时间、地点或诉求内容，暂时无法转办。请您补充清楚后再与我们联系。",
        "Your request lacks the time, place or what you ask for, so it cannot be passed on "
        "yet. Please contact us again with the details.",
    ),
}

TRANSFER_NUMBERS: dict[str, TransferInfo] = {
    "110": TransferInfo("110", "公安报警", "police"),
    "119": TransferInfo("119", "消防火警", "fire"),
    "120": TransferInfo("120", "医疗急救", "ambulance"),
    "122": TransferInfo("122", "交通事故报警", "traffic accidents"),
}


def parse_reason(reason: RejectReason | str) -> RejectReason:
    """Accept the code (``out_of_area``) or the Chinese label."""
    if isinstance(reason, RejectReason):
        return reason
    for member, info in REJECT_REASONS.items():
        if reason in (member.value, info.zh):
            return member
    raise ValidationError(
        "reject_reason",
        f"未知的不予受理原因：{reason}",
        f"unknown non-accepted reason {reason!r} (use {', '.join(r.value for r in RejectReason)})",
    )


def validate_rejection(
    reason: RejectReason | str, transfer_to: str | None, explanation: str
) -> RejectReason:
    """Check a rejection before it is recorded; returns the reason as a RejectReason.

    An emergency needs one of the four transfer numbers; other reasons must not carry one;
    the agent's explanation is always required.
    """
    parsed = parse_reason(reason)
    number = (transfer_to or "").strip()
    if parsed is RejectReason.EMERGENCY:
        if number not in TRANSFER_NUMBERS:
            allowed = "/".join(TRANSFER_NUMBERS)
            raise ValidationError(
                "transfer_to",
                f"紧急求助必须选择转接号码（{allowed}）",
                f"an emergency needs a transfer number ({allowed})",
                value=transfer_to,
            )
    elif number:
        raise ValidationError(
            "transfer_to",
            f"只有紧急求助才转接 {number}；“{REJECT_REASONS[parsed].zh}”不应填写转接号码",
            f"only emergencies are transferred; remove the transfer number {number} "
            f"for '{REJECT_REASONS[parsed].en}'",
            value=transfer_to,
        )
    if not (explanation or "").strip():
        raise ValidationError(
            "explanation",
            "请填写向来电人所作的解释",
            "the explanation given to the caller is required",
        )
    return parsed


def script_for(reason: RejectReason | str, transfer_to: str | None = None, lang: str = "zh") -> str:
    """The words the agent reads, with the transfer number filled in for emergencies."""
    info = REJECT_REASONS[parse_reason(reason)]
    text = info.script(lang)
    if info.needs_transfer:
        transfer = TRANSFER_NUMBERS.get((transfer_to or "").strip())
        if transfer is None:
            number, name, name_en = "110/119/120/122", "", "emergency services"
        else:
            number, name, name_en = transfer.number, transfer.zh, transfer.en
        text = text.format(number=number, name=name, name_en=name_en)
    return text
