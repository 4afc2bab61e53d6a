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
    assert list(err.value.errors) == ["content", "type", "unit"]
    assert err.value.field == "content"  # a plain ValidationError handler still works
    assert isinstance(err.value, ValidationError)
    assert err.value.message_for("type", "zh") == "请选择诉求类型"
    assert err.value.message_for("unit", "en") == "Choose a handling unit"
    assert err.value.message_for("address") is None


def test_requirements_depend_on_the_outcome() -> None:
    form = IntakeForm.parse({"content": "着火了"})
    assert form.require(ContactOutcome.REJECTED) is form
    assert form.missing(ContactOutcome.DISPATCHED).keys() == {"type", "unit"}
    assert REQUIRED[ContactOutcome.ANSWERED] == ("content",)


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
