"""Who may do what: the command table of DESIGN.md section 1, with readable labels."""

from __future__ import annotations

from workstation.errors import InvalidTransition, NotPermitted
from workstation.models import Actor, OrderState, Role

A, C, U, S, Y = Role.AGENT, Role.CALLBACK, Role.UNIT, Role.SUPERVISOR, Role.SYSTEM

PERMISSIONS: dict[str, frozenset[Role]] = {
    "dispatch": frozenset({A, S}),
    "link_contact": frozenset({A, S}),
    "answer_contact": frozenset({A, S}),
    "reject_contact": frozenset({A, S}),
    "sign": frozenset({U}),
    "return_order": frozenset({U}),
    "request_extension": frozenset({U}),
    "reply": frozenset({U}),
    "decide_extension": frozenset({S}),
    "reassign": frozenset({S}),
    "recall": frozenset({S}),
    "add_co_handler": frozenset({S}),
    "urge": frozenset({S, Y}),
    "criticise": frozenset({S, Y}),
    "mark_overdue": frozenset({Y}),
    "create_callback": frozenset({Y}),
    "record_callback": frozenset({C, S}),
    "rehandle": frozenset({S}),
    "close": frozenset({S}),
    "notify_caller": frozenset({A, C, S}),
    "propose_article": frozenset({U}),
    "publish_article": frozenset({S}),
    "reject_proposal": frozenset({S}),
    "set_publication": frozenset({S}),
}
"""Command → roles allowed (the table of DESIGN.md; unit users act on their own orders)."""

ORDER_COMMANDS = frozenset(PERMISSIONS) - {
    "answer_contact",
    "reject_contact",
    "propose_article",
    "publish_article",
    "reject_proposal",
    "set_publication",
}

COMMAND_LABELS: dict[str, tuple[str, str]] = {
    "dispatch": ("派单", "dispatch"),
    "link_contact": ("关联工单", "link to order"),
    "answer_contact": ("直接答复", "answer on the call"),
    "reject_contact": ("不予受理", "not accepted"),
    "sign": ("签收", "sign for"),
    "return_order": ("退回", "return"),
    "request_extension": ("申请延期", "request extension"),
    "reply": ("办结答复", "reply"),
    "decide_extension": ("审批延期", "decide extension"),
    "reassign": ("改派", "reassign"),
    "recall": ("撤回", "recall"),
    "add_co_handler": ("增加协办单位", "add co-handler"),
    "urge": ("催办", "urge"),
    "criticise": ("通报批评", "criticise"),
    "mark_overdue": ("标记超期", "mark overdue"),
    "create_callback": ("生成回访", "create callback"),
    "record_callback": ("登记回访", "record callback"),
    "rehandle": ("重办", "re-handle"),
    "close": ("办结归档", "close"),
    "notify_caller": ("告知来电人", "tell the caller"),
    "propose_article": ("提交知识", "propose article"),
    "publish_article": ("发布知识", "publish article"),
    "reject_proposal": ("退回知识", "reject proposal"),
    "set_publication": ("公开或不公开", "publish or withhold"),
}

STATE_LABELS: dict[OrderState, tuple[str, str]] = {
    OrderState.DISPATCHED: ("已派单", "dispatched"),
    OrderState.SIGNED: ("已签收", "signed"),
    OrderState.RETURNED: ("已退回", "returned"),
    OrderState.EXTENSION_REQUESTED: ("延期申请中", "extension requested"),
    OrderState.REPLIED: ("已答复", "replied"),
    OrderState.CALLBACK_PENDING: ("待回访", "awaiting callback"),
    OrderState.REHANDLING: ("重办中", "re-handling"),
    OrderState.CLOSED: ("已办结", "closed"),
    OrderState.RECALLED: ("已撤回", "recalled"),
}


def require_permission(command: str, actor: Actor) -> None:
    allowed = PERMISSIONS.get(command)
    if allowed is None:
        raise InvalidTransition(f"未知的操作：{command}", f"unknown command {command!r}")
    if actor.role not in allowed:
        zh, en = COMMAND_LABELS[command]
        raise NotPermitted(
            f"{_role_zh(actor.role)}不能执行“{zh}”",
            f"a {actor.role.value} user may not {en}",
        )


def _role_zh(role: Role) -> str:
    return {A: "坐席", C: "回访员", U: "承办单位", S: "督查中心", Y: "系统", Role.ADMIN: "管理员"}[
        role
    ]
