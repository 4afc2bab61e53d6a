"""The typed args of every command (workstation.wire.commands): what each refuses, and why.

Every command of the permission table has a model; each refuses an unknown arg, a text
too long for its field, a wrong type, a string where a boolean belongs, a lone surrogate,
a NUL and deep nesting, with a ``ValidationError`` naming the field.
"""

from __future__ import annotations

import pytest

from workstation.errors import ValidationError
from workstation.permissions import PERMISSIONS
from workstation.wire.commands import ARGS, parse_args
from workstation.wire.text import Limits

# command -> (a text field, its limit); None: the command carries no text
TEXT_FIELD: dict[str, tuple[str, int] | None] = {
    "dispatch": ("address", Limits.ADDRESS),
    "link_contact": ("content", Limits.CONTENT),
    "answer_contact": ("explanation", Limits.REASON),
    "reject_contact": ("caller_name", Limits.NAME),
    "sign": None,
    "return_order": ("basis", Limits.REASON),
    "request_extension": ("reason", Limits.REASON),
    "reply": ("result", Limits.RESULT),
    "decide_extension": ("comment", Limits.REASON),
    "reassign": ("unit", Limits.UNIT),
    "recall": ("reason", Limits.REASON),
    "add_co_handler": ("reason", Limits.REASON),
    "urge": ("reason", Limits.REASON),
    "criticise": ("reason", Limits.REASON),
    "mark_overdue": None,
    "create_callback": None,
    "record_callback": ("comment", Limits.REASON),
    "rehandle": ("reason", Limits.REASON),
    "close": ("explanation", Limits.REASON),
    "notify_caller": ("comment", Limits.REASON),
    "propose_article": ("policy_basis", Limits.REASON),
    "publish_article": ("comment", Limits.REASON),
    "reject_proposal": ("reason", Limits.REASON),
    "set_publication": ("order_id", Limits.ID),
}

# command -> a boolean field (strict: "no", "false", 0 are refused)
BOOL_FIELD = {
    "dispatch": "confidential",
    "link_contact": "investigation",
    "answer_contact": "confidential",
    "reject_contact": "leader_instructed",
    "decide_extension": "approved",
    "record_callback": "reached",
    "set_publication": "published",
}


def _refused(command: str, args: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        parse_args(command, args)
    assert info.value.to_dict()["en"], info.value
    return info.value


def test_every_command_has_a_model() -> None:
    assert set(ARGS) == set(PERMISSIONS) == set(TEXT_FIELD)


@pytest.mark.parametrize("command", sorted(ARGS))
def test_unknown_arg_refused(command: str) -> None:
    err = _refused(command, {"zzz": "1"})
    assert err.field == "zzz" and "not a known argument" in err.to_dict()["en"]


@pytest.mark.parametrize("command", sorted(ARGS))
def test_deep_nesting_refused_without_recursion(command: str) -> None:
    deep: object = "x"
    for _ in range(100_000):
        deep = [deep]
    err = _refused(command, {"zzz": deep})
    assert err.field == "args"


@pytest.mark.parametrize("command", sorted(ARGS))
def test_args_must_be_an_object(command: str) -> None:
    assert _refused(command, ["reason"]).field == "args"


@pytest.mark.parametrize("command", sorted(c for c, f in TEXT_FIELD.items() if f))
def test_text_too_long_refused_at_its_limit(command: str) -> None:
    field, limit = TEXT_FIELD[command]  # type: ignore[misc]
    assert parse_args(command, {field: "路" * limit}) == {field: "路" * limit}
    err = _refused(command, {field: "路" * (limit + 1)})
    assert err.field == field and f"at most {limit}" in err.to_dict()["en"]


@pytest.mark.parametrize("command", sorted(c for c, f in TEXT_FIELD.items() if f))
def test_text_wrong_type_refused(command: str) -> None:
    field, _ = TEXT_FIELD[command]  # type: ignore[misc]
    for value in (12345, True, ["a"], {"a": "b"}):
        assert _refused(command, {field: value}).field == field


@pytest.mark.parametrize("command", sorted(c for c, f in TEXT_FIELD.items() if f))
def test_lone_surrogate_and_nul_refused(command: str) -> None:
    field, _ = TEXT_FIELD[command]  # type: ignore[misc]
    for value in ("a\ud800b", "\udfff", "a\x00b"):
        assert _refused(command, {field: value}).field == field


@pytest.mark.parametrize("command", sorted(BOOL_FIELD))
def test_string_bool_refused(command: str) -> None:
    field = BOOL_FIELD[command]
    for value in ("no", "false", "true", 0, 1):
        err = _refused(command, {field: value})
        assert err.field == field and "true or false" in err.to_dict()["en"]
    assert parse_args(command, {field: False}) == {field: False}


def test_lists_hold_the_right_items_and_are_bounded() -> None:
    assert _refused("dispatch", {"co_units": [1]}).field == "co_units.0"
    assert _refused("dispatch", {"co_units": "U001"}).field == "co_units"
    err = _refused("dispatch", {"co_units": ["U001"] * (Limits.ITEMS + 1)})
    assert err.field == "co_units" and "too many" in err.to_dict()["en"]
    assert _refused("answer_contact", {"article_ids": [["KB-1"]]}).field == "article_ids.0"


def test_enums_refuse_unknown_values() -> None:
    assert _refused("dispatch", {"channel": "fax"}).field == "channel"
    assert _refused("dispatch", {"type": "gossip"}).field == "type"
    assert _refused("reject_contact", {"reason": "boring"}).field == "reason"
    assert _refused("record_callback", {"satisfaction": "meh"}).field == "satisfaction"
    assert parse_args("dispatch", {"type": "投诉", "channel": "web"}) == {
        "type": "投诉",
        "channel": "web",
    }


def test_ints_are_not_texts_and_kb_article_is_typed() -> None:
    assert _refused("propose_article", {"article": {"title": 5}}).field == "article.title"
    assert _refused("propose_article", {"article": {"colour": "red"}}).field == "article.colour"
    body = "知" * (Limits.KB_BODY + 1)
    assert _refused("propose_article", {"article": {"body": body}}).field == "article.body"


def test_valid_args_come_back_unchanged() -> None:
    args = {
        "type": "complaint",
        "channel": "phone",
        "content": "小区门口路灯坏了一个月",
        "caller_name": "张三",
        "caller_phone": "13912346025",
        "confidential": True,
        "address": "人民路 1 号",
        "investigation": False,
        "leader_instructed": False,
        "unit": "U001",
        "co_units": ["U002"],
        "contact_id": "C-1",
        "assist": {
            "type": "complaint",
            "type_confidence": 0.91,
            "units": ["U001"],
            "unit_details": [{"code": "U001", "name": "汇龙镇", "score": 0.8, "reasons": ["地名"]}],
            "reject_reason": None,
            "transfer_to": None,
            "flags": [],
        },
    }
    assert parse_args("dispatch", args) == args
    assert parse_args("reject_contact", {"transfer_to": None, "reason": "vague"}) == {
        "transfer_to": None,
        "reason": "vague",
    }


def test_unknown_command_refused() -> None:
    assert _refused("explode", {}).field == "command"


def test_change_head_is_the_change_without_its_data() -> None:
    from workstation.wire.sync import Change, ChangeHead

    assert [*ChangeHead.__annotations__, "data"] == list(Change.model_fields)
