"""The assessment figures on a hand-checked scenario (November 2026, no holidays).

Default rules: complaint/help 7 working days, consultation 3, sign within 1, return within
2. Each order's comment says what it contributes; the expected rows are worked out by hand.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from workstation.assessment import (
    COUNTS,
    LABELS,
    RATES,
    TOTAL,
    UnitAssessment,
    assess,
    columns,
    is_overdue,
    overdue_at,
    short_name,
    sign_due,
)
from workstation.calendar import WorkingCalendar
from workstation.errors import ValidationError
from workstation.models import Actor, DeadlineRules, OrderState, Role
from workstation.orders import WorkOrder, from_snapshot, snapshot
from workstation.workflow import Context, execute

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar.default()
CTX = Context(calendar=CAL, rules=DeadlineRules(), unit_codes=frozenset({"U001", "U002", "U003"}))
AGENT = Actor("li", Role.AGENT, seat="S01")
SUP = Actor("zhou", Role.SUPERVISOR, seat="S09")
CB = Actor("wang", Role.CALLBACK, seat="S05")
SYS = Actor("system", Role.SYSTEM)
U = {
    code: Actor(f"u-{code}", Role.UNIT, unit=code, seat="S20") for code in ("U001", "U002", "U003")
}
START = datetime(2026, 11, 1, tzinfo=TZ)
END = datetime(2026, 12, 1, tzinfo=TZ)


def at(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


def order(order_id: str, kind: str, unit: str, when: datetime, steps: list) -> WorkOrder:
    form = {"type": kind, "content": "路灯不亮", "unit": unit, "caller_phone": "13900000000"}
    o, _ = execute(None, "dispatch", form, AGENT, when, CTX, order_id=order_id)
    for command, args, actor, moment in steps:
        o, _ = execute(o, command, args, actor, moment, CTX)
    return o


def callback(day: int, satisfaction: str, resolved: bool) -> list:
    return [
        ("create_callback", {}, SYS, at(day, 10)),
        (
            "record_callback",
            {"reached": True, "satisfaction": satisfaction, "resolved": resolved},
            CB,
            at(day, 15),
        ),
    ]


def scenario() -> list[WorkOrder]:
    u1, u2, u3 = U["U001"], U["U002"], U["U003"]
    return [
        # A: U001, signed next day (on time), replied early, satisfied + resolved.
        order(
            "A",
            "complaint",
            "U001",
            at(2),
            [("sign", {}, u1, at(3, 10)), ("reply", {"result": "已修复"}, u1, at(6))]
            + callback(9, "satisfied", True),
        ),
        # B: U001, signed late (Nov 5 > Nov 3), extension to Nov 20 approved, replied Nov 19.
        order(
            "B",
            "complaint",
            "U001",
            at(2),
            [
                ("sign", {}, u1, at(5)),
                (
                    "request_extension",
                    {"reason": "需协调", "new_deadline": "2026-11-20"},
                    u1,
                    at(10),
                ),
                ("decide_extension", {"approved": True}, SUP, at(10, 15)),
                ("reply", {"result": "已处理"}, u1, at(19)),
            ]
            + callback(20, "basically_satisfied", False),
        ),
        # C: U002 returns it (not theirs), reassigned to U003 (deadline Nov 13), which signs
        # at once but never replies: overdue, urged Nov 16, criticised Nov 19.
        order(
            "C",
            "help",
            "U002",
            at(2),
            [
                ("return_order", {"reason": "非本单位职责", "basis": "三定方案"}, u2, at(3)),
                ("reassign", {"unit": "U003", "reason": "协调后改派"}, SUP, at(4, 10)),
                ("sign", {}, u3, at(4, 15)),
                ("urge", {"number": "催办〔2026〕0001号"}, SUP, at(16)),
                ("criticise", {"number": "通报〔2026〕0001号"}, SUP, at(19)),
            ],
        ),
        # D: U001 consultation on Fri Nov 27, never signed; due Dec 2, so not overdue yet.
        order("D", "consultation", "U001", at(27), []),
        # E: dispatched in October (not received in November), replied on time Nov 3: a
        # November reply, so completed on time in November.
        order(
            "E",
            "complaint",
            "U002",
            at(30, month=10),
            [("sign", {}, u2, at(2)), ("reply", {"result": "好"}, u2, at(3))],
        ),
        # F: U001 on time, dissatisfied; re-handled Nov 5 (new assignment, due Nov 16),
        # signed late (Nov 9), replied late (Nov 17), then satisfied + resolved.
        order(
            "F",
            "complaint",
            "U001",
            at(2),
            [("sign", {}, u1, at(2, 11)), ("reply", {"result": "已答复"}, u1, at(3))]
            + callback(4, "dissatisfied", False)
            + [
                ("rehandle", {"reason": "群众不满意"}, SUP, at(5)),
                ("sign", {}, u1, at(9)),
                ("reply", {"result": "重新处理"}, u1, at(17)),
            ]
            + callback(18, "satisfied", True),
        ),
        # G: U003 on time; the caller is not reached: no callback counted.
        order(
            "G",
            "complaint",
            "U003",
            at(2),
            [
                ("sign", {}, u3, at(3)),
                ("reply", {"result": "已办"}, u3, at(5)),
                ("create_callback", {}, SYS, at(5, 12)),
                ("record_callback", {"reached": False}, CB, at(6)),
            ],
        ),
        # H: U002 consultation Nov 23 (due Nov 26), signed, extension to Dec 10 requested
        # Nov 25 and still pending: measured against Dec 10, so not overdue.
        order(
            "H",
            "consultation",
            "U002",
            at(23),
            [
                ("sign", {}, u2, at(23, 10)),
                (
                    "request_extension",
                    {"reason": "需调查", "new_deadline": "2026-12-10"},
                    u2,
                    at(25),
                ),
            ],
        ),
    ]


def counts(row: UnitAssessment) -> dict[str, int]:
    return {name: getattr(row, name) for name in COUNTS}


def expected(**values: int) -> dict[str, int]:
    return {name: values.get(name, 0) for name in COUNTS}


NAMES = {"U001": "汇龙镇", "U002": "南阳镇", "U003": "北新镇", "U004": "王鲍镇"}


def test_hand_checked_scenario() -> None:
    result = assess(scenario(), START, END, calendar=CAL, units=NAMES)
    rows = {r.unit: r for r in result.rows}
    assert [r.unit for r in result.rows] == ["U001", "U002", "U003", "U004"]
    assert counts(rows["U001"]) == expected(
        received=5,  # A, B, D, F and F's re-handling
        signed_on_time=2,  # A, F (B late, D unsigned, F re-handling late)
        extended=1,  # B
        completed_on_time=3,  # A, B (extended deadline), F
        overdue=1,  # F's re-handling
        callbacks=4,
        satisfied=2,
        basically_satisfied=1,
        dissatisfied=1,
        resolved=2,
    )
    assert (rows["U001"].response_rate, rows["U001"].on_time_rate) == (0.4, 0.75)
    assert (rows["U001"].satisfaction_rate, rows["U001"].resolution_rate) == (0.75, 0.5)
    assert counts(rows["U002"]) == expected(
        received=2, signed_on_time=1, returned=1, completed_on_time=1
    )
    assert rows["U002"].response_rate == 0.5
    assert rows["U002"].on_time_rate == 1.0 and rows["U002"].satisfaction_rate is None
    assert counts(rows["U003"]) == expected(
        received=2, signed_on_time=2, completed_on_time=1, overdue=1, urged=1, criticised=1
    )
    assert (rows["U003"].response_rate, rows["U003"].on_time_rate) == (1.0, 0.5)
    assert counts(rows["U004"]) == expected()
    assert rows["U004"].response_rate is None
    assert rows["U001"].unit_name == "汇龙镇"
    t = result.totals
    assert (t.unit, t.unit_name) == ("", TOTAL)
    assert counts(t) == expected(
        received=9,
        signed_on_time=5,
        returned=1,
        extended=1,
        completed_on_time=5,
        overdue=2,
        urged=1,
        criticised=1,
        callbacks=4,
        satisfied=2,
        basically_satisfied=1,
        dissatisfied=1,
        resolved=2,
    )
    assert (t.response_rate, t.on_time_rate, t.satisfaction_rate, t.resolution_rate) == (
        0.5556,
        0.7143,
        0.75,
        0.5,
    )


def test_as_of_ignores_later_events() -> None:
    """Known on Nov 10: F's re-handling is open but not due, the later callbacks unknown."""
    result = assess(scenario(), START, END, calendar=CAL, as_of=at(10))
    u1 = {r.unit: r for r in result.rows}["U001"]
    assert counts(u1) == expected(
        received=4,  # D not yet dispatched
        signed_on_time=2,
        completed_on_time=2,  # A, F
        callbacks=2,  # A satisfied, F dissatisfied
        satisfied=1,
        dissatisfied=1,
        resolved=1,
    )
    c_at_end = assess(scenario(), START, END, calendar=CAL, as_of=at(14))
    assert {r.unit: r for r in c_at_end.rows}["U003"].overdue == 1  # C due Nov 13


def test_only_unit_and_snapshot_round_trip() -> None:
    orders = [from_snapshot(snapshot(o)) for o in scenario()]
    result = assess(orders, START, END, calendar=CAL, units=NAMES, only_unit="U003")
    assert [r.unit for r in result.rows] == ["U003"]
    assert counts(result.totals) == counts(result.rows[0])
    assert result.to_dict()["rows"][0]["response_rate"] == 1.0


def test_period_boundaries_are_half_open() -> None:
    orders = scenario()
    november_2 = assess(orders, at(2, 0), at(3, 0), calendar=CAL)
    assert november_2.totals.received == 5  # A, B, C, F, G (dispatched at 09:00)
    before = assess(orders, START, at(2, 9), calendar=CAL)
    assert before.totals.received == 0  # dispatch at exactly 09:00 belongs to the next period


def test_sign_due_counts_working_days() -> None:
    friday = datetime(2026, 11, 27, 16, tzinfo=TZ)
    due = sign_due(friday, CAL, DeadlineRules(), "Asia/Shanghai", time(23, 59, 59))
    assert due == datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ)  # Monday


def test_bad_periods_are_refused() -> None:
    with pytest.raises(ValidationError):
        assess([], END, START, calendar=CAL)
    with pytest.raises(ValidationError):
        assess([], START.replace(tzinfo=None), END, calendar=CAL)


def test_columns_have_labels() -> None:
    names = {f.name for f in fields(UnitAssessment)} | set(RATES)
    assert set(columns()) == set(LABELS) == names
    assert columns()[:2] == ["unit", "unit_name"]


def late_from_october() -> WorkOrder:
    """U001, dispatched Oct 20 (due Oct 29), signed, urged Nov 2, criticised Nov 5, open."""
    u1 = U["U001"]
    return order(
        "L",
        "complaint",
        "U001",
        at(20, month=10),
        [
            ("sign", {}, u1, at(21, month=10)),
            ("urge", {"number": "催办〔2026〕0001号"}, SUP, at(2)),
            ("criticise", {"number": "通报〔2026〕0001号"}, SUP, at(5)),
        ],
    )


def test_an_order_overdue_since_an_earlier_period_counts_now() -> None:
    """The demo's case: what the inbox marks 超期 and the notices list shows in November is
    in November's row, although the order was received in October."""
    late = late_from_october()
    november = assess([late], START, END, calendar=CAL, as_of=at(10))
    row = {r.unit: r for r in november.rows}["U001"]
    assert counts(row) == expected(overdue=1, urged=1, criticised=1)
    assert row.on_time_rate == 0.0
    october = assess([late], at(1, 0, month=10), START, calendar=CAL)
    assert counts(october.rows[0]) == expected(received=1, signed_on_time=1, overdue=1)
    # replied late on Nov 12: overdue (not on time) in November, and no longer open after
    u1 = U["U001"]
    replied, _ = execute(late, "reply", {"result": "已处理"}, u1, at(12), CTX)
    row = assess([replied], START, END, calendar=CAL).rows[0]
    assert (row.overdue, row.completed_on_time) == (1, 0)
    december = assess([replied], END, at(1, 0, month=1).replace(year=2027), calendar=CAL)
    assert december.rows == []


def test_overdue_at_is_the_inbox_definition() -> None:
    deadline = at(13, 23).replace(minute=59, second=59)
    assert not overdue_at("signed", deadline, deadline)  # the last second is in time
    assert overdue_at("signed", deadline, at(14, 0))
    assert overdue_at("dispatched", deadline, at(14, 0))
    assert overdue_at(OrderState.REHANDLING, deadline, at(14, 0))
    for state in ("extension_requested", "replied", "returned", "closed", "callback_pending"):
        assert not overdue_at(state, deadline, at(14, 0)), state
    assert not overdue_at("signed", None, at(14, 0))
    late = late_from_october()
    assert is_overdue(late, at(10)) and not is_overdue(late, at(29, 12, month=10))


def test_a_pending_extension_pauses_the_clock_everywhere() -> None:
    """H asked on Nov 25 (before its Nov 26 deadline) and is still pending on Dec 15."""
    h = next(o for o in scenario() if o.order_id == "H")
    later = at(15, month=12)
    assert not is_overdue(h, later)
    december = assess([h], END, at(1, 0, month=1).replace(year=2027), calendar=CAL, as_of=later)
    assert [counts(r) for r in december.rows] == [expected()]  # U002 holds it, not overdue


@pytest.mark.parametrize(
    ("name", "short", "expected_name"),
    [
        ("启东市汇龙镇人民政府", "", "汇龙镇"),
        ("启东市城市管理局", "", "城市管理局"),
        ("启东经济开发区管理委员会", "", "启东经济开发区"),
        ("中国电信股份有限公司启东分公司", "", "电信股份有限公司启东分公司"),
        ("启东市燃气有限公司", "", "燃气"),
        ("启东市城市管理局", "城管局", "城管局"),
        ("", "", ""),
    ],
)
def test_short_name(name: str, short: str, expected_name: str) -> None:
    assert short_name(name, short) == expected_name
