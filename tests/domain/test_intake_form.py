"""The intake form: parsed once, every refused field named with its message."""

import pytest

from workstation.errors import ValidationError
from workstation.i18n import set_language
from workstation.intake_form import MAX_CONTENT, REQUIRED, FormErrors, IntakeForm
from workstation.models import Channel, ContactOutcome, OrderType

RAW = {
    "type": "投诉",
    "channel": "web",
    "content": "  小区噪音扰民 ",
    "caller_name": " 张三 ",
    "caller_phone": "13912346025",
    "unit": "U001",
    "co_units": ["U002"],
    "address": "",
    "confidential": True,
}


def test_parse_types_and_trims_every_field() -> None:
    form = IntakeForm.parse(RAW, ContactOutcome.DISPATCHED)
    assert form.type is OrderType.COMPLAINT and form.channel is Channel.WEB
    assert form.content == "小区噪音扰民" and form.caller_name == "张三"
    assert form.co_units == ("U002",) and form.confidential and form.contact_id is None
    args = form.to_args()
    assert args["type"] == "complaint" and args["channel"] == "web"
    assert IntakeForm.parse(args) == form  # the server parses the same args the same way


def test_every_missing_field_of_a_dispatch_is_named_in_form_order() -> None:
    with pytest.raises(FormErrors) as err:
        IntakeForm.parse({"content": " "}, ContactOutcome.DISPATCHED)
    assert list(err.value.errors) == ["caller_phone", "content", "type", "unit"]
    assert err.value.field == "caller_phone"  # a plain ValidationError handler still works
    assert isinstance(err.value, ValidationError)
    assert err.value.message_for("type", "zh") == "请选择诉求类型"
    assert err.value.message_for("unit", "en") == "Choose a handling unit"
    assert err.value.message_for("address") is None


def test_requirements_depend_on_the_outcome() -> None:
    form = IntakeForm.parse({"content": "着火了"})
    assert form.require(ContactOutcome.REJECTED) is form
    assert form.missing(ContactOutcome.DISPATCHED).keys() == {"caller_phone", "type", "unit"}
    assert REQUIRED[ContactOutcome.ANSWERED] == ("content", "type")
    assert form.missing(ContactOutcome.ANSWERED).keys() == {"type"}


def test_a_work_order_needs_a_phone_or_the_callers_refusal_to_give_one() -> None:
    raw = {"content": "路灯坏了", "type": "complaint", "unit": "U001"}
    with pytest.raises(FormErrors) as err:
        IntakeForm.parse(raw, ContactOutcome.DISPATCHED)
    assert list(err.value.errors) == ["caller_phone"]
    assert "不留电话" in (err.value.message_for("caller_phone", "zh") or "")
    declined = IntakeForm.parse({**raw, "phone_declined": True}, ContactOutcome.DISPATCHED)
    assert declined.to_args()["phone_declined"] is True
    with_phone = IntakeForm.parse({**raw, "caller_phone": "13900000000"})
    assert with_phone.require(ContactOutcome.DISPATCHED) is with_phone
    assert "phone_declined" not in with_phone.to_args()


EMERGENCY = {"reject_reason": "emergency", "transfer_to": "120", "type": "help"}
FLAGGED = {"content": "小区里有人晕倒了，不省人事，快叫救护车", "type": "help", "unit": "U055",
           "caller_phone": "13900000000"}  # fmt: skip


@pytest.mark.parametrize(
    ("assist", "words"),
    [(EMERGENCY, "转接 120"), ({"reject_reason": "out_of_area"}, "不属于本市管辖")],
)
def test_a_flagged_call_is_not_dispatched_without_an_override_reason(assist, words) -> None:
    with pytest.raises(FormErrors) as err:
        IntakeForm.parse({**FLAGGED, "assist": assist}, ContactOutcome.DISPATCHED)
    assert list(err.value.errors) == ["override"]
    assert words in (err.value.message_for("override", "zh") or "")
    # refusing or transferring the call needs no override
    IntakeForm.parse({**FLAGGED, "assist": assist}, ContactOutcome.REJECTED)
    form = IntakeForm.parse(
        {**FLAGGED, "assist": assist, "override": "来电人坚持要求派单"}, ContactOutcome.DISPATCHED
    )
    flag = "emergency:120" if assist is EMERGENCY else "out_of_area"
    assert form.to_args()["override"] == {"flag": flag, "reason": "来电人坚持要求派单"}


def test_an_unflagged_call_needs_no_override() -> None:
    form = IntakeForm.parse({**FLAGGED, "assist": {"type": "help", "reject_reason": None}})
    assert "override" not in form.missing(ContactOutcome.DISPATCHED)


def test_length_limits_and_bad_values_are_field_errors() -> None:
    raw = {**RAW, "content": "字" * (MAX_CONTENT + 1), "address": "路" * 501,
           "type": "gossip", "channel": "pigeon", "co_units": "U002"}  # fmt: skip
    with pytest.raises(FormErrors) as err:
        IntakeForm.parse(raw)
    assert set(err.value.errors) == {"content", "address", "type", "channel", "co_units"}
    set_language("en")
    try:
        assert f"at most {MAX_CONTENT}" in (err.value.message_for("content") or "")
    finally:
        set_language("zh")
    assert IntakeForm.parse({**RAW, "content": "字" * MAX_CONTENT}).content == "字" * MAX_CONTENT
    with pytest.raises(FormErrors) as err:
        IntakeForm.parse({**RAW, "co_units": 5})
    assert err.value.field == "co_units" and err.value.code == "invalid"
    with pytest.raises(FormErrors) as err:  # "no" is not a boolean: refused, never read as true
        IntakeForm.parse({**RAW, "confidential": "no", "investigation": "false"})
    assert set(err.value.errors) == {"confidential", "investigation"}


def test_a_vague_hint_is_shown_but_does_not_stop_a_dispatch() -> None:
    form = IntakeForm.parse({**FLAGGED, "assist": {"type": "help", "reject_reason": "vague"}})
    assert "override" not in form.missing(ContactOutcome.DISPATCHED)


def test_every_field_the_form_sends_is_one_the_wire_accepts() -> None:
    """The form (domain) and the dispatch args (wire) list the fields apart: a filled form's
    args must pass the wire's strict parse, so a field added to one is added to the other."""
    from workstation.wire.commands import parse_args

    form = IntakeForm.parse(
        {**RAW, "address": "人民路1号", "investigation": True, "leader_instructed": True,
         "phone_declined": True, "co_units": ["U002"], "contact_id": "C-1",
         "assist": {"type": "complaint"}},
    )  # fmt: skip
    args = {**form.to_args(), "override": {"flag": "emergency:120", "reason": "已转接"}}
    assert parse_args("dispatch", args) == args
