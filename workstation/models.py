"""The hotline's records: contacts, work orders (工单), events, units, notices, callbacks.

Plain frozen dataclasses and string enums, so they serialise to JSON for the outbox, the
sync protocol and the server without a framework. An order's state is never stored on
its own: it is the fold of its events (see ``workflow.fold``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from workstation.errors import ValidationError


class OrderType(StrEnum):
    CONSULTATION = "consultation"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议

    @property
    def zh(self) -> str:
        return TYPE_ZH[self]

    @classmethod
    def parse(cls, value: str) -> OrderType:
        """Accept the English code or the Chinese name (咨询/求助/投诉/建议)."""
        for member in cls:
            if value in (member.value, TYPE_ZH[member]):
                return member
        raise ValidationError(
            "type",
            f"未知的诉求类型：{value}（应为 咨询/求助/投诉/建议）",
            f"unknown request type {value!r} (use consultation, help, complaint or suggestion)",
        )


TYPE_ZH = {
    OrderType.CONSULTATION: "咨询",
    OrderType.HELP: "求助",
    OrderType.COMPLAINT: "投诉",
    OrderType.SUGGESTION: "建议",
}


class Channel(StrEnum):
    PHONE = "phone"
    WEB = "web"
    SMS = "sms"
    MOBILE = "mobile"
    MAILBOX = "mailbox"


class Role(StrEnum):
    AGENT = "agent"  # 坐席
    CALLBACK = "callback"  # 回访员
    UNIT = "unit"  # 承办单位
    SUPERVISOR = "supervisor"  # 督查中心
    ADMIN = "admin"
    SYSTEM = "system"  # the server's periodic jobs


class RejectReason(StrEnum):
    """Why a contact is not accepted (不予受理)."""

    OUT_OF_AREA = "out_of_area"
    EMERGENCY = "emergency"
    LITIGATION = "litigation"
    SECRET = "secret"
    VAGUE = "vague"


class ContactOutcome(StrEnum):
    LOGGED = "logged"
    ANSWERED = "answered"  # 直接答复办结
    REJECTED = "rejected"  # 不予受理
    DISPATCHED = "dispatched"  # became a work order
    LINKED = "linked"  # joined an open order about the same matter


class OrderState(StrEnum):
    DISPATCHED = "dispatched"  # 已派单
    SIGNED = "signed"  # 已签收
    RETURNED = "returned"  # 已退回
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请中
    REPLIED = "replied"  # 已办结（待回访）
    CALLBACK_PENDING = "callback_pending"  # 待回访
    REHANDLING = "rehandling"  # 重办
    CLOSED = "closed"  # 已归档
    RECALLED = "recalled"  # 已撤回


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class NoticeKind(StrEnum):
    URGING = "urging"  # 催办通知书
    CRITICISM = "criticism"  # 通报批评


class CallbackQueue(StrEnum):
    OPERATORS = "operators"
    SUPERVISION = "supervision"  # city-leader orders


class CallbackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Actor:
    """Who issues a command: user, role, unit scope (for unit users) and seat."""

    user: str
    role: Role
    unit: str | None = None
    seat: str | None = None


@dataclass(frozen=True)
class Unit:
    """A handling unit (承办单位) from the routing directory."""

    code: str
    name: str
    short: str = ""
    kind: str = ""
    duties: str = ""
    keywords: tuple[str, ...] = ()
    hotline: str = ""
    leader: str = ""  # leader in charge, copied on urging notices

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Unit:
        return cls(
            code=str(data["code"]),
            name=str(data["name"]),
            short=str(data.get("short") or ""),
            kind=str(data.get("kind") or ""),
            duties=str(data.get("duties") or ""),
            keywords=tuple(str(k) for k in data.get("keywords") or ()),
            hotline=str(data.get("hotline") or ""),
            leader=str(data.get("leader") or ""),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        return data


def load_units(path: str | Path) -> list[Unit]:
    """Read a routing directory (JSON Lines of ``{code, name, short, kind, duties, ...}``)."""
    units: list[Unit] = []
    seen: set[str] = set()
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            unit = Unit.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(
                "units",
                f"单位名录第 {lineno} 行无效：{exc}",
                f"routing directory line {lineno} is invalid: {exc}",
            ) from exc
        if unit.code in seen:
            raise ValidationError(
                "units",
                f"单位名录第 {lineno} 行：单位代码 {unit.code} 重复",
                f"routing directory line {lineno}: duplicate unit code {unit.code}",
            )
        seen.add(unit.code)
        units.append(unit)
    return units


@dataclass(frozen=True)
class Contact:
    """Every contact is logged, accepted or not (来电/来信登记)."""

    contact_id: str
    channel: Channel
    content: str
    received_at: datetime
    seat: str | None = None
    agent: str | None = None
    caller_name: str = ""
    caller_phone: str = ""
    confidential: bool = False
    type: OrderType | None = None
    outcome: ContactOutcome = ContactOutcome.LOGGED
    reject_reason: RejectReason | None = None
    explanation: str = ""
    transfer_to: str | None = None
    article_ids: tuple[str, ...] = ()
    order_id: str | None = None


@dataclass(frozen=True)
class Event:
    """One change to a work order, with who made it, where and why."""

    order_id: str
    seq: int  # 1, 2, ... within the order; the order's version is its last seq
    kind: str
    at: datetime
    actor: str
    role: Role
    unit: str | None = None
    seat: str | None = None
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "seq": self.seq,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "role": self.role.value,
            "unit": self.unit,
            "seat": self.seat,
            "reason": self.reason,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(
            order_id=data["order_id"],
            seq=int(data["seq"]),
            kind=data["kind"],
            at=datetime.fromisoformat(data["at"]),
            actor=data["actor"],
            role=Role(data["role"]),
            unit=data.get("unit"),
            seat=data.get("seat"),
            reason=data.get("reason") or "",
            data=dict(data.get("data") or {}),
        )


@dataclass(frozen=True)
class Notice:
    """An urging notice (催办通知书) or a criticism notice (通报批评): numbered, printable."""

    number: str  # e.g. 催办〔2026〕0007号
    kind: NoticeKind
    order_id: str
    unit: str
    issued_at: datetime
    text: str
    copied_to: str = ""  # the unit's leader in charge


@dataclass(frozen=True)
class CallbackAttempt:
    at: datetime
    actor: str
    reached: bool
    resolved: bool | None = None
    satisfaction: Satisfaction | None = None
    comment: str = ""


@dataclass(frozen=True)
class DeadlineRules:
    """Working-day limits per type (*config*)."""

    consultation: int = 3
    suggestion: int = 5
    complaint: int = 7
    help: int = 7
    investigation: int = 10
    return_window: int = 2
    criticism_after: int = 2  # working days after an unanswered urging
    due_soon: int = 1  # working days left that count as "due soon"
    sign_within: int = 1  # working days to sign for an order on time
    callback_attempts: int = 3
    callback_retry_hours: int = 4

    def days_for(self, order_type: OrderType, investigation: bool = False) -> int:
        if investigation:
            return self.investigation
        return int(getattr(self, order_type.value))


def today_of(moment: datetime) -> date:
    return moment.date()
