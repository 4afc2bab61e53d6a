"""Every transition of DESIGN.md section 1: who may make it, and the refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workstation.calendar import WorkingCalendar
from workstation.errors import (
    AlreadySigned,
    ExtensionTooLate,
    InvalidTransition,
    NotPermitted,
    NotYourUnit,
    OutsideReturnWindow,
    UnknownOrder,
    ValidationError,
)
from workstation.models import Actor, DeadlineRules, OrderState, Role
from workstation.orders import WorkOrder, fold, from_snapshot, snapshot
from workstation.permissions import PERMISSIONS
from workstation.workflow import Context, decide, execute

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)  # a Wednesday before National Day
CTX = Context(
    calendar=WorkingCalendar.default(),
    rules=DeadlineRules(),
    unit_codes=frozenset({"U001", "U002", "U003"}),
)

AGENT = Actor("li", Role.AGENT, seat="S01")
SUPERVISOR = Actor("zhou", Role.SUPERVISOR, seat="S09")
CALLBACK = Actor("wang", Role.CALLBACK, seat="S05")
UNIT1 = Actor("u1", Role.UNIT, unit="U001", seat="S20")
UNIT1B = Actor("u1b", Role.UNIT, unit="U001", seat="S21")
UNIT2 = Actor("u2", Role.UNIT, unit="U002", seat="S22")
SYSTEM = Actor("system", Role.SYSTEM)

FORM = {"type": "complaint", "content": "路灯不亮", "unit": "U001", "caller_phone": "13900000000"}


def dispatched(form: dict | None = None, now: datetime = T0) -> WorkOrder:
    order, _ = execute(None, "dispatch", form or FORM, AGENT, now, CTX, order_id="QD-S01-2609-0001")
    return order


def run(order: WorkOrder, steps: list[tuple[str, dict, Actor, datetime]]) -> WorkOrder:
    for command, args, actor, now in steps:
        order, _ = execute(order, command, args, actor, now, CTX)
    return order


def signed(now: datetime = T0 + timedelta(hours=1)) -> WorkOrder:
    return run(dispatched(), [("sign", {}, UNIT1, now)])


def replied() -> WorkOrder:
    return run(signed(), [("reply", {"result": "已修复"}, UNIT1, T0 + timedelta(days=1))])


def callback_pending(leader: bool = False) -> WorkOrder:
    order = dispatched({**FORM, "leader_instructed": leader})
    return run(
        order,
        [
            ("sign", {}, UNIT1, T0 + timedelta(hours=1)),
            ("reply", {"result": "已修复"}, UNIT1, T0 + timedelta(days=1)),
            ("create_callback", {}, SYSTEM, T0 + timedelta(days=1, minutes=1)),
        ],
    )


def dissatisfied() -> WorkOrder:
    answer = {
        "reached": True,
        "resolved": False,
        "satisfaction": "dissatisfied",
        "comment": "没修好",
    }
    return run(callback_pending(), [("record_callback", answer, CALLBACK, T0 + timedelta(days=2))])


# --- dispatch -----------------------------------------------------------------------------


def test_dispatch_computes_the_deadline_on_the_working_day_calendar() -> None:
    order = dispatched()
    assert order.state is OrderState.DISPATCHED
    assert order.deadline.date().isoformat() == "2026-10-15"  # complaint: 7 working days
    consult = dispatched({**FORM, "type": "consultation"})
    assert consult.deadline.date().isoformat() == "2026-10-10"  # a Saturday make-up day
    investigated = dispatched({**FORM, "investigation": True})
    assert investigated.deadline > order.deadline


@pytest.mark.parametrize("actor", [CALLBACK, UNIT1, SYSTEM])
def test_only_agents_and_supervisors_dispatch(actor: Actor) -> None:
    with pytest.raises(NotPermitted):
        decide(None, "dispatch", FORM, actor, T0, CTX, order_id="X-1")


def test_supervisor_may_dispatch() -> None:
    order, _ = execute(None, "dispatch", FORM, SUPERVISOR, T0, CTX, order_id="X-2")
    assert order.created_by == "zhou"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content": "  "}, "content"),
        ({"unit": "U999"}, "unit"),
        ({"unit": ""}, "unit"),
        ({"type": "gossip"}, "type"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_dispatch_refuses_bad_fields_naming_the_field(change: dict, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        decide(None, "dispatch", {**FORM, **change}, AGENT, T0, CTX, order_id="X-3")
    assert err.value.field == field


def test_dispatch_accepts_chinese_type_names() -> None:
    assert dispatched({**FORM, "type": "咨询"}).type.value == "consultation"


def test_unknown_order_is_refused() -> None:
    with pytest.raises(UnknownOrder):
        decide(None, "sign", {}, UNIT1, T0, CTX, order_id="nope")


# --- sign ---------------------------------------------------------------------------------


def test_unit_signs_its_own_order_once() -> None:
    order = signed()
    assert order.state is OrderState.SIGNED and order.signed_by == "U001"
    with pytest.raises(AlreadySigned):
        decide(order, "sign", {}, UNIT1B, T0 + timedelta(hours=2), CTX)


def test_another_unit_cannot_sign() -> None:
    with pytest.raises(NotYourUnit):
        decide(dispatched(), "sign", {}, UNIT2, T0, CTX)


@pytest.mark.parametrize("actor", [AGENT, CALLBACK, SUPERVISOR, SYSTEM])
def test_only_units_sign(actor: Actor) -> None:
    with pytest.raises(NotPermitted):
        decide(dispatched(), "sign", {}, actor, T0, CTX)


# --- return -------------------------------------------------------------------------------


def test_return_inside_the_window_goes_back_to_supervision() -> None:
    order = run(
        dispatched(),
        [
            (
                "return_order",
                {"reason": "非本单位职责", "basis": "三定方案"},
                UNIT1,
                T0 + timedelta(hours=3),
            )
        ],
    )
    assert order.state is OrderState.RETURNED
    assert order.returned and order.returned["reason"] == "非本单位职责"


def test_return_after_the_window_is_refused() -> None:
    # two working days after 9-30 end on 10-09 (National Day holidays in between)
    late = datetime(2026, 10, 10, 9, 0, tzinfo=TZ)
    with pytest.raises(OutsideReturnWindow) as err:
        decide(dispatched(), "return_order", {"reason": "r", "basis": "b"}, UNIT1, late, CTX)
    assert "2026-10-09" in err.value.en
    ok = datetime(2026, 10, 9, 18, 0, tzinfo=TZ)
    assert decide(dispatched(), "return_order", {"reason": "r", "basis": "b"}, UNIT1, ok, CTX)


def test_return_needs_reason_and_basis() -> None:
    with pytest.raises(ValidationError) as err:
        decide(dispatched(), "return_order", {"reason": "r"}, UNIT1, T0, CTX)
    assert err.value.field == "basis"


def test_return_by_another_unit_is_refused() -> None:
    with pytest.raises(NotYourUnit):
        decide(dispatched(), "return_order", {"reason": "r", "basis": "b"}, UNIT2, T0, CTX)


def test_reassign_a_returned_order_restarts_the_clock() -> None:
    order = run(dispatched(), [("return_order", {"reason": "r", "basis": "b"}, UNIT1, T0)])
    later = datetime(2026, 10, 12, 9, 0, tzinfo=TZ)
    order = run(order, [("reassign", {"unit": "U002", "reason": "协调后改派"}, SUPERVISOR, later)])
    assert order.state is OrderState.DISPATCHED and order.unit == "U002"
    assert order.deadline.date().isoformat() == "2026-10-21"
    with pytest.raises(NotYourUnit):
        decide(order, "sign", {}, UNIT1, later, CTX)
    assert run(order, [("sign", {}, UNIT2, later)]).state is OrderState.SIGNED


@pytest.mark.parametrize("actor", [AGENT, UNIT1, CALLBACK])
def test_only_supervisors_reassign(actor: Actor) -> None:
    with pytest.raises(NotPermitted):
        decide(dispatched(), "reassign", {"unit": "U002"}, actor, T0, CTX)


def test_reassign_to_the_same_unit_is_refused() -> None:
    with pytest.raises(ValidationError):
        decide(dispatched(), "reassign", {"unit": "U001"}, SUPERVISOR, T0, CTX)


def test_recall_and_co_handler() -> None:
    order = run(
        dispatched(), [("add_co_handler", {"unit": "U003", "reason": "需要协办"}, SUPERVISOR, T0)]
    )
    assert order.co_units == ("U003",)
    with pytest.raises(ValidationError):
        decide(order, "add_co_handler", {"unit": "U003", "reason": "需要协办"}, SUPERVISOR, T0, CTX)
    order = run(order, [("recall", {"reason": "重复工单"}, SUPERVISOR, T0)])
    assert order.state is OrderState.RECALLED
    with pytest.raises(InvalidTransition):
        decide(order, "recall", {"reason": "x"}, SUPERVISOR, T0, CTX)


# --- extension ----------------------------------------------------------------------------


def test_extension_before_the_deadline_then_approved_moves_the_deadline() -> None:
    order = run(
        signed(),
        [
            (
                "request_extension",
                {"new_deadline": "2026-10-30", "reason": "需现场勘查"},
                UNIT1,
                T0 + timedelta(days=3),
            )
        ],
    )
    assert order.state is OrderState.EXTENSION_REQUESTED
    with pytest.raises(NotPermitted):
        decide(order, "decide_extension", {"approved": True}, UNIT1, T0, CTX)
    order = run(
        order,
        [
            (
                "decide_extension",
                {"approved": True, "comment": "同意"},
                SUPERVISOR,
                T0 + timedelta(days=4),
            )
        ],
    )
    assert order.state is OrderState.SIGNED
    assert order.deadline.date().isoformat() == "2026-10-30"
    assert (
        order.extension
        and order.extension.status == "approved"
        and not order.extension.caller_notified
    )
    order = run(order, [("notify_caller", {}, CALLBACK, T0 + timedelta(days=4))])
    assert order.extension and order.extension.caller_notified
    with pytest.raises(InvalidTransition):
        decide(order, "notify_caller", {}, AGENT, T0, CTX)


def test_rejected_extension_keeps_the_deadline_and_needs_a_reason() -> None:
    order = run(
        signed(), [("request_extension", {"new_deadline": "2026-10-30", "reason": "r"}, UNIT1, T0)]
    )
    with pytest.raises(ValidationError):
        decide(order, "decide_extension", {"approved": False}, SUPERVISOR, T0, CTX)
    order = run(
        order, [("decide_extension", {"approved": False, "comment": "理由不充分"}, SUPERVISOR, T0)]
    )
    assert order.state is OrderState.SIGNED and order.deadline.date().isoformat() == "2026-10-15"


def test_extension_after_the_deadline_is_refused() -> None:
    late = datetime(2026, 10, 16, 9, 0, tzinfo=TZ)
    with pytest.raises(ExtensionTooLate):
        decide(
            signed(),
            "request_extension",
            {"new_deadline": "2026-10-30", "reason": "r"},
            UNIT1,
            late,
            CTX,
        )


def test_extension_date_must_be_after_the_current_deadline() -> None:
    with pytest.raises(ValidationError) as err:
        decide(
            signed(),
            "request_extension",
            {"new_deadline": "2026-10-12", "reason": "r"},
            UNIT1,
            T0,
            CTX,
        )
    assert err.value.field == "new_deadline"


def test_extension_needs_the_order_signed() -> None:
    with pytest.raises(InvalidTransition):
        decide(
            dispatched(),
            "request_extension",
            {"new_deadline": "2026-10-30", "reason": "r"},
            UNIT1,
            T0,
            CTX,
        )


# --- reply and callback -------------------------------------------------------------------


def test_reply_needs_a_signed_order_and_a_result() -> None:
    with pytest.raises(InvalidTransition):
        decide(dispatched(), "reply", {"result": "x"}, UNIT1, T0, CTX)
    with pytest.raises(ValidationError):
        decide(signed(), "reply", {"result": ""}, UNIT1, T0, CTX)
    with pytest.raises(NotYourUnit):
        decide(signed(), "reply", {"result": "x"}, UNIT2, T0, CTX)
    assert replied().state is OrderState.REPLIED


def test_callback_queue_depends_on_city_leader_instruction() -> None:
    assert callback_pending().callback_queue == "operators"
    leader = callback_pending(leader=True)
    assert leader.callback_queue == "supervision"
    answer = {"reached": True, "resolved": True, "satisfaction": "satisfied"}
    with pytest.raises(NotPermitted):
        decide(leader, "record_callback", answer, CALLBACK, T0, CTX)
    assert run(leader, [("record_callback", answer, SUPERVISOR, T0)]).state is OrderState.CLOSED


def test_create_callback_is_the_system_job() -> None:
    with pytest.raises(NotPermitted):
        decide(replied(), "create_callback", {}, AGENT, T0, CTX)
    with pytest.raises(InvalidTransition):
        decide(signed(), "create_callback", {}, SYSTEM, T0, CTX)


@pytest.mark.parametrize("satisfaction", ["satisfied", "basically_satisfied"])
def test_satisfied_callback_closes(satisfaction: str) -> None:
    order = run(
        callback_pending(),
        [
            (
                "record_callback",
                {"reached": True, "resolved": True, "satisfaction": satisfaction},
                CALLBACK,
                T0,
            )
        ],
    )
    assert order.state is OrderState.CLOSED and order.satisfaction == satisfaction


def test_unreached_three_times_closes_as_unreachable() -> None:
    order = callback_pending()
    for attempt in range(1, 3):
        order = run(
            order,
            [("record_callback", {"reached": False}, CALLBACK, T0 + timedelta(hours=attempt))],
        )
        assert order.state is OrderState.CALLBACK_PENDING and order.callback_attempts == attempt
        assert order.next_callback_at == T0 + timedelta(hours=attempt + 4)
    order = run(order, [("record_callback", {"reached": False}, CALLBACK, T0 + timedelta(hours=9))])
    assert order.state is OrderState.CLOSED and order.closed_reason == "unreachable"


def test_callback_needs_satisfaction_when_reached() -> None:
    with pytest.raises(ValidationError) as err:
        decide(
            callback_pending(),
            "record_callback",
            {"reached": True, "resolved": True},
            CALLBACK,
            T0,
            CTX,
        )
    assert err.value.field == "satisfaction"


def test_dissatisfied_goes_to_supervision_then_rehandle_or_close() -> None:
    order = dissatisfied()
    assert order.state is OrderState.CALLBACK_PENDING and order.dissatisfied
    with pytest.raises(InvalidTransition):
        decide(order, "record_callback", {"reached": False}, CALLBACK, T0, CTX)
    with pytest.raises(NotPermitted):
        decide(order, "rehandle", {"reason": "r"}, CALLBACK, T0, CTX)
    later = datetime(2026, 10, 12, 9, 0, tzinfo=TZ)
    again = run(order, [("rehandle", {"reason": "群众不满意，重新办理"}, SUPERVISOR, later)])
    assert (
        again.state is OrderState.REHANDLING and not again.dissatisfied and again.deadline > later
    )
    again = run(
        again, [("sign", {}, UNIT1, later), ("reply", {"result": "已彻底修复"}, UNIT1, later)]
    )
    assert again.state is OrderState.REPLIED
    closed = run(order, [("close", {"explanation": "已按政策答复，诉求不合理"}, SUPERVISOR, later)])
    assert closed.state is OrderState.CLOSED


def test_rehandle_needs_dissatisfaction() -> None:
    with pytest.raises(InvalidTransition):
        decide(callback_pending(), "rehandle", {"reason": "r"}, SUPERVISOR, T0, CTX)
    with pytest.raises(InvalidTransition):
        decide(callback_pending(), "close", {"explanation": "r"}, SUPERVISOR, T0, CTX)


# --- overdue, urging, criticism -----------------------------------------------------------


def test_overdue_urging_and_criticism_follow_the_calendar() -> None:
    order = signed()
    before = datetime(2026, 10, 15, 20, 0, tzinfo=TZ)
    with pytest.raises(InvalidTransition):
        decide(order, "mark_overdue", {}, SYSTEM, before, CTX)
    after = datetime(2026, 10, 16, 0, 5, tzinfo=TZ)
    order = run(order, [("mark_overdue", {}, SYSTEM, after)])
    assert order.overdue
    order = run(order, [("urge", {"number": "催〔2026〕0001号"}, SYSTEM, after)])
    assert order.urged_at == after
    with pytest.raises(InvalidTransition):  # the job urges once
        decide(order, "urge", {"number": "n2"}, SYSTEM, after, CTX)
    # two working days after Friday 10-16 end on Tuesday 10-20
    with pytest.raises(InvalidTransition):
        decide(
            order,
            "criticise",
            {"number": "批〔2026〕0001号"},
            SYSTEM,
            datetime(2026, 10, 20, 18, 0, tzinfo=TZ),
            CTX,
        )
    order = run(
        order,
        [
            (
                "criticise",
                {"number": "批〔2026〕0001号"},
                SYSTEM,
                datetime(2026, 10, 21, 0, 1, tzinfo=TZ),
            )
        ],
    )
    assert order.criticised
    with pytest.raises(InvalidTransition):
        decide(order, "criticise", {"number": "n"}, SYSTEM, datetime(2026, 10, 22, tzinfo=TZ), CTX)


def test_urging_is_refused_before_the_deadline_and_for_agents() -> None:
    with pytest.raises(InvalidTransition):
        decide(signed(), "urge", {"number": "n"}, SUPERVISOR, T0, CTX)
    with pytest.raises(NotPermitted):
        decide(signed(), "urge", {"number": "n"}, AGENT, T0, CTX)


def test_pending_extension_is_not_urged() -> None:
    order = run(
        signed(), [("request_extension", {"new_deadline": "2026-10-30", "reason": "r"}, UNIT1, T0)]
    )
    with pytest.raises(InvalidTransition):
        decide(order, "urge", {"number": "n"}, SYSTEM, datetime(2026, 10, 20, tzinfo=TZ), CTX)


# --- linking, folding, snapshots ----------------------------------------------------------


def test_link_contact_to_open_order_but_not_closed() -> None:
    order = run(
        dispatched(), [("link_contact", {"contact_id": "C-2", "content": "又打来催"}, AGENT, T0)]
    )
    assert order.contact_ids[-1] == "C-2"
    closed = run(dissatisfied(), [("close", {"explanation": "x"}, SUPERVISOR, T0)])
    with pytest.raises(InvalidTransition):
        decide(closed, "link_contact", {"contact_id": "C-3"}, AGENT, T0, CTX)


def test_state_is_the_fold_of_events_and_snapshots_round_trip() -> None:
    order = dissatisfied()
    assert fold(order.events) == order
    assert from_snapshot(snapshot(order)) == order
    assert [e.seq for e in order.events] == list(range(1, order.version + 1))


def test_every_command_has_a_test_here() -> None:
    source = open(__file__, encoding="utf-8").read()
    for command in PERMISSIONS:
        if command in {
            "answer_contact",
            "reject_contact",
            "propose_article",
            "publish_article",
            "reject_proposal",
            "set_publication",
        }:
            continue
        assert f'"{command}"' in source, command


def test_messages_are_readable_in_both_languages() -> None:
    with pytest.raises(NotYourUnit) as err:
        decide(dispatched(), "sign", {}, UNIT2, T0, CTX)
    assert "不属于本单位" in err.value.zh and "belongs to unit U001" in err.value.en


@pytest.mark.parametrize("command", ["reassign", "add_co_handler"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reassign_and_co_handler_need_a_reason(command: str, reason: str | None) -> None:
    args = {"unit": "U002"} if reason is None else {"unit": "U002", "reason": reason}
    with pytest.raises(ValidationError) as refused:
        decide(dispatched(), command, args, SUPERVISOR, T0, CTX)
    assert refused.value.field == "reason"


def test_the_reassign_reason_is_kept_on_the_event() -> None:
    order = run(
        dispatched(), [("reassign", {"unit": "U002", "reason": " 不属本单位 "}, SUPERVISOR, T0)]
    )
    assert order.unit == "U002"
    assert order.events[-1].kind == "reassigned"
    assert order.events[-1].reason == "不属本单位"


def test_a_flagged_dispatch_keeps_the_override_on_the_event_trail() -> None:
    flagged = {
        **FORM,
        "assist": {"type": "help", "reject_reason": "emergency", "transfer_to": "120"},
    }
    with pytest.raises(ValidationError) as err:
        dispatched(flagged)
    assert err.value.field == "override"
    order = dispatched(
        {**flagged, "override": {"flag": "emergency:120", "reason": "已转 120，另需物业处理"}}
    )
    assert order.events[0].data["override"] == {
        "flag": "emergency:120",
        "reason": "已转 120，另需物业处理",
    }
    assert "override" not in dispatched().events[0].data
