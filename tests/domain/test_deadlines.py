"""Deadlines on the working calendar, in the city's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.calendar import WorkingCalendar
from workstation.deadlines import (
    criticism_due,
    deadline_for,
    extension_allowed,
    is_due_soon,
    is_overdue,
    local_date,
    return_window_end,
    working_days_left,
)
from workstation.errors import ExtensionTooLate, ValidationError
from workstation.models import DeadlineRules, OrderType

SH = ZoneInfo("Asia/Shanghai")
RULES = DeadlineRules()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_national_day_example(calendar: WorkingCalendar) -> None:
    """The issue's example: dispatched 2026-09-30."""
    sent = at("2026-09-30T16:20:00")
    due = deadline_for(OrderType.CONSULTATION, sent, calendar, RULES)
    assert due == datetime(2026, 10, 10, 23, 59, 59, tzinfo=SH)
    assert due.isoformat() == "2026-10-10T23:59:59+08:00"
    assert due.date().weekday() == 5  # a Saturday make-up working day
    complaint = deadline_for(OrderType.COMPLAINT, sent, calendar, RULES)
    assert complaint.isoformat() == "2026-10-15T23:59:59+08:00"


@pytest.mark.parametrize(
    ("order_type", "investigation", "sent", "due"),
    [
        (OrderType.CONSULTATION, False, "2026-02-12T09:00", "2026-02-24"),  # Spring Festival
        (OrderType.SUGGESTION, False, "2026-02-12T09:00", "2026-02-26"),
        (OrderType.HELP, False, "2026-02-12T09:00", "2026-02-28"),  # make-up Saturday
        (OrderType.COMPLAINT, True, "2026-02-12T09:00", "2026-03-04"),
        (OrderType.HELP, False, "2026-09-30T08:00", "2026-10-15"),
        (OrderType.CONSULTATION, False, "2026-10-10T11:00", "2026-10-14"),
        (OrderType.CONSULTATION, False, "2026-10-03T11:00", "2026-10-10"),  # sent on holiday
    ],
)
def test_deadline_table(
    calendar: WorkingCalendar, order_type: OrderType, investigation: bool, sent: str, due: str
) -> None:
    deadline = deadline_for(order_type, at(sent), calendar, RULES, investigation=investigation)
    assert deadline == datetime.combine(date.fromisoformat(due), time(23, 59, 59), tzinfo=SH)


def test_day_arithmetic_uses_the_city_date(calendar: WorkingCalendar) -> None:
    # 2026-09-30T17:00Z is already 01:00 on Oct 1 in Shanghai: counting starts from Oct 1.
    sent = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    assert local_date(sent) == date(2026, 10, 1)
    due = deadline_for(OrderType.CONSULTATION, sent, calendar, RULES)
    assert due.isoformat() == "2026-10-10T23:59:59+08:00"
    # And 15:00Z on Sep 30 is still Sep 30 in Shanghai.
    early = deadline_for(
        OrderType.CONSULTATION, datetime(2026, 9, 30, 15, tzinfo=UTC), calendar, RULES
    )
    assert early.date() == date(2026, 10, 10)


def test_naive_datetime_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValidationError) as info:
        deadline_for(OrderType.HELP, datetime(2026, 9, 30, 10), calendar, RULES)
    assert info.value.field == "dispatched_at"


def test_rules_are_configurable(calendar: WorkingCalendar) -> None:
    rules = DeadlineRules(consultation=5)
    due = deadline_for(OrderType.CONSULTATION, at("2026-09-30T10:00"), calendar, rules)
    assert due.date() == date(2026, 10, 13)


def test_end_of_day_is_configurable(calendar: WorkingCalendar) -> None:
    due = deadline_for(
        OrderType.CONSULTATION, at("2026-09-30T10:00"), calendar, RULES, end=time(17, 30)
    )
    assert due.isoformat() == "2026-10-10T17:30:00+08:00"


def test_other_city_zone(calendar: WorkingCalendar) -> None:
    due = deadline_for(
        OrderType.CONSULTATION, at("2026-09-30T10:00"), calendar, RULES, tz="Asia/Urumqi"
    )
    assert due.utcoffset() == timedelta(hours=6)


def test_return_window_and_criticism(calendar: WorkingCalendar) -> None:
    sent = at("2026-09-30T10:00")
    assert return_window_end(sent, calendar, RULES).isoformat() == "2026-10-09T23:59:59+08:00"
    urged = at("2026-02-13T09:00")
    assert criticism_due(urged, calendar, RULES).isoformat() == "2026-02-24T23:59:59+08:00"


def test_overdue_and_countdown(calendar: WorkingCalendar) -> None:
    due = deadline_for(OrderType.CONSULTATION, at("2026-09-30T10:00"), calendar, RULES)
    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(seconds=1))
    assert working_days_left(due, at("2026-09-30T12:00"), calendar) == 3
    assert working_days_left(due, at("2026-10-05T12:00"), calendar) == 3  # holiday: nothing used
    assert working_days_left(due, at("2026-10-09T12:00"), calendar) == 1
    assert working_days_left(due, at("2026-10-10T12:00"), calendar) == 0
    assert working_days_left(due, at("2026-10-11T08:00"), calendar) == -1  # Sunday after
    assert working_days_left(due, at("2026-10-12T08:00"), calendar) == -1
    assert working_days_left(due, at("2026-10-14T08:00"), calendar) == -3
    assert is_due_soon(due, at("2026-10-09T12:00"), calendar, RULES)
    assert not is_due_soon(due, at("2026-10-08T12:00"), calendar, RULES)
    assert not is_due_soon(due, at("2026-10-12T12:00"), calendar, RULES)


def test_countdown_is_negative_once_overdue_even_on_the_same_day(calendar: WorkingCalendar) -> None:
    due = deadline_for(
        OrderType.CONSULTATION, at("2026-09-30T10:00"), calendar, RULES, end=time(17, 30)
    )
    assert working_days_left(due, at("2026-10-10T18:00"), calendar) == -1


def test_extension_rules() -> None:
    deadline = at("2026-10-10T23:59:59")
    extension_allowed(deadline, at("2026-10-10T20:00"), at("2026-10-20T23:59:59"))
    with pytest.raises(ExtensionTooLate) as late:
        extension_allowed(deadline, at("2026-10-11T00:00"), at("2026-10-20T23:59:59"))
    assert late.value.zh and late.value.en and late.value.code == "extension_too_late"
    with pytest.raises(ValidationError) as same:
        extension_allowed(deadline, at("2026-10-09T10:00"), deadline)
    assert same.value.field == "new_deadline"
    assert "晚于" in same.value.zh and "after" in same.value.en


def test_fallback_year_deadline_never_raises() -> None:
    cal = WorkingCalendar.default()
    sent = datetime(2100, 3, 5, 10, tzinfo=SH)  # a Friday
    due = deadline_for(OrderType.COMPLAINT, sent, cal, RULES)
    assert due.date() == date(2100, 3, 16)
    assert cal.span_source(local_date(sent), due.date()) == "fallback"


def test_2027_deadline_with_overrides(overrides_file: Path) -> None:
    cal = WorkingCalendar.default(overrides_file)
    sent = at("2027-02-04T10:00")
    due = deadline_for(OrderType.CONSULTATION, sent, cal, RULES)
    # Feb 5-13 off; Sun 14 worked; Mon 15, Tue 16.
    assert due.date() == date(2027, 2, 16)


_CAL = WorkingCalendar.default()


@settings(max_examples=150, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2004, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(SH)
    ),
    order_type=st.sampled_from(list(OrderType)),
    investigation=st.booleans(),
)
def test_property_deadline_is_end_of_a_working_day(
    moment: datetime, order_type: OrderType, investigation: bool
) -> None:
    due = deadline_for(order_type, moment, _CAL, RULES, investigation=investigation)
    assert due.tzinfo is not None and due.time() == time(23, 59, 59)
    assert _CAL.is_working_day(due.date())
    n = RULES.days_for(order_type, investigation)
    assert _CAL.working_days_between(local_date(moment), due.date()) == n
    assert working_days_left(due, moment, _CAL) == n
